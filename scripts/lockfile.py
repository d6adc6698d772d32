"""Write and check the hashed lock files (`make lock`, `make lint`).

Two locks, both resolved by uv against PyPI from pyproject.toml:

- requirements.lock: what the product runs on (`make run`, a production server), plus the build backend
  that installs the project itself, so nothing outside the lock is fetched;
- requirements-dev.lock: the same pins (resolved with requirements.lock as constraints) plus the test and
  lint tools (`make test`, `make bench`, `make lint`, CI).

Each lock's header carries a digest of the pyproject.toml tables it was resolved from. `check` compares it,
so a change to the dependency lists without `make lock` fails `make lint` the same way today and next year
(a fresh resolution would also differ whenever anything new is published). It also checks that every pin
still satisfies pyproject.toml, which a hand-edited lock might not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
DIGEST_PREFIX = "# pyproject-digest: "
# The interpreter the project runs on (pyproject's requires-python); the resolution is universal, so the
# locks install on Linux, macOS and Windows alike.
PYTHON_VERSION = "3.11"


def _tables(pyproject: Path) -> dict:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))


def _inputs(data: dict, *, dev: bool) -> dict:
    """The parts of pyproject.toml a lock is resolved from: change any, and that lock is out of step."""
    project = data["project"]
    return {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "dev": project.get("optional-dependencies", {}).get("dev", []) if dev else [],
        "build-system": data.get("build-system", {}).get("requires", []),
    }


def digest(data: dict, *, dev: bool) -> str:
    canonical = json.dumps(_inputs(data, dev=dev), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _compile(lock: Path, data: dict, *, dev: bool, upgrade: list[str]) -> None:
    uv = Path(sys.executable).with_name("uv")
    build_requires = "\n".join(data.get("build-system", {}).get("requires", [])) + "\n"
    command = [
        str(uv), "pip", "compile", "pyproject.toml", "-",
        "--generate-hashes", "--universal", "--python-version", PYTHON_VERSION,
        "--index-url", "https://pypi.org/simple", "--no-config",
        "--custom-compile-command", "make lock", "--quiet",
        "-o", str(lock.relative_to(ROOT)),
    ]  # fmt: skip
    if dev:
        command += ["--extra", "dev", "--constraint", str(RUNTIME_LOCK.relative_to(ROOT))]
    if upgrade == ["all"]:
        command.append("--upgrade")
    for package in upgrade:
        if package != "all":
            command += ["--upgrade-package", package]
    # The build backend comes in on standard input: pyproject.toml's [build-system] is not a dependency list.
    subprocess.run(command, input=build_requires, text=True, cwd=ROOT, check=True)
    text = lock.read_text(encoding="utf-8")
    header, _, body = text.partition("\n#    make lock\n")
    lock.write_text(
        f"{header}\n#    make lock\n"
        f"# From pyproject.toml: dependencies{', the dev extra' if dev else ''} and the build backend "
        "(setuptools).\n"
        f"{DIGEST_PREFIX}{digest(data, dev=dev)}\n{body}",
        encoding="utf-8",
    )


def write(upgrade: list[str]) -> None:
    data = _tables(PYPROJECT)
    _compile(RUNTIME_LOCK, data, dev=False, upgrade=upgrade)
    _compile(DEV_LOCK, data, dev=True, upgrade=upgrade)


def _pins(lock_text: str) -> dict[str, str]:
    pins = {}
    for line in lock_text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and "==" in line:
            name, _, rest = line.partition("==")
            pins[_normalise(name)] = rest.split()[0].rstrip("\\;")
    return pins


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def problems(lock: Path, data: dict, *, dev: bool) -> list[str]:
    """What is wrong with one lock, as lines a person can act on (empty: in step)."""
    from packaging.requirements import Requirement

    name = lock.name
    if not lock.exists():
        return [f"{name} is missing: run `make lock`"]
    text = lock.read_text(encoding="utf-8")
    headers = [
        line.removeprefix(DIGEST_PREFIX) for line in text.splitlines() if line.startswith(DIGEST_PREFIX)
    ]
    recorded = headers[0] if headers else None
    if recorded != digest(data, dev=dev):
        return [f"{name} is out of step with pyproject.toml (its dependencies changed): run `make lock`"]
    pins = _pins(text)
    found = []
    inputs = _inputs(data, dev=dev)
    for spec in inputs["dependencies"] + inputs["dev"] + inputs["build-system"]:
        requirement = Requirement(spec)
        pinned = pins.get(_normalise(requirement.name))
        if pinned is None:
            found.append(f"{name}: {requirement.name} is not pinned: run `make lock`")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            found.append(f"{name}: {requirement.name}=={pinned} is outside pyproject.toml's `{spec}`")
    return found


def check() -> int:
    data = _tables(PYPROJECT)
    found = problems(RUNTIME_LOCK, data, dev=False) + problems(DEV_LOCK, data, dev=True)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write_parser = commands.add_parser("write", help="resolve both locks, keeping current pins")
    write_parser.add_argument(
        "--upgrade",
        nargs="*",
        default=[],
        metavar="PACKAGE",
        help="move these to their newest ('all': every one)",
    )
    commands.add_parser("check", help="fail when a lock is out of step with pyproject.toml")
    args = parser.parse_args()
    if args.command == "write":
        write(args.upgrade)
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
