"""The request and answer objects the sandbox's API modules work with, free of any socket code.

Handlers raise ApiError instead of building error answers, so every error leaves in Trackunit's error
object with the same shape, whichever module noticed it.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from sync.sandbox import spec

# One port serves what Trackunit spreads over hosts; these prefixes tell the parts apart.
API_PREFIX = "/api"
AEMP_PREFIX = "/public/api/aemp/v2/15143/-3"
SANDBOX_PREFIX = "/_sandbox"


class Headers(Protocol):
    """A request's headers as handlers read them: http.server's message, whose lookup ignores case."""

    def get(self, name: str, /) -> str | None: ...


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: Headers
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    token: Any = None

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self, media_types: Sequence[str] = ("application/json",)) -> Any:
        """The JSON body; a body that is not JSON (NaN and Infinity are not) is answered 400."""
        content_type = (self.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in media_types:
            raise ApiError(
                415, spec.UNSUPPORTED_MEDIA_TYPE, f"send the body as Content-Type: {' or '.join(media_types)}"
            )
        try:
            return json.loads(self.body.decode("utf-8"), parse_constant=_not_json)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, spec.BAD_REQUEST, f"the body is not valid JSON: {exc}") from None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> "Response":
        return cls(status, json.dumps(data, separators=(",", ":")).encode(), headers=headers or {})

    @classmethod
    def empty(cls, status: int = 204) -> "Response":
        return cls(status, b"", content_type="")


class ApiError(Exception):
    """An answer in Trackunit's error object; `headers` carries Retry-After for 429s."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        violations: Sequence[spec.Violation] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.violations = list(violations or [])
        self.headers = headers or {}

    def response(self) -> Response:
        body = spec.error_body(self.status, self.code, self.message, self.violations)
        return Response.json(self.status, body, self.headers)


class OAuthError(Exception):
    """An answer of the auth host, which speaks RFC 6749 rather than Trackunit's error object."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> Response:
        headers = {"WWW-Authenticate": 'Basic realm="trackunit"'} if self.status == 401 else {}
        return Response.json(self.status, spec.oauth_error_body(self.error, self.description), headers)


def constraint_violation(
    violations: Sequence[spec.Violation], message: str = "Constraint violation"
) -> ApiError:
    """api-docs/errors.md's constraint error: status 400, "Constraint violation", one entry per field."""
    return ApiError(400, spec.CONSTRAINT_VIOLATION, message, violations)


def check(violations: Sequence[spec.Violation]) -> None:
    if violations:
        raise constraint_violation(violations)


def paginate(request: Request, records: Sequence[Any]) -> Response:
    """Answer one page of `records` in Trackunit's envelope; a page past the end is simply empty."""
    page, size, violations = spec.page_params(request.arg("page"), request.arg("size"))
    check(violations)
    start = page * size
    return Response.json(200, spec.page_body(records[start : start + size], page, size, len(records)))


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    """One endpoint: `pattern` uses {name} placeholders; `scope` is the v2 scope that may call it."""

    method: str
    pattern: str
    handler: Handler
    scope: str
