"""How many REST requests per second the Trackunit sandbox serves over keep-alive HTTP.

The sandbox stands in for Iris in the end-to-end tests, the push benchmarks and `make run`; if it were
slower than the sync engine's own limits, those runs would measure the sandbox instead of RentalBridge.
Two loads: reading an asset by id (200 assets), and rental synchronisations of a 10,000-asset fleet (each
with one contract item, its contract and customer), first as creates and then again once the sandbox holds
10,000 rental records, 10,000 items, 1,000 contracts and 100 customers: the path a full resync takes, which
the sandbox answers from indexes kept at write time rather than by scanning its records.
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
FLEET = 10_000
TARGET_RENTAL_PER_S = 300


def _start(assets: int = 200) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "manage.py", "trackunit_sandbox", "--port", "0", "--rate-limit-per-s", "0"]
    command += ["--assets", str(assets), "--foreign-assets", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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


def _serial_numbers(host: str, port: int, token: str) -> list[str]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    serials: list[str] = []
    for page in range(FLEET // 1000):
        url = f"/api/asset/v1/assets?size=1000&page={page}"
        connection.request("GET", url, headers={"Authorization": f"Bearer {token}"})
        serials += [a["serialNumber"] for a in json.loads(connection.getresponse().read())["content"]]
    return serials


def _rental_body(number: int, serial: str, status: str) -> bytes:
    """One asset's rental data as the push sends it: 1,000 contracts of 10 items, 100 customers."""
    contract = {
        "externalReference": f"RC-{number % 1000:04d}",
        "contractStatus": "OPEN",
        "startDate": "2026-01-01T00:00:00Z",
        "customer": {"externalReference": f"CUS-{number % 100:03d}", "name": f"Customer {number % 100}"},
    }
    item = {
        "externalReference": f"{number // 1000:03d}",
        "onRentDate": "2026-03-01T08:00:00Z",
        "offRentDate": "2026-03-31T17:00:00Z",
        "rentalRate": {"unitPrice": 120 + number % 50, "currency": "EUR", "period": "DAILY"},
        "contract": contract,
    }
    body = {
        "identifierType": "SERIAL_NUMBER",
        "identifier": serial,
        "externalReference": f"FLT-{number:06d}",
        "rentalStatus": status,
        "contractItems": [item],
    }
    return json.dumps(body).encode()


def _rental_worker(host: str, port: int, token: str, bodies: list[bytes], deadline: float) -> tuple[int, int]:
    """One keep-alive connection posting rental synchronisations; returns (accepted, other answers)."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ok = failed = 0
    for body in bodies:
        if time.time() > deadline:
            break
        connection.request("POST", "/api/rental/v1/synchronization", body, headers)
        response = connection.getresponse()
        response.read()
        if response.status in (200, 202):
            ok += 1
        else:
            failed += 1
    connection.close()
    return ok, failed


def _rental_round(host: str, port: int, token: str, bodies: list[bytes]) -> tuple[float, int]:
    """All bodies over WORKERS connections at once; returns (accepted per second, other answers)."""
    deadline = time.time() + 120
    started = time.perf_counter()
    with ProcessPoolExecutor(WORKERS) as pool:
        shares = [bodies[index::WORKERS] for index in range(WORKERS)]
        results = [
            f.result()
            for f in [pool.submit(_rental_worker, host, port, token, share, deadline) for share in shares]
        ]
    elapsed = time.perf_counter() - started
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results)


def _rental_rows() -> list[Row]:
    process, url = _start(FLEET)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
        token = _token(host, port)
        serials = _serial_numbers(host, port, token)
        first, first_failed = _rental_round(
            host, port, token, [_rental_body(n, s, "ON_RENT") for n, s in enumerate(serials)]
        )
        again, again_failed = _rental_round(
            host, port, token, [_rental_body(n, s, "OFF_RENT") for n, s in enumerate(serials)]
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    name = "sandbox_throughput"
    clients = f"{WORKERS} keep-alive clients"
    return [
        Row(name, f"rental sync, {FLEET:,} new records, {clients}", first, "req/s"),
        Row(
            name,
            f"rental sync, {FLEET:,} records stored, {clients}",
            again,
            "req/s",
            f">= {TARGET_RENTAL_PER_S} req/s",
            again >= TARGET_RENTAL_PER_S,
        ),
        Row(
            name,
            "rental sync: non-2xx answers",
            first_failed + again_failed,
            "requests",
            "0",
            first_failed + again_failed == 0,
        ),
    ]


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
        *_rental_rows(),
    ]


if __name__ == "__main__":
    from bench.harness import format_table

    print(format_table(run()))
