"""The worker's watchdog: a thread per worker process that renews its leases and resumes lost runs.

Every SYNC_HEARTBEAT_S it pushes out the leases and claims this process holds (sync/leases.py), then
looks for runs nobody holds any more: their worker was killed, or Redis lost their messages. Such a run
is resumed from the database, so a run left behind by a dead worker finishes SYNC_LEASE_S (plus a
heartbeat) after its last renewal as soon as any worker runs, instead of after the broker's
visibility timeout. It also closes runs that made no progress for SYNC_STALLED_AFTER_S, removes plans
whose planner died mid-plan and closes sync jobs whose worker died as failed.
Its first round runs at once, so a freshly started worker picks up what it finds straight away.
"""

import logging
import os
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection

from sync import apply, leases, plan, service, worker_client

log = logging.getLogger(__name__)

_lock = threading.Lock()
_running: "Watchdog | None" = None


class Watchdog(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="sync-watchdog", daemon=True)
        self.interval = interval
        self.pid = os.getpid()
        self._stopped = threading.Event()

    def run(self) -> None:
        while True:
            beat()
            if self._stopped.wait(self.interval):
                break
        connection.close()

    def stop(self) -> None:
        self._stopped.set()


def beat() -> None:
    """One round: renew, close hopeless runs, resume lost ones. A failing round is logged and retried."""
    try:
        close_old_connections()
        leases.renew_held()
        apply.abandon_stalled_runs(timedelta(seconds=settings.SYNC_STALLED_AFTER_S))
        plan.remove_abandoned_plans()
        service.fail_lost_jobs()
        apply.resume_lost_runs()
    except Exception:
        # The database or the broker may be away for a moment; the next round tries again.
        log.exception("sync watchdog round failed")
        connection.close()


def start() -> None:
    """Start this process's watchdog (once per process; a forked child starts its own)."""
    global _running
    with _lock:
        if _running is not None and _running.pid == os.getpid() and _running.is_alive():
            return
        _running = Watchdog(settings.SYNC_HEARTBEAT_S)
        _running.start()


def stop() -> None:
    global _running
    with _lock:
        if _running is not None and _running.pid == os.getpid():
            _running.stop()
        _running = None
    worker_client.close()
