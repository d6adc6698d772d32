"""How the services below hand work to Celery without importing the task module above them.

Tasks (sync/tasks.py) are thin shells that call services; services queue follow-up work by the task's
registered name, so no module under the tasks imports them and nothing imports in a circle. The task is
looked up in the Celery app's registry (not sent blind by name) so eager mode and the tests' queues,
which patch the task's apply_async, behave as they would for a direct call.
"""

from typing import Any

from celery import current_app

TASKS_MODULE = "sync.tasks"


def enqueue(task: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Queue `sync.tasks.<task>` with these arguments (after `countdown` seconds, when given)."""
    options: dict[str, Any] = {}
    if args:
        options["args"] = args
    if kwargs:
        options["kwargs"] = kwargs
    if countdown is not None:
        options["countdown"] = countdown
    name = f"{TASKS_MODULE}.{task}"
    if name not in current_app.tasks:
        # A process that never imported the tasks (the web server, a command) finds them as a worker does
        # at start: by Celery's autodiscovery.
        current_app.loader.import_default_modules()
    current_app.tasks[name].apply_async(**options)
