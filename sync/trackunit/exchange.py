"""One HTTP attempt as the audit trail sees it, with every credential taken out first.

The sync layer stores exchanges for staff to read, so secrets must never reach it: headers that carry
credentials are replaced, secret-named fields are blanked in JSON and form bodies and in query strings,
and the configured secret values themselves are scrubbed from whatever text is left as a last guard.
Free text (an error message, a log line: see logredact.py) gets the same treatment by
pattern: `Bearer`/`Basic` credentials, credential headers and `name=value` / `"name": "value"` pairs
whose name is a secret's, in form, JSON and Python-repr spellings.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
SECRET_FIELDS = frozenset(
    {"password", "client_secret", "refresh_token", "access_token", "id_token", "api_key_secret", "secret"}
)
# Shorter strings would blank ordinary words and numbers in bodies; real secrets are longer than this.
_MIN_SCRUBBED_LENGTH = 6


def _names(names: Iterable[str]) -> str:
    # Longest first, so "set-cookie" wins over "cookie" and "client_secret" over "secret".
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


# A name (maybe quoted), ":" or "=", then a quoted value (to its closing quote, or the end of a cut-off
# text), an earlier redaction (so a second pass changes nothing) or a bare value. The look-behind keeps
# "nextToken" or "my_password_hint" from counting as secrets.
_VALUE = r"""(?P<value>"(?:[^"\\]|\\.)*(?:"|$)|'(?:[^'\\]|\\.)*(?:'|$)|\[REDACTED\]|{bare})"""
_SECRET_HEADER = re.compile(
    rf"""(?i)(?<![\w-])(?P<key>["']?(?:{_names(SECRET_HEADERS)})["']?\s*[:=]\s*)"""
    + _VALUE.format(bare=r"[^\r\n]+")
)
_FIELD_NAMES = SECRET_FIELDS | {"token", "passwd"}
_SECRET_FIELD = re.compile(
    rf"""(?i)(?<![\w-])(?P<key>["']?(?:{_names(_FIELD_NAMES)})["']?\s*[:=]\s*)"""
    + _VALUE.format(bare=r"""[^\s&,;'"}\])]+""")
)
# RFC 6750 / RFC 7617 credentials wherever they appear; 8+ characters so "Basic auth" stays readable.
_SCHEME_CREDENTIALS = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*")


def _redact_value(match: re.Match[str]) -> str:
    value = match.group("value")
    quote_char = value[:1] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{quote_char}{REDACTED}{quote_char}"


def basic_credentials(user: str, secret: str) -> str:
    """The HTTP Basic credential requests sends for `user` and `secret`, to be scrubbed as a literal."""
    raw = f"{user}:{secret}"
    try:
        encoded = raw.encode("latin1")
    except UnicodeEncodeError:
        encoded = raw.encode()
    return base64.b64encode(encoded).decode()


def _spellings(secret: str) -> set[str]:
    """A secret as it appears raw, in a form or query (percent-encoded) and inside a JSON string."""
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}


@dataclass(frozen=True)
class Exchange:
    """One attempt at one HTTP request; a call retried three times produces three exchanges."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_body: str | None
    duration_ms: float
    attempt: int
    error: str | None
    endpoint_class: str
    started_at: datetime


ExchangeCallback = Callable[[Exchange], None]


class Redactor:
    """Removes credentials from URLs, headers and bodies; `secrets` are literal values to scrub too."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literal = {s for s in secrets if s and len(s) >= _MIN_SCRUBBED_LENGTH}
        self._secrets = sorted(set().union(*map(_spellings, literal)), key=len, reverse=True)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: REDACTED if name.lower() in SECRET_HEADERS else self.text(str(value))
            for name, value in headers.items()
        }

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.query:
            query = urlencode(self._pairs(parse_qsl(parts.query, keep_blank_values=True)), safe=",")
            parts = parts._replace(query=query)
        if parts.password:
            parts = parts._replace(netloc=parts.netloc.replace(parts.password, REDACTED))
        return self.text(urlunsplit(parts))

    def body(self, body: str | bytes | None, content_type: str = "") -> str | None:
        """Redacts a JSON or form body; anything else keeps only the literal-secret scrub."""
        if body is None:
            return None
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        if not text:
            return text
        if "json" in content_type or text.lstrip()[:1] in ("{", "["):
            try:
                return self.text(json.dumps(self.data(json.loads(text)), ensure_ascii=False))
            except ValueError:
                pass
        if "x-www-form-urlencoded" in content_type:
            return self.text(urlencode(self._pairs(parse_qsl(text, keep_blank_values=True))))
        return self.text(text)

    def data(self, value: Any) -> Any:
        """Redacts secret-named keys at any depth of decoded JSON."""
        if isinstance(value, dict):
            return {
                key: REDACTED if str(key).lower() in SECRET_FIELDS else self.data(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def text(self, text: str) -> str:
        """Free text without credentials: by pattern first, then every known secret value.

        In ASCII text each pattern runs only when one of its names is there: a 100 KB telematics page
        holds none, and three case-insensitive scans of it cost more than parsing it. Other text gets
        every scan, since (?i) also matches some non-ASCII letters (long s, the Kelvin sign) to ASCII ones.
        """
        lowered = text.lower() if text.isascii() else None

        def may_hold(names: Iterable[str]) -> bool:
            return lowered is None or any(name in lowered for name in names)

        if may_hold(SECRET_HEADERS):
            text = _SECRET_HEADER.sub(_redact_value, text)
        if may_hold(("bearer", "basic")):
            text = _SCHEME_CREDENTIALS.sub(rf"\1 {REDACTED}", text)
        if may_hold(_FIELD_NAMES):
            text = _SECRET_FIELD.sub(_redact_value, text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _pairs(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(key, REDACTED if key.lower() in SECRET_FIELDS else value) for key, value in pairs]
