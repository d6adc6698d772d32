"""No secret in any log line: the Trackunit client at DEBUG against the sandbox, through LOGGING's handler.

Every record of every logger (ours, requests-oauthlib, oauthlib, urllib3) reaches the root logger at DEBUG
and is formatted by a handler built the way settings.LOGGING builds the console handler (its formatter
and its filters). The secrets searched for are those the sandbox was configured with and the tokens it
issued, never values the redaction code computes itself.
"""

import base64
import logging
import logging.config
import time

import pytest
from django.conf import settings as django_settings

from sync.trackunit.auth import Token
from sync.trackunit.client import TrackunitClient


class LinesHandler(logging.Handler):
    """Keeps every formatted line (tracebacks included) in memory."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def configured_like_console() -> LinesHandler:
    """A handler with the formatter and the filters settings.LOGGING gives its console handler."""
    config = django_settings.LOGGING
    console = config["handlers"]["console"]
    configurator = logging.config.DictConfigurator({})
    handler = LinesHandler()
    handler.setFormatter(logging.Formatter(config["formatters"][console["formatter"]]["format"]))
    for name in console.get("filters", []):
        handler.addFilter(configurator.configure_filter(dict(config["filters"][name])))
    return handler


@pytest.fixture
def debug_lines():
    """Every line logged anywhere in this process while the test runs, at DEBUG."""
    root = logging.getLogger()
    handler = configured_like_console()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


def basic_credentials(user: str, secret: str) -> str:
    # RFC 7617: base64 of "user-id:password".
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


def issued(client: TrackunitClient) -> list[str]:
    token = client.tokens.cached()
    assert token is not None
    return [value for value in (token.access_token, token.refresh_token) if value]


def test_no_secret_or_token_reaches_a_log_line_at_debug(sandbox, trackunit_settings, debug_lines):
    # Seeded so the first token requests fail and are retried: retry lines are searched too.
    sandbox.set_faults(error_rate=0.3, seed=9)
    tokens: list[str] = []

    # v1 password grant with offline_access, then a refresh of the expired token.
    trackunit_settings.TRACKUNIT_SCOPES = "api offline_access"
    client = TrackunitClient.from_settings()
    try:
        client.request_json("GET", "/customer/v1/customers")
        tokens += issued(client)
        first = client.tokens.cached()
        client.tokens.store(Token(first.access_token, time.time() - 1, first.lifetime, first.refresh_token))
        client.request_json("GET", "/customer/v1/customers")
        tokens += issued(client)
    finally:
        client.close()

    # v2 client_credentials grant with a scoped API key.
    trackunit_settings.TRACKUNIT_AUTH_FLOW = "client_credentials"
    trackunit_settings.TRACKUNIT_CLIENT_ID = sandbox.api_key_id
    trackunit_settings.TRACKUNIT_CLIENT_SECRET = sandbox.api_key_secret
    trackunit_settings.TRACKUNIT_SCOPES = "customers"
    client = TrackunitClient.from_settings()
    try:
        client.request_json("GET", "/customer/v1/customers")
        tokens += issued(client)
    finally:
        client.close()

    grants = [e["body"].get("grant_type") for e in sandbox.requests() if e["path"].startswith("/token")]
    assert {"password", "refresh_token", "client_credentials"} <= set(grants)
    assert len(set(tokens)) >= 4, "a login, a refresh (new access and refresh tokens) and a v2 token"
    secrets = {
        "client secret": sandbox.client_secret,
        "password": sandbox.password,
        "API key secret": sandbox.api_key_secret,
        "Basic credentials (v1)": basic_credentials(sandbox.client_id, sandbox.client_secret),
        "Basic credentials (v2)": basic_credentials(sandbox.api_key_id, sandbox.api_key_secret),
        **{f"issued token {n}": token for n, token in enumerate(tokens, 1)},
    }
    leaks = [(name, line) for line in debug_lines for name, value in secrets.items() if value in line]
    assert leaks == []
    # The lines that used to carry them were logged, redacted: the search above was not over an empty log.
    text = "\n".join(debug_lines)
    assert "Request headers were" in text
    assert "Obtained token" in text
    assert "refresh token request body" in text
    assert "retrying in" in text
    assert "[REDACTED]" in text
    print(f"{len(debug_lines)} log lines searched for {len(secrets)} secrets and tokens")
