"""The hashed lock files: in step with pyproject.toml, refused when not, and what CI installs from them."""

import copy
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lockfile", ROOT / "scripts" / "lockfile.py")
lockfile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lockfile)

LOCKS = {"requirements.lock": False, "requirements-dev.lock": True}  # file -> holds the dev extra


@pytest.fixture
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(name: str) -> dict[str, str]:
    return lockfile._pins((ROOT / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "dev"), LOCKS.items())
def test_the_committed_locks_are_in_step(pyproject: dict, name: str, dev: bool) -> None:
    assert lockfile.problems(ROOT / name, pyproject, dev=dev) == []


@pytest.mark.parametrize(("name", "dev"), LOCKS.items())
def test_a_new_dependency_puts_the_lock_out_of_step(pyproject: dict, name: str, dev: bool) -> None:
    changed = copy.deepcopy(pyproject)
    changed["project"]["dependencies"].append("tomli-w>=1")
    assert lockfile.problems(ROOT / name, changed, dev=dev) == [
        f"{name} is out of step with pyproject.toml (its dependencies changed): run `make lock`"
    ]


def test_a_new_dev_tool_puts_only_the_dev_lock_out_of_step(pyproject: dict) -> None:
    changed = copy.deepcopy(pyproject)
    changed["project"]["optional-dependencies"]["dev"].append("tomli-w>=1")
    assert lockfile.problems(ROOT / "requirements.lock", changed, dev=False) == []
    assert lockfile.problems(ROOT / "requirements-dev.lock", changed, dev=True) != []


def test_a_changed_build_backend_puts_the_locks_out_of_step(pyproject: dict) -> None:
    changed = copy.deepcopy(pyproject)
    changed["build-system"]["requires"] = ["setuptools>=80"]
    assert lockfile.problems(ROOT / "requirements.lock", changed, dev=False) != []


def test_other_tables_of_pyproject_leave_the_locks_in_step(pyproject: dict) -> None:
    changed = copy.deepcopy(pyproject)
    changed["tool"]["ruff"]["line-length"] = 100
    changed["project"]["description"] = "something else"
    assert lockfile.problems(ROOT / "requirements.lock", changed, dev=False) == []


def test_a_hand_edited_pin_outside_pyproject_is_refused(pyproject: dict, tmp_path: Path) -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    edited = re.sub(r"^django==5\.2\.\d+", "django==5.1.4", text, count=1, flags=re.MULTILINE)
    assert edited != text
    lock = tmp_path / "requirements.lock"
    lock.write_text(edited, encoding="utf-8")
    assert lockfile.problems(lock, pyproject, dev=False) == [
        "requirements.lock: django==5.1.4 is outside pyproject.toml's `django>=5.2,<5.3`"
    ]


def test_a_missing_lock_is_named(pyproject: dict, tmp_path: Path) -> None:
    assert lockfile.problems(tmp_path / "requirements.lock", pyproject, dev=False) == [
        "requirements.lock is missing: run `make lock`"
    ]


@pytest.mark.parametrize("name", LOCKS)
def test_django_stays_on_the_5_2_lts_line(name: str) -> None:
    assert _pins(name)["django"].startswith("5.2.")


@pytest.mark.parametrize("name", LOCKS)
def test_every_pin_carries_its_hashes(name: str) -> None:
    blocks = re.split(r"\n(?=[a-z0-9])", (ROOT / name).read_text(encoding="utf-8"))
    pinned = [block for block in blocks if re.match(r"[a-z0-9][a-z0-9._-]*==", block)]
    assert len(pinned) == len(_pins(name))
    assert [block.split()[0] for block in pinned if "--hash=sha256:" not in block] == []


def test_the_dev_lock_holds_the_same_versions_as_the_runtime_lock() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert {"pytest", "mypy", "ruff", "import-linter"} <= set(dev) - set(runtime)
