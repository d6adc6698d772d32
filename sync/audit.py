"""The audit trail: every HTTP exchange with Trackunit becomes an append-only SyncAttempt.

The client hands each attempt (already redacted) to a callback; the recorder ties it to the run and the
operation in progress and to whoever triggered the push. Rows are written outside any transaction of the
push itself, so a failed push still leaves its attempts behind.

No exchange goes unrecorded silently: the client swallows errors of its callback (so that a call
Trackunit already applied is not reported as failed), so the recorder keeps the first row it could not
write, and the caller's view of the client (sync.worker_client.AuditedClient) raises it as
AuditWriteFailed after the call and refuses every further call: the operation fails with that reason
and nothing more is sent until the audit trail can be written again.
"""

import json
import logging

from sync.models import SyncAttempt, SyncOperation, SyncRun
from sync.trackunit.errors import TrackunitError
from sync.trackunit.exchange import Exchange

log = logging.getLogger(__name__)
MAX_BODY = 100_000


class AuditWriteFailed(TrackunitError):
    """An exchange's audit row could not be written. A TrackunitError so that callers treat it like a
    refused call: the operation fails with this message and its record is planned again."""

    def __init__(self, exchange: Exchange, error: Exception) -> None:
        answer = str(exchange.status) if exchange.status is not None else "no answer"
        super().__init__(
            f"the audit row for {exchange.method} {exchange.url} ({answer}) could not be written "
            f"({type(error).__name__}: {error}); nothing more is sent to Trackunit until the audit "
            "trail can be written again",
            code="audit_write_failed",
        )


class AttemptRecorder:
    def __init__(self, *, triggered_by: str, run: SyncRun | None = None) -> None:
        self.triggered_by = triggered_by
        self.run = run
        self.operation: SyncOperation | None = None
        self.failure: AuditWriteFailed | None = None

    def raise_if_failed(self) -> None:
        """Raise the first audit write that failed, so no exchange goes on without its row."""
        if self.failure is not None:
            raise self.failure

    def __call__(self, exchange: Exchange) -> None:
        try:
            # SyncAttempt.save inserts in its own (sub)transaction, so a refused insert does not poison a
            # transaction around the push; a second one here would cost a savepoint per row, held with the
            # chain's lock.
            self._write(exchange)
        except Exception as error:
            log.error("audit row not written for %s %s: %s", exchange.method, exchange.url, error)
            if self.failure is None:
                self.failure = AuditWriteFailed(exchange, error)

    def _write(self, exchange: Exchange) -> None:
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
