"""The fault suite: a worker SIGKILLed mid-apply, Redis restarted mid-run, a sandbox that fails, hangs and
storms. Each time every change is applied or cleanly refused, Trackunit holds no duplicate, and every
attempt the sandbox received has its audit row.

Real parts only: Celery worker subprocesses, a private redis-server the test kills and restarts, the
demo-fleet sandbox over HTTP, PostgreSQL; the plan is applied by `manage.py sync_apply` in its own
process. Leases, heartbeats and client timeouts are set short so the suite stays fast (the production
values are in the README); each wait is bounded.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.core.management import call_command

from sync.models import OperationStatus, RunStatus, SyncAttempt, SyncRun
from sync.plan import make_plan
from sync.service import DONE
from tests.e2e.test_sync_e2e import assert_trackunit_holds_the_local_records
from tests.fixtures.celery_worker import (
    CeleryWorkerHandle,
    allow_audit_truncate,
    database_url_for,
    start_worker,
)
from tests.fixtures.sandbox import SandboxHandle, start_sandbox

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# The bound: a run left behind by a killed worker finishes within 2 minutes of a worker being back.
RECOVERY_BOUND_S = 120.0
RUN_TIMEOUT_S = 120.0
CONCURRENCY = 4
FAST_RECOVERY = {
    "SYNC_HEARTBEAT_S": "0.5",
    "SYNC_LEASE_S": "3",
    "TRACKUNIT_CONNECT_TIMEOUT_S": "1",
    "TRACKUNIT_READ_TIMEOUT_S": "1",
    "TRACKUNIT_BACKOFF_BASE_S": "0.05",
    "TRACKUNIT_BACKOFF_MAX_S": "0.5",
}


class RedisServer:
    """A private redis-server without persistence: a restart loses every queued and unacked message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    pytest.fail("the private redis-server did not start")
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def fault_sandbox() -> Iterator[SandboxHandle]:
    handle = start_sandbox("--demo-fleet", "--rate-limit-per-s", "0")
    yield handle
    handle.stop()


@pytest.fixture
def workers() -> Iterator[list[CeleryWorkerHandle]]:
    started: list[CeleryWorkerHandle] = []
    yield started
    for worker in started:
        worker.stop()
        worker.log_path.unlink(missing_ok=True)


@pytest.fixture
def fleet(transactional_db, roles, fault_sandbox, redis_server) -> dict[str, str]:
    """The demo company's data, a reset sandbox, and the environment every process of the test shares."""
    allow_audit_truncate()
    fault_sandbox.reset()
    call_command("seed_demo", password="faults-pass-123")
    return {
        **fault_sandbox.client_environment(),
        **FAST_RECOVERY,
        "TRACKUNIT_REDIS_PREFIX": f"faults-{uuid.uuid4().hex[:8]}",
        "REDIS_URL": redis_server.url,
    }


def start(
    workers: list[CeleryWorkerHandle], environment: dict[str, str], name: str, concurrency: int = CONCURRENCY
) -> CeleryWorkerHandle:
    worker = start_worker(
        redis_url=environment["REDIS_URL"], environment=environment, concurrency=concurrency, name=name
    )
    workers.append(worker)
    return worker


def sync_apply(environment: dict[str, str]) -> SyncRun:
    """Plan afresh and apply, as an operator does from a shell (`manage.py sync_apply`)."""
    from django.db import connection

    env = {**os.environ, **environment, "DATABASE_URL": database_url_for(connection.settings_dict)}
    done = subprocess.run(
        [sys.executable, "manage.py", "sync_apply"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return SyncRun.objects.get(pk=int(re.search(r"Applying plan #(\d+)", done.stdout).group(1)))


def wait_until(
    condition: Callable[[], object], timeout: float, what: str, worker: CeleryWorkerHandle
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {timeout:.0f}s; worker log:\n{worker.log()[-4000:]}")
        time.sleep(0.05)


def finished(run: SyncRun) -> bool:
    return SyncRun.objects.filter(pk=run.pk, status__in=DONE).exists()


def done_count(run: SyncRun) -> int:
    return run.operations.exclude(status=OperationStatus.PENDING).count()


def request_marker(sandbox: SandboxHandle) -> int:
    """The id of a request made now: the sandbox's log ids count every request made after it."""
    sandbox.fetch_token_v1()
    return sandbox.requests()[-1]["id"]


def requests_since(sandbox: SandboxHandle, marker: int) -> int:
    entries = sandbox.requests(marker)
    return entries[-1]["id"] - marker if entries else 0


def assert_no_duplicates(sandbox: SandboxHandle) -> None:
    state = sandbox.state()
    identities = {
        "customers": lambda r: r.get("externalReference"),
        "sites": lambda r: r.get("externalReference"),
        "contacts": lambda r: (r["customerId"], r["name"]),
        "custom_field_definitions": lambda r: r.get("key"),
        "custom_field_values": lambda r: (r["entityId"], r["definitionKey"]),
    }
    for kind, identity in identities.items():
        counts = Counter(identity(record) for record in state[kind])
        duplicated = {key: n for key, n in counts.items() if n > 1 and key is not None}
        assert duplicated == {}, f"duplicate {kind} at Trackunit"
    # The sandbox refuses a second customer or site with one reference (409): none was even tried.
    assert not SyncAttempt.objects.filter(status_code=409).exists()


def assert_everything_applied(sandbox: SandboxHandle) -> None:
    assert_trackunit_holds_the_local_records(sandbox)
    assert make_plan(trigger="check").operations.count() == 0


def report(**figures: object) -> None:
    print("\nFAULT-SUITE " + " ".join(f"{name}={value}" for name, value in figures.items()))


def test_a_worker_killed_mid_apply_is_resumed_by_its_restart_without_duplicates(
    fleet, fault_sandbox, workers
):
    fault_sandbox.set_faults(latency_ms=5)  # requests in flight when the worker dies
    marker = request_marker(fault_sandbox)
    doomed = start(workers, fleet, "doomed")
    run = sync_apply(fleet)
    total = run.operations.count()
    wait_until(lambda: done_count(run) >= total // 4, RUN_TIMEOUT_S, "a quarter of the run", doomed)

    doomed.kill()
    done_at_kill = done_count(run)
    assert not finished(run)
    restarted = start(workers, fleet, "restarted")
    ready = time.monotonic()
    wait_until(lambda: finished(run), RECOVERY_BOUND_S, "the run's end after the restart", restarted)
    recovery_s = time.monotonic() - ready

    run.refresh_from_db()
    report(
        scenario="worker_sigkill",
        operations=total,
        done_at_kill=done_at_kill,
        recovery_s=f"{recovery_s:.1f}",
        status=run.status,
    )
    assert run.status == RunStatus.SUCCEEDED, run.message
    # What the dead worker held came back through the lease, not through the broker (which keeps it for
    # its visibility timeout, an hour).
    assert f"sync run {run.pk} lost its tasks" in restarted.log()
    assert_everything_applied(fault_sandbox)
    assert_no_duplicates(fault_sandbox)
    # Only the exchanges in flight when the worker died (one per thread at most) can lack their row.
    unaudited = requests_since(fault_sandbox, marker) - SyncAttempt.objects.count()
    assert 0 <= unaudited <= CONCURRENCY


def test_a_redis_restarted_mid_run_loses_its_queues_but_not_the_run(
    fleet, fault_sandbox, workers, redis_server
):
    fault_sandbox.set_faults(latency_ms=5)
    marker = request_marker(fault_sandbox)
    worker = start(workers, fleet, "survivor")
    run = sync_apply(fleet)
    total = run.operations.count()
    wait_until(lambda: done_count(run) >= total // 4, RUN_TIMEOUT_S, "a quarter of the run", worker)

    redis_server.restart()
    restarted_at = time.monotonic()
    assert not finished(run)
    wait_until(lambda: finished(run), RUN_TIMEOUT_S, "the run's end after Redis came back", worker)

    run.refresh_from_db()
    report(
        scenario="redis_restart", operations=total, finished_after_s=f"{time.monotonic() - restarted_at:.1f}"
    )
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert f"sync run {run.pk} lost its tasks" in worker.log()
    assert_everything_applied(fault_sandbox)
    assert_no_duplicates(fault_sandbox)
    assert requests_since(fault_sandbox, marker) == SyncAttempt.objects.count()


def test_a_failing_hanging_storming_trackunit_gets_every_change_or_a_clean_refusal(
    fleet, fault_sandbox, workers
):
    environment = {
        **fleet,
        # Storms answer Retry-After: 1, longer than the client waits here: the chunk is rescheduled instead.
        "TRACKUNIT_MAX_RETRY_AFTER_S": "0.5",
        "TRACKUNIT_READ_TIMEOUT_S": "0.5",
        "TRACKUNIT_BACKOFF_BASE_S": "0.02",
        "TRACKUNIT_BACKOFF_MAX_S": "0.2",
        # Small chunks over more threads, so a hung request holds up few operations.
        "SYNC_CHUNK_SIZE": "5",
    }
    marker = request_marker(fault_sandbox)
    worker = start(workers, environment, "weathered", concurrency=8)
    fault_sandbox.set_faults(error_rate=0.2, hang_rate=0.1, hang_ms=1000, storm_429_rate=0.05, seed=10)

    runs = []
    for _ in range(8):
        run = sync_apply(environment)
        runs.append(run)
        wait_until(lambda run=run: finished(run), RUN_TIMEOUT_S, f"run #{run.pk}", worker)
        run.refresh_from_db()
        refused = run.operations.exclude(status=OperationStatus.SUCCEEDED)
        # Cleanly refused: each says why, and its record is planned again.
        assert not refused.filter(error_code="").exists()
        assert not refused.filter(error_message="").exists()
        if run.status == RunStatus.SUCCEEDED:
            break
    assert runs[-1].status == RunStatus.SUCCEEDED, [r.message for r in runs]
    fault_sandbox.set_faults(error_rate=0.0, hang_rate=0.0, storm_429_rate=0.0)

    assert_everything_applied(fault_sandbox)
    assert_no_duplicates(fault_sandbox)
    # A hung request is logged by the sandbox once it gives up on it, after the client has.
    deadline = time.monotonic() + 10
    while (
        requests_since(fault_sandbox, marker) != SyncAttempt.objects.count() and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert requests_since(fault_sandbox, marker) == SyncAttempt.objects.count()

    logged = fault_sandbox.requests(marker)
    injected = Counter(
        "hang_or_drop" if r["dropped"] else str(r["status"])
        for r in logged
        if r["dropped"] or r["status"] in (429, 500, 503)
    )
    report(
        scenario="sandbox_faults",
        runs=len(runs),
        seconds=[round((r.finished_at - r.applied_at).total_seconds(), 1) for r in runs],
        requests=requests_since(fault_sandbox, marker),
        faults=dict(injected),
        operations=sum(r.operations.count() for r in runs),
        refused=sum(r.operations.exclude(status=OperationStatus.SUCCEEDED).count() for r in runs),
    )
    assert sum(injected.values()) > 0
