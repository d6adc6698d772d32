"""The redaction filter is on every handler: in a process Django set up, and in a Celery worker, where
Celery replaces Django's handlers with its own when it starts."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from rentalbridge.celery import app
from tests.sync.client import leaky_tasks

ROOT = Path(__file__).resolve().parents[3]
SECRET = "configured-secret-6f1d2c"
PASSWORD = "configured-password-93ab"
WORKER_START_S = 30.0

UNFILTERED_HANDLERS = """
import logging, django
django.setup()
from sync.trackunit.logredact import RedactSecrets
loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
for logger in loggers:
    for handler in getattr(logger, "handlers", []):
        if not isinstance(handler, logging.NullHandler) and not any(
            isinstance(f, RedactSecrets) for f in handler.filters
        ):
            print("UNFILTERED", logger.name, repr(handler))
logging.getLogger("requests_oauthlib").warning("password=%s and %s", "{password}", "{secret}")
logging.getLogger("django.request").error("client secret %s", "{secret}")
"""


def environment(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rentalbridge.settings",
        "TRACKUNIT_CLIENT_SECRET": SECRET,
        "TRACKUNIT_PASSWORD": PASSWORD,
        "LOG_LEVEL": "DEBUG",
        **extra,
    }


def test_every_handler_django_configures_redacts():
    script = UNFILTERED_HANDLERS.format(secret=SECRET, password=PASSWORD)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "UNFILTERED" not in done.stdout
    assert SECRET not in done.stdout + done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert "password=[REDACTED]" in done.stderr
    assert "client secret [REDACTED]" in done.stderr


@pytest.fixture
def leaky_worker(tmp_path):
    """A real `celery worker` at DEBUG on a queue of its own, with the leaky tasks loaded."""
    queue = f"leaky-{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@%h"
    log_path = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "rentalbridge", "worker", "--pool", "solo"]
    command += ["--loglevel", "DEBUG", "-Q", queue, "-n", hostname, "-I", leaky_tasks.__name__]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment(CELERY_TASK_ALWAYS_EAGER="false"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + WORKER_START_S
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.1)
        yield queue, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_celery_worker_redacts_what_tasks_libraries_and_celery_log(leaky_worker):
    queue, log_path = leaky_worker
    unfiltered = app.send_task("tests.leaky.unfiltered_handlers", queue=queue).get(timeout=30)
    assert unfiltered == []
    failed = app.send_task("tests.leaky.log_secret", args=[PASSWORD], queue=queue)
    assert isinstance(failed.get(timeout=30, propagate=False), RuntimeError)

    # Celery stores the result before it logs the failure: wait for the log line too.
    deadline = time.monotonic() + 10
    while "raised unexpected" not in log_path.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.1)
    log = log_path.read_text(errors="replace")
    # Each path was logged (task arguments, library DEBUG, task logger, stdout, traceback), redacted.
    assert log.count(leaky_tasks.MARKER) >= 4
    assert "Traceback" in log
    assert PASSWORD not in log
    assert SECRET not in log
