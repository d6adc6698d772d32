"""Log records lose every credential before any handler writes them, whoever logged them.

requests-oauthlib logs the token request's Basic header, the password and the issued tokens at DEBUG;
urllib3 and Celery log URLs and task details. So the redaction sits on the handlers, not on our loggers:
a filter on every handler of settings.LOGGING and on the handlers Celery installs when it sets up a
worker's or beat's logging, where it replaces Django's. It reuses the audit trail's Redactor
(exchange.py): credential headers, Bearer/Basic credentials and secret-named fields by
pattern, then the literal values: the configured secrets and every secret or token the Trackunit client
has told this process about (`remember_secrets`), for the places no pattern can recognise.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from celery.signals import after_setup_logger, after_setup_task_logger
from celery.utils.log import get_multiprocessing_logger

from sync.trackunit.exchange import Redactor, basic_credentials

# Settings whose values are secrets outright; the Basic credential, database and broker passwords are
# derived from the others.
SECRET_SETTINGS = ("TRACKUNIT_CLIENT_SECRET", "TRACKUNIT_PASSWORD", "SECRET_KEY")
URL_SETTINGS = ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
# Tokens are renewed for as long as a worker lives; keeping the latest few bounds memory and scrub time.
_REMEMBERED_MAX = 256

_lock = threading.Lock()
_remembered: OrderedDict[str, None] = OrderedDict()
_generation = 0
_cached: tuple[tuple[Any, ...], Redactor] | None = None


def remember_secrets(*values: str | None) -> None:
    """Scrubs `values` (a client's credentials, the tokens it obtains) from every later log line."""
    global _generation
    with _lock:
        for value in values:
            if not value:
                continue
            if value in _remembered:
                _remembered.move_to_end(value)
                continue
            _remembered[value] = None
            _generation += 1
            while len(_remembered) > _REMEMBERED_MAX:
                _remembered.popitem(last=False)


def configured_secrets() -> tuple[str, ...]:
    """The secret values in Django's settings (read each time: tests and reloads change them)."""
    from django.conf import settings

    if not settings.configured:
        return ()
    values = [str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS]
    client_id = str(getattr(settings, "TRACKUNIT_CLIENT_ID", "") or "")
    if values[0]:
        values.append(basic_credentials(client_id, values[0]))
    values += [str(db.get("PASSWORD") or "") for db in getattr(settings, "DATABASES", {}).values()]
    for name in URL_SETTINGS:
        try:
            values.append(urlsplit(str(getattr(settings, name, "") or "")).password or "")
        except ValueError:
            continue
    return tuple(value for value in values if value)


def current_redactor() -> Redactor:
    """A Redactor for today's secrets, rebuilt only when they changed."""
    global _cached
    key = (configured_secrets(), _generation)
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock:
        remembered = list(_remembered)
    redactor = Redactor([*key[0], *remembered])
    _cached = (key, redactor)
    return redactor


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, traceback and stack without credentials; never drops a record.

    The formatted message replaces `msg` and `args`, so every later handler and formatter sees the clean
    text; applying it twice changes nothing.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = current_redactor()
        try:
            message = record.getMessage()
        except Exception:
            # The handler would report the broken call with its raw arguments; report it clean instead.
            message = f"{record.msg!s} (arguments that do not fit the message: {record.args!r})"
        record.msg, record.args = redactor.text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redactor.text(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.text(record.stack_info)
        return True


def redact_handlers(logger: logging.Logger) -> None:
    """Puts the filter on each of `logger`'s handlers that lacks it."""
    for handler in logger.handlers:
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(RedactSecrets())


@after_setup_logger.connect
def _redact_celery_root_handlers(logger: logging.Logger, **_: Any) -> None:
    # Celery replaced LOGGING's handlers on the root logger (and set up the multiprocessing one).
    redact_handlers(logger)
    multiprocessing_logger = get_multiprocessing_logger()
    if multiprocessing_logger is not None:
        redact_handlers(multiprocessing_logger)


@after_setup_task_logger.connect
def _redact_celery_task_handlers(logger: logging.Logger, **_: Any) -> None:
    redact_handlers(logger)
