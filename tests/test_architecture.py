"""docs/architecture.md's import rules are the import-linter contracts `make lint` checks, and each bites.

Each contract is shown to fail on a module written to break it, in a copy of the product packages: a
contract that could never fail would enforce nothing.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rentalbridge", "customers", "contracts", "assets", "sync")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# contract id -> (module written into the copy, its one line, the import the report must name)
VIOLATIONS = {
    "domain-not-sync": (
        "customers/rule_breaker.py",
        "import sync.models",
        "customers.rule_breaker -> sync.models",
    ),
    "sandbox-is-trackunits-side": (
        "sync/sandbox/rule_breaker.py",
        "from sync.trackunit import wire",
        "sync.sandbox.rule_breaker -> sync.trackunit.wire",
    ),
    "client-stands-alone": (
        "sync/trackunit/rule_breaker.py",
        "import sync.plan",
        "sync.trackunit.rule_breaker -> sync.plan",
    ),
    "wire-users": (
        "sync/rule_breaker.py",
        "from sync.trackunit import wire",
        "sync.rule_breaker -> sync.trackunit.wire",
    ),
    "http-in-client": (
        "sync/kinds/rule_breaker.py",
        "import requests",
        "sync.kinds.rule_breaker -> requests",
    ),
    "tasks-on-top": (
        "sync/telematics/rule_breaker.py",
        "import sync.tasks",
        "sync.telematics.rule_breaker -> sync.tasks",
    ),
}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def test_the_map_states_exactly_the_enforced_rules() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    stated = set(re.findall(r"^- `([a-z-]+)`:", text, flags=re.MULTILINE))
    assert stated == set(_contracts())


def test_every_contract_has_a_module_that_breaks_it() -> None:
    assert set(VIOLATIONS) == set(_contracts())


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packages holding one rule breaker per contract."""
    copy = tmp_path_factory.mktemp("architecture")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    for path, line, _ in VIOLATIONS.values():
        (copy / path).write_text(f'"""Breaks one import rule on purpose."""\n\n{line}\n', encoding="utf-8")
    return copy


@pytest.mark.parametrize("contract_id", sorted(VIOLATIONS))
def test_a_contract_fails_on_the_module_that_breaks_it(broken_copy: Path, contract_id: str) -> None:
    result = subprocess.run(
        [
            str(LINT_IMPORTS),
            "--no-logo",
            "--cache-dir",
            str(broken_copy / ".cache"),
            "--contract",
            contract_id,
        ],
        cwd=broken_copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = result.stdout + result.stderr
    _, _, named_import = VIOLATIONS[contract_id]
    assert result.returncode == 1, report
    assert "1 broken" in report, report
    assert named_import in report, report
