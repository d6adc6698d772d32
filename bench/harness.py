"""What every benchmark returns, and the table `make bench` prints.

A benchmark module under bench/ exposes `run() -> list[Row]`; bench/__main__.py runs them all (or the
ones named on the command line) and prints one table headed by the machine's figures.
"""

import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    benchmark: str
    metric: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None


def machine_figures() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def format_table(rows: list[Row]) -> str:
    header = ("benchmark", "metric", "value", "unit", "target", "result")
    lines = [
        (
            r.benchmark,
            r.metric,
            f"{r.value:,.2f}",
            r.unit,
            r.target,
            {True: "ok", False: "MISSED", None: ""}[r.ok],
        )
        for r in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines, strict=False)]
    fmt = "  ".join(f"{{:{'>' if i == 2 else '<'}{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def peak_rss_mb() -> float:
    """This process's peak resident memory since the last reset_peak_rss (the kernel's high-water mark)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def run_child(module: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """`python -m module args...` in a process of its own (so its time and peak memory are its own); the
    JSON object it prints last."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env if env is not None else os.environ,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])
