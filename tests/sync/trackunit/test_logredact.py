"""The log filter: what it takes out of a record (message, arguments, traceback) and where its secrets
come from (settings, values the client remembered)."""

import logging

import pytest

from sync.trackunit.exchange import REDACTED
from sync.trackunit.logredact import RedactSecrets, redact_handlers, remember_secrets


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.addFilter(RedactSecrets())
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log():
    """A logger of this test's own, not propagating, written by two filtered handlers."""
    logger = logging.getLogger("tests.logredact")
    first, second = Lines(), Lines()
    logger.addHandler(first)
    logger.addHandler(second)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, first.lines, second.lines
    logger.handlers.clear()
    logger.propagate = True


def test_arguments_are_formatted_then_redacted_and_a_second_handler_sees_the_same(log):
    logger, first, second = log
    logger.debug("Request headers were %s", {"Authorization": "Basic dXNlcjpzZWNyZXQtdmFsdWU="})
    assert first == [f"tests.logredact Request headers were {{'Authorization': '{REDACTED}'}}"]
    assert second == first


def test_a_traceback_loses_its_credentials(log):
    logger, lines, _ = log
    try:
        raise RuntimeError("refused: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload")
    except RuntimeError:
        logger.exception("call failed")
    assert "Traceback" in lines[0]
    assert "eyJhbGciOiJIUzI1NiJ9" not in lines[0]
    assert f"Authorization: {REDACTED}" in lines[0]


def test_remembered_tokens_are_scrubbed_wherever_they_appear(log):
    logger, lines, _ = log
    remember_secrets("tok-4b1e9f0c-remembered", None, "")
    logger.info("GET /api/assets/tok-4b1e9f0c-remembered/x")
    assert lines == [f"tests.logredact GET /api/assets/{REDACTED}/x"]


def test_configured_secrets_are_scrubbed_in_every_spelling(log, settings):
    logger, lines, _ = log
    settings.TRACKUNIT_PASSWORD = "p@ss w0rd!-9"
    settings.TRACKUNIT_CLIENT_SECRET = "client-secret-3c9a"
    logger.info("raw %s form %s json %s", "p@ss w0rd!-9", "p%40ss+w0rd%21-9", '"client-secret-3c9a"')
    assert lines == [f'tests.logredact raw {REDACTED} form {REDACTED} json "{REDACTED}"']


def test_a_record_whose_arguments_do_not_fit_is_still_written_clean(log):
    logger, lines, _ = log
    logger.info("token %s %s", "access_token=abcdef123456")
    assert len(lines) == 1
    assert "abcdef123456" not in lines[0]
    assert "arguments that do not fit" in lines[0]


def test_handlers_get_the_filter_once():
    logger = logging.getLogger("tests.logredact.celery")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        redact_handlers(logger)
        redact_handlers(logger)
        assert sum(isinstance(f, RedactSecrets) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)
