"""The audit trail: every HTTP exchange with Trackunit becomes an append-only SyncAttempt.

The client hands each attempt (already redacted) to a callback; the recorder ties it to the run and the
operation in progress and to whoever triggered the push. Rows are written outside any transaction of the
push itself, so a failed push still leaves its attempts behind.
"""

import json

from sync.models import SyncAttempt, SyncOperation, SyncRun
from sync.trackunit.exchange import Exchange

MAX_BODY = 100_000


class AttemptRecorder:
    def __init__(self, *, triggered_by: str, run: SyncRun | None = None) -> None:
        self.triggered_by = triggered_by
        self.run = run
        self.operation: SyncOperation | None = None

    def __call__(self, exchange: Exchange) -> None:
        code, message = _error_of(exchange)
        operation = self.operation
        SyncAttempt.objects.create(
            run=self.run,
            operation=operation,
            kind=operation.kind if operation else "",
            key=operation.key if operation else "",
            action=operation.action if operation else "",
            method=exchange.method,
            url=exchange.url,
            request_body=(exchange.request_body or "")[:MAX_BODY],
            status_code=exchange.status,
            response_body=(exchange.response_body or "")[:MAX_BODY],
            duration_ms=exchange.duration_ms,
            attempt=exchange.attempt,
            outcome=_outcome(exchange),
            error_code=code,
            error_message=message,
            triggered_by=self.triggered_by,
        )


def _outcome(exchange: Exchange) -> str:
    if exchange.status is None:
        return "transport_error"
    return "success" if exchange.status < 400 else "http_error"


def _error_of(exchange: Exchange) -> tuple[str, str]:
    """Trackunit's error code and message (or the OAuth ones), else the transport error."""
    if exchange.status is None:
        return "transport_error", exchange.error or ""
    if exchange.status < 400:
        return "", ""
    try:
        body = json.loads(exchange.response_body or "")
    except ValueError:
        return f"http_{exchange.status}", (exchange.response_body or "")[:500]
    if not isinstance(body, dict):
        return f"http_{exchange.status}", ""
    code = body.get("code") or body.get("error") or f"http_{exchange.status}"
    return str(code), str(body.get("message") or body.get("error_description") or "")
