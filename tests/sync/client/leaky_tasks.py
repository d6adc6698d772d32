"""Tasks that try to leak a secret through every path a Celery worker logs, for test_log_handlers.py.

Loaded only by the worker that test starts (`celery worker --include tests.sync.client.leaky_tasks`).
"""

import logging

from celery.utils.log import get_task_logger

from rentalbridge.celery import app
from sync.trackunit.logredact import RedactSecrets

MARKER = "leak-test-marker"


@app.task(name="tests.leaky.log_secret")
def log_secret(secret: str) -> None:
    """The secret as a task argument (logged by Celery at DEBUG), in a third-party library's DEBUG line,
    in the task logger, on stdout (redirected to the log) and in the message of a failure's traceback."""
    logging.getLogger("requests_oauthlib.oauth2_session").debug(
        "%s Request body was grant_type=password&password=%s", MARKER, secret
    )
    get_task_logger(__name__).info("%s task logger: %s", MARKER, secret)
    print(f"{MARKER} stdout: {secret}")
    raise RuntimeError(f"{MARKER} failed with {secret}")


@app.task(name="tests.leaky.unfiltered_handlers")
def unfiltered_handlers() -> list[str]:
    """Every handler in this worker that would write a record without the redaction filter."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return [
        f"{getattr(logger, 'name', '?')}: {handler!r}"
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        if not isinstance(handler, logging.NullHandler)
        and not any(isinstance(f, RedactSecrets) for f in handler.filters)
    ]
