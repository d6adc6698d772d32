"""The single way a byte leaves for Trackunit: timeouts, typed errors, bounded retries and the audit hook.

Every attempt, failed or not, is reported as one Exchange before anything else happens with its
outcome, so the audit trail shows the retries that led to a success as well as the final failure.
Answers are read up to a size cap (a bigger one is refused unread) and redirects are never followed:
nothing, least of all a credential, goes to a URL the caller did not choose.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from sync.trackunit.errors import (
    RedirectRefused,
    ResponseTooLarge,
    TrackunitError,
    TransportError,
    error_for_status,
)
from sync.trackunit.exchange import Exchange, ExchangeCallback, Redactor
from sync.trackunit.retry import RetryPolicy, is_retryable, parse_retry_after

logger = logging.getLogger(__name__)

# Called before each attempt (rate limiting, per-URL quotas); returns headers to add (the bearer token),
# so a retry that waited past a token renewal sends the fresh token.
BeforeAttempt = Callable[[], Mapping[str, str]]

# Far above any page Trackunit sends (1000 REST records, 100 ISO equipment), far below a worker's memory.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 2**20
_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0


class HttpLayer:
    """Sends requests with timeouts and retries, maps failures to typed errors and reports each attempt."""

    def __init__(
        self,
        session: requests.Session,
        *,
        timeouts: Timeouts,
        policy: RetryPolicy,
        redactor: Redactor,
        on_exchange: ExchangeCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.session = session
        self.timeouts = timeouts
        self.policy = policy
        self.redactor = redactor
        self.max_response_bytes = max_response_bytes
        self._on_exchange = on_exchange
        self._sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        endpoint_class: str,
        before_attempt: BeforeAttempt | None = None,
        retry_when: Callable[[TrackunitError], bool] | None = None,
        on_failure: Callable[[TrackunitError], None] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Sends until success, a non-retryable error or the attempt budget is spent; returns the 2xx answer.

        `kwargs` are those of `requests.Request` (params, json, data, auth). `retry_when` replaces the
        usual rule (`is_retryable` for this idempotency) for requests with stricter needs; `on_failure` sees
        every failed attempt (e.g. to make all processes honour a Retry-After).
        """
        attempt = 1
        while True:
            attempt_headers = {**(headers or {}), **(before_attempt() if before_attempt else {})}
            try:
                return self.attempt(
                    method,
                    url,
                    attempt=attempt,
                    endpoint_class=endpoint_class,
                    headers=attempt_headers,
                    **kwargs,
                )
            except TrackunitError as error:
                if on_failure:
                    on_failure(error)
                retryable = retry_when(error) if retry_when else is_retryable(error, idempotent=idempotent)
                delay = self.policy.delay(attempt, error) if retryable else None
                if delay is None:
                    raise
                logger.info(
                    "%s %s attempt %d failed (%s); retrying in %.2fs",
                    method,
                    self.redactor.url(url),
                    attempt,
                    self.redactor.text(str(error)),
                    delay,
                )
                self._sleep(delay)
                attempt += 1

    def attempt(
        self, method: str, url: str, *, attempt: int, endpoint_class: str, **kwargs: Any
    ) -> requests.Response:
        """One attempt: send, report the exchange, raise the typed error for anything but 2xx."""
        prepared = self.session.prepare_request(requests.Request(method.upper(), url, **kwargs))
        # Streamed, so the body can be measured while it arrives instead of after it filled the memory.
        environment = self.session.merge_environment_settings(prepared.url, {}, True, None, None)
        started_at = datetime.now(UTC)
        start = time.monotonic()
        response: requests.Response | None = None
        body: bytes | None = None
        error: TrackunitError | None = None
        try:
            response = self.session.send(
                prepared,
                timeout=(self.timeouts.connect, self.timeouts.read),
                allow_redirects=False,
                **environment,
            )
            body = self._read_body(response, prepared)
        except requests.RequestException as exc:
            error = _transport_error(exc)
        except ResponseTooLarge as exc:
            error = exc
        duration_ms = (time.monotonic() - start) * 1000
        if response is not None and body is not None:
            if response.status_code >= 400:
                error = error_for_status(
                    response.status_code,
                    _decoded_body(response),
                    parse_retry_after(response.headers.get("Retry-After")),
                )
            elif response.status_code >= 300:
                error = _redirect_refused(response, prepared.url or "", self.redactor)
        self._report(prepared, response, body, error, duration_ms, attempt, endpoint_class, started_at)
        if error is not None:
            raise error
        assert response is not None
        return response

    def _read_body(self, response: requests.Response, prepared: requests.PreparedRequest) -> bytes:
        """The whole body (decompressed), or ResponseTooLarge as soon as it passes the cap."""
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise self._too_large(response, prepared)
        received = bytearray()
        for chunk in response.iter_content(_CHUNK_BYTES):
            received += chunk
            if len(received) > self.max_response_bytes:
                raise self._too_large(response, prepared)
        # requests has no public setter; this is what `response.content` would have stored.
        response._content = bytes(received)
        return response._content

    def _too_large(self, response: requests.Response, prepared: requests.PreparedRequest) -> ResponseTooLarge:
        response.close()
        return ResponseTooLarge(
            f"the answer to {prepared.method} {self.redactor.url(prepared.url or '')} is larger than "
            f"TRACKUNIT_MAX_RESPONSE_BYTES ({self.max_response_bytes} bytes); refused without reading it all",
            code="response_too_large",
        )

    def _report(
        self,
        prepared: requests.PreparedRequest,
        response: requests.Response | None,
        body: bytes | None,
        error: TrackunitError | None,
        duration_ms: float,
        attempt: int,
        endpoint_class: str,
        started_at: datetime,
    ) -> None:
        if self._on_exchange is None:
            return
        response_type = response.headers.get("Content-Type", "") if response is not None else ""
        exchange = Exchange(
            method=prepared.method or "",
            url=self.redactor.url(prepared.url or ""),
            request_headers=self.redactor.headers(prepared.headers),
            request_body=self.redactor.body(prepared.body, prepared.headers.get("Content-Type", "")),
            status=response.status_code if response is not None else None,
            response_body=self.redactor.body(body, response_type),
            duration_ms=duration_ms,
            attempt=attempt,
            error=self.redactor.text(f"{type(error).__name__}: {error}") if error is not None else None,
            endpoint_class=endpoint_class,
            started_at=started_at,
        )
        try:
            self._on_exchange(exchange)
        except Exception:
            # A broken audit sink must not turn a call Trackunit already applied into a failure here.
            logger.exception("the Trackunit exchange callback failed")


def _transport_error(exc: requests.RequestException) -> TransportError:
    # Only a connection that was never made proves Trackunit saw nothing; a read timeout or a dropped
    # connection may follow a request the server received and applied.
    never_sent = isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and _caused_by_new_connection(exc)
    )
    return TransportError(f"{type(exc).__name__}: {exc}", request_sent=not never_sent)


def _redirect_refused(response: requests.Response, url: str, redactor: Redactor) -> RedirectRefused:
    location = response.headers.get("Location", "")
    try:
        host = urlsplit(urljoin(url, location)).netloc.rpartition("@")[2] if location else ""
    except ValueError:
        host = ""
    return RedirectRefused(response.status_code, host, redactor.url(location))


def _caused_by_new_connection(exc: BaseException) -> bool:
    reason: Any = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


def _decoded_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
