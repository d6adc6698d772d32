"""How many simple REST requests per second the Trackunit sandbox serves over keep-alive HTTP.

The sandbox stands in for Iris in the end-to-end tests and `make run`; if it were slower than the sync
engine's own limits, those runs would measure the sandbox instead of RentalBridge.
"""

import base64
import http.client
import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.harness import Row

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
REQUESTS_PER_WORKER = 1500
TIME_LIMIT_S = 30.0
TARGET_REQ_PER_S = 500


def _start() -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "manage.py", "trackunit_sandbox", "--port", "0", "--rate-limit-per-s", "0"]
    process = subprocess.Popen(
        [*command, "--assets", "200"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 30
    for line in process.stdout:
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, match.group(1)
        if time.monotonic() > deadline:
            break
    process.kill()
    raise RuntimeError("the sandbox did not start")


def _token(host: str, port: int) -> str:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    form = urlencode(
        {
            "grant_type": "password",
            "username": "api-user@sandbox.local",
            "password": "sandbox-password",
            "scope": "api",
        }
    )
    basic = base64.b64encode(b"rentalbridge-sandbox:sandbox-secret").decode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"}
    connection.request("POST", "/token", form, headers)
    return json.loads(connection.getresponse().read())["access_token"]


def _asset_ids(host: str, port: int, token: str) -> list[str]:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/api/asset/v1/assets?size=1000", headers={"Authorization": f"Bearer {token}"})
    return [a["id"] for a in json.loads(connection.getresponse().read())["content"]]


def _worker(host: str, port: int, token: str, ids: list[str], count: int, deadline: float) -> tuple[int, int]:
    """One keep-alive connection; returns (ok answers, other answers)."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"}
    ok = failed = 0
    for index in range(count):
        if time.time() > deadline:
            break
        connection.request("GET", f"/api/asset/v1/assets/{ids[index % len(ids)]}", headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            ok += 1
        else:
            failed += 1
    connection.close()
    return ok, failed


def run() -> list[Row]:
    process, url = _start()
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
        token = _token(host, port)
        ids = _asset_ids(host, port, token)
        deadline = time.time() + TIME_LIMIT_S
        started = time.perf_counter()
        with ProcessPoolExecutor(WORKERS) as pool:
            futures = [
                pool.submit(_worker, host, port, token, ids, REQUESTS_PER_WORKER, deadline)
                for _ in range(WORKERS)
            ]
            results = [f.result() for f in futures]
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    rate = ok / elapsed
    name = "sandbox_throughput"
    return [
        Row(
            name,
            f"GET asset by id, {WORKERS} keep-alive clients",
            rate,
            "req/s",
            f">= {TARGET_REQ_PER_S} req/s",
            rate >= TARGET_REQ_PER_S,
        ),
        Row(name, "non-200 answers", failed, "requests", "0", failed == 0),
    ]


if __name__ == "__main__":
    from bench.harness import format_table

    print(format_table(run()))
