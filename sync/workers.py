"""Which Celery queues a live worker consumes, so a job queued where nobody listens says so.

Work waits in Redis until a worker takes it; with no worker on its queue a run stays "Queued" forever
and looks the same as one about to start. Pages poll every second, so the answer (a broadcast that
waits its whole timeout for replies) is kept for a few seconds per process rather than asked each time.
"""

import threading
import time

from celery import Celery
from django.conf import settings
from kombu.exceptions import OperationalError

INSPECT_TIMEOUT_S = 1.0
KEEP_ANSWER_S = 10.0
# A run's pushes are queued by advance_run; an admin job by run_sync_job (CELERY_TASK_ROUTES).
PUSH_TASK = "sync.tasks.advance_run"
JOB_TASK = "sync.tasks.run_sync_job"

_lock = threading.Lock()
_answers: dict[str, tuple[float, frozenset[str]]] = {}


def _app(app: Celery | None) -> Celery:
    if app is not None:
        return app
    from rentalbridge.celery import app as project_app

    return project_app


def queue_of(task_name: str, app: Celery | None = None) -> str:
    """The queue CELERY_TASK_ROUTES sends `task_name` to (the default queue when it names none)."""
    route = settings.CELERY_TASK_ROUTES.get(task_name, {})
    return route.get("queue") or _app(app).conf.task_default_queue


def all_queues(app: Celery | None = None) -> list[str]:
    """Every queue the product sends work to: the default one first, then each routed one."""
    default = _app(app).conf.task_default_queue
    routed = sorted({route["queue"] for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route})
    return [default, *(queue for queue in routed if queue != default)]


def worker_command(app: Celery | None = None) -> str:
    """The command that starts a worker on every queue (the README and the Procfile say the same)."""
    return f"celery -A rentalbridge worker -Q {','.join(all_queues(app))}"


def live_queues(app: Celery | None = None, *, max_age_s: float = KEEP_ANSWER_S) -> frozenset[str]:
    """The queues some worker answering on the broker consumes now (an answer at most `max_age_s` old).

    Asked with a short timeout: a worker too busy to answer within it counts as absent for a moment,
    which only shows a warning early; a broker that cannot be reached counts as no worker at all.
    """
    app = _app(app)
    key = app.conf.broker_url or ""
    with _lock:
        kept = _answers.get(key)
        if kept is not None and time.monotonic() - kept[0] < max_age_s:
            return kept[1]
        try:
            replies = app.control.inspect(timeout=INSPECT_TIMEOUT_S).active_queues() or {}
        except (OSError, OperationalError):
            replies = {}
        queues = frozenset(queue["name"] for consumed in replies.values() for queue in consumed or [])
        _answers[key] = (time.monotonic(), queues)
        return queues


def no_consumer_warning(queue: str, app: Celery | None = None, *, max_age_s: float = KEEP_ANSWER_S) -> str:
    """A sentence saying no worker consumes `queue` and how to start one; "" when one does.

    Tasks run in the caller's process when CELERY_TASK_ALWAYS_EAGER is set: no worker is needed then.
    """
    app = _app(app)
    if app.conf.task_always_eager or queue in live_queues(app, max_age_s=max_age_s):
        return ""
    return (
        f"No Celery worker is consuming the '{queue}' queue, so this waits: start one with "
        f"`{worker_command(app)}`."
    )
