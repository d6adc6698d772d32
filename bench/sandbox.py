"""The Trackunit sandbox as the benchmarks start it: its own process on a free port, its URL read from
the line it prints once it listens."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"listening on (http://\S+)")


def start_sandbox(
    *,
    rate_limit_per_s: float,
    assets: int | None = None,
    foreign_assets: int | None = None,
    request_log_size: int | None = None,
) -> tuple[subprocess.Popen, str]:
    """The running sandbox and its base URL; options left as None keep the sandbox's defaults."""
    command = [sys.executable, "manage.py", "trackunit_sandbox", "--port", "0"]
    command += ["--rate-limit-per-s", str(rate_limit_per_s)]
    if request_log_size is not None:
        command += ["--request-log-size", str(request_log_size)]
    if assets is not None:
        command += ["--assets", str(assets)]
    if foreign_assets is not None:
        command += ["--foreign-assets", str(foreign_assets)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        found = LISTENING.search(line)
        if found:
            return process, found.group(1)
    process.kill()
    raise RuntimeError("the sandbox did not start")
