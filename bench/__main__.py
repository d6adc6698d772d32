"""`make bench`: run every benchmark, or those named, and print one table with the machine's figures.

Benchmarks that touch the database declare `DATABASES = ("postgresql", "sqlite")`; each database runs in a
child process of its own (bench/child.py) because Django reads its settings once per process.
"""

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

from bench.harness import Row, format_table, machine_figures


def discover() -> list[str]:
    """The modules of bench/ that define `run()`; the others (harness, child, sandbox) are their tools."""
    folder = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name != "__main__")
    return [
        name for name in names if callable(getattr(importlib.import_module(f"bench.{name}"), "run", None))
    ]


def run_child(name: str, database: str) -> list[Row]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.child", name, database],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        return [Row(name, f"crashed ({database})", result.returncode, "exit code", ok=False)]
    return [Row(**row) for row in json.loads(lines[-1])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(discover())})"
    )
    names = parser.parse_args().names or discover()
    rows: list[Row] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for database in getattr(module, "DATABASES", ("sqlite",)):
            print(f"running {name} on {database}...", file=sys.stderr, flush=True)
            rows += run_child(name, database)
    print(f"\nMachine: {machine_figures()}\n")
    print(format_table(rows))
    return 1 if any(row.ok is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
