"""Typed failures of the Trackunit client.

Callers branch on the class (retry later, fix the data, give up) and keep Trackunit's own error object
(`status`, `code`, `message`, `violations`) for the audit trail and the admin, so nothing is lost by
turning an HTTP answer into an exception.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class TrackunitError(Exception):
    """Base of every client failure; `body` is Trackunit's error object when there was one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        violations: list[dict[str, Any]] | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.violations = violations or []
        self.body = body
        self.retry_after = retry_after

    def error_object(self) -> dict[str, Any]:
        """The error as Trackunit shapes it, for printing and storing."""
        if isinstance(self.body, dict) and self.body:
            return self.body
        error: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.violations:
            error["violations"] = self.violations
        return error

    def __str__(self) -> str:
        prefix = f"{self.status} " if self.status else ""
        code = f"{self.code}: " if self.code else ""
        return f"{prefix}{code}{self.message}"


class ValidationFailed(TrackunitError):
    """400: the request itself is wrong; repeating it cannot help."""


class Unauthorized(TrackunitError):
    """401 from an API call: the token was refused."""


class AuthenticationFailed(TrackunitError):
    """The token endpoint refused the credentials, grant or scope (`invalid_client`, `invalid_scope`...)."""


class Forbidden(TrackunitError):
    """403: the account may not do this (e.g. the asset belongs to someone else)."""


class NotFound(TrackunitError):
    """404: the record does not exist (or, for rental sync with validation on, no asset matched)."""


class Conflict(TrackunitError):
    """409 and other 4xx answers that are not validation, auth or missing records."""


class RateLimited(TrackunitError):
    """429: Trackunit refused for rate; `retry_after` says when to come back, if it said so."""


class ServerError(TrackunitError):
    """5xx: Trackunit failed; the request may or may not have been applied."""


class TransportError(TrackunitError):
    """No HTTP answer. `request_sent` is False only when the request provably never left (connect failed)."""

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message, code="transport_error")
        self.request_sent = request_sent


class LocalRateLimitExceeded(TrackunitError):
    """The shared budget would make this call wait longer than allowed; try again after `retry_after`."""


class AempQuotaUsed(TrackunitError):
    """ISO 15143-3 allows one request per URL per 15 minutes; this URL may be asked again at `retry_at`."""

    def __init__(self, url: str, retry_at: datetime) -> None:
        super().__init__(
            f"{url} was requested less than 15 minutes ago; ask again at {retry_at.isoformat()}",
            code="aemp_url_quota_used",
        )
        self.url = url
        self.retry_at = retry_at


class ForeignHost(TrackunitError):
    """A URL outside the configured Trackunit hosts (e.g. a feed's `Links` href): it is not requested,
    so the bearer token never leaves for a host nobody configured."""

    def __init__(self, url: str, host: str, allowed: list[str]) -> None:
        super().__init__(
            f"refused to send a Trackunit request to {host}: not one of the configured Trackunit hosts "
            f"({', '.join(allowed)})",
            code="foreign_host",
        )
        self.url = url
        self.host = host


class RedirectRefused(TrackunitError):
    """3xx: Trackunit's APIs do not redirect, and following one would resend the request and its
    credentials to a URL nobody checked; the answer is refused, naming where it pointed."""

    def __init__(self, status: int, host: str, location: str) -> None:
        super().__init__(
            f"refused a redirect to {host or 'an unnamed location'} ({location or 'no Location header'}): "
            "redirects are not followed, so no request or credential goes there",
            status=status,
            code="redirect_refused",
        )
        self.host = host
        self.location = location


class ResponseTooLarge(TrackunitError):
    """An answer longer than TRACKUNIT_MAX_RESPONSE_BYTES (after decompression); refused before it could
    fill the worker's memory, and not retried since the same request would bring the same answer."""


class InvalidDocument(TrackunitError):
    """An ISO 15143-3 answer that cannot be read: not XML or JSON, malformed, nested absurdly deep, or
    carrying a DTD or entities (refused outright: entity expansion and external entities are attacks)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_document")


_BY_STATUS: dict[int, type[TrackunitError]] = {
    400: ValidationFailed,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    429: RateLimited,
}


def error_for_status(status: int, body: Any, retry_after: float | None = None) -> TrackunitError:
    """Map an HTTP error answer to its typed exception, keeping Trackunit's error object."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else Conflict)
    data = body if isinstance(body, dict) else {}
    # The token endpoint answers OAuth2 style ({"error", "error_description"}), the APIs Trackunit style.
    code = data.get("code") or data.get("error")
    message = data.get("message") or data.get("error_description") or (body if isinstance(body, str) else "")
    violations = data.get("violations") if isinstance(data.get("violations"), list) else None
    return cls(
        str(message or f"HTTP {status}"),
        status=status,
        code=code,
        violations=violations,
        body=body if body not in ("", None) else None,
        retry_after=retry_after,
    )
