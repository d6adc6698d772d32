"""The Trackunit client: auth, shared rate limits, retries and the audit hook wired together from settings.

Build one per process or thread with `TrackunitClient.from_settings(on_exchange=...)`; everything that
must be shared (token, rate budgets, the ISO per-URL quota) lives in Redis or the database, so any
number of clients in any number of workers behave as one well-mannered caller. Requests go only to the
configured hosts (a feed's `Links` href elsewhere is refused before the token is attached), and the
client's credentials are handed to the log filter so no log line shows them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import redis
import requests

from sync.trackunit import ratelimit, wire
from sync.trackunit.auth import CLIENT_CREDENTIALS, Credentials, TokenProvider
from sync.trackunit.errors import ForeignHost, RateLimited, TransportError, Unauthorized
from sync.trackunit.exchange import ExchangeCallback, Redactor, basic_credentials
from sync.trackunit.http import DEFAULT_MAX_RESPONSE_BYTES, HttpLayer, Timeouts
from sync.trackunit.logredact import remember_secrets
from sync.trackunit.ratelimit import RateLimiter
from sync.trackunit.retry import RetryPolicy

if TYPE_CHECKING:
    from sync.trackunit.aemp_quota import AempGuard

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ClientConfig:
    """Everything the client reads from settings, so tests and tools can build one without Django's."""

    api_url: str
    auth_url: str
    aemp_url: str
    auth_flow: str
    client_id: str
    # Kept out of repr, so a logged or printed configuration shows no credential.
    client_secret: str = field(repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    scopes: tuple[str, ...] = ("api",)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "trackunit"
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 60.0
    rate_limits: Mapping[str, float] = field(default_factory=dict)
    rate_safety: float = 0.5
    rate_max_wait: float = 30.0
    token_renew_margin: float = 60.0
    aemp_url_interval: float = 900.0
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def from_settings(cls, **overrides: Any) -> ClientConfig:
        from django.conf import settings

        config = cls(
            api_url=settings.TRACKUNIT_API_URL,
            auth_url=settings.TRACKUNIT_AUTH_URL,
            aemp_url=settings.TRACKUNIT_AEMP_URL,
            auth_flow=settings.TRACKUNIT_AUTH_FLOW,
            client_id=settings.TRACKUNIT_CLIENT_ID,
            client_secret=settings.TRACKUNIT_CLIENT_SECRET,
            username=settings.TRACKUNIT_USERNAME,
            password=settings.TRACKUNIT_PASSWORD,
            scopes=tuple(settings.TRACKUNIT_SCOPES.replace(",", " ").split()),
            redis_url=settings.REDIS_URL,
            redis_prefix=settings.TRACKUNIT_REDIS_PREFIX,
            connect_timeout=settings.TRACKUNIT_CONNECT_TIMEOUT_S,
            read_timeout=settings.TRACKUNIT_READ_TIMEOUT_S,
            max_attempts=settings.TRACKUNIT_MAX_ATTEMPTS,
            backoff_base=settings.TRACKUNIT_BACKOFF_BASE_S,
            backoff_max=settings.TRACKUNIT_BACKOFF_MAX_S,
            max_retry_after=settings.TRACKUNIT_MAX_RETRY_AFTER_S,
            rate_limits=settings.TRACKUNIT_RATE_LIMITS,
            rate_safety=settings.TRACKUNIT_RATE_LIMIT_SAFETY,
            rate_max_wait=settings.TRACKUNIT_RATE_LIMIT_MAX_WAIT_S,
            token_renew_margin=settings.TRACKUNIT_TOKEN_RENEW_MARGIN_S,
            aemp_url_interval=settings.TRACKUNIT_AEMP_URL_INTERVAL_S,
            max_response_bytes=settings.TRACKUNIT_MAX_RESPONSE_BYTES,
        )
        return replace(config, **overrides)

    def credentials(self) -> Credentials:
        token_path = wire.TOKEN_V2 if self.auth_flow == CLIENT_CREDENTIALS else wire.TOKEN_V1
        return Credentials(
            flow=self.auth_flow,
            token_url=self.auth_url.rstrip("/") + token_path,
            client_id=self.client_id,
            client_secret=self.client_secret,
            username=self.username,
            password=self.password,
            scopes=self.scopes,
        )

    def secrets(self) -> list[str]:
        """Every credential value this configuration sends: never to be logged or audited."""
        basic = basic_credentials(self.client_id, self.client_secret) if self.client_secret else ""
        return [value for value in (self.client_secret, self.password, basic) if value]

    def account_prefix(self) -> str:
        """Redis keys per Trackunit account: two accounts never share a budget."""
        account = hashlib.sha256(f"{self.api_url}|{self.client_id}".encode()).hexdigest()[:12]
        return f"{self.redis_prefix}:{account}"


class TrackunitClient:
    """Sends one request to Trackunit through auth, the shared budget, retries and the audit hook."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        on_exchange: ExchangeCallback | None = None,
        redis_client: redis.Redis | None = None,
        aemp_guard: AempGuard | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        remember_secrets(*config.secrets())
        self._origins = {_origin(url) for url in (config.api_url, config.aemp_url)}
        self._owns_redis = redis_client is None
        self._redis = redis_client or redis.Redis.from_url(config.redis_url)
        self.http = HttpLayer(
            session or requests.Session(),
            timeouts=Timeouts(connect=config.connect_timeout, read=config.read_timeout),
            policy=RetryPolicy(
                max_attempts=config.max_attempts,
                base_delay=config.backoff_base,
                max_delay=config.backoff_max,
                max_retry_after=config.max_retry_after,
            ),
            redactor=Redactor(config.secrets()),
            on_exchange=on_exchange,
            sleep=sleep,
            max_response_bytes=config.max_response_bytes,
        )
        prefix = config.account_prefix()
        self.tokens = TokenProvider(
            config.credentials(),
            self.http,
            self._redis,
            key_prefix=prefix,
            renew_margin=config.token_renew_margin,
        )
        self.limiter = RateLimiter(
            self._redis,
            config.rate_limits,
            key_prefix=prefix,
            safety=config.rate_safety,
            max_wait=config.rate_max_wait,
            sleep=sleep,
        )
        if aemp_guard is None:
            # Imported here so the client module loads before Django's apps are ready (spawned workers,
            # scripts); the database is only touched when an ISO request is made.
            from sync.trackunit.aemp_quota import DatabaseAempGuard

            aemp_guard = DatabaseAempGuard(timedelta(seconds=config.aemp_url_interval))
        self.aemp_guard = aemp_guard

    @classmethod
    def from_settings(
        cls, *, on_exchange: ExchangeCallback | None = None, **overrides: Any
    ) -> TrackunitClient:
        """The client as configured by TRACKUNIT_* settings; `overrides` replace ClientConfig fields."""
        return cls(ClientConfig.from_settings(**overrides), on_exchange=on_exchange)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """One REST call; `path` is relative to TRACKUNIT_API_URL. POSTs count as creates unless told.

        A 401 renews the token once (shared by all processes) and repeats the call once.
        """
        method = method.upper()
        url = self.config.api_url.rstrip("/") + path
        self._check_destination(url)
        endpoint_class = ratelimit.classify_api_path(path)
        used: dict[str, str] = {}

        def before_attempt() -> dict[str, str]:
            self.limiter.acquire(endpoint_class)
            used["token"] = self.tokens.token()
            return {"Authorization": f"Bearer {used['token']}"}

        def send() -> requests.Response:
            return self.http.request(
                method,
                url,
                params=dict(params) if params else None,
                json=json,
                headers={"Accept": "application/json", **(headers or {})},
                idempotent=method in _IDEMPOTENT_METHODS if idempotent is None else idempotent,
                endpoint_class=endpoint_class,
                before_attempt=before_attempt,
                on_failure=lambda error: self._share_backoff(endpoint_class, error),
            )

        try:
            return send()
        except Unauthorized:
            self.tokens.token(reject=used.get("token"))
            return send()

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request` and its decoded JSON answer (None for an empty answer such as 204)."""
        return _json_or_none(self.request(method, path, **kwargs))

    def aemp(
        self, path_or_url: str, *, params: Mapping[str, Any] | None = None, accept: str = "application/json"
    ) -> requests.Response:
        """One ISO 15143-3 request (a path under TRACKUNIT_AEMP_URL, or a full URL from a `Links` href).

        The URL is claimed in the database first (AempQuotaUsed if it was asked within 15 minutes) and is
        never repeated automatically, since any repeat would be refused; only a connection that was never
        made is tried again. A 401 renews the token for the next request but is raised. A full URL on
        any other host than the configured ones is refused (ForeignHost) before anything is sent.
        """
        url = path_or_url if "://" in path_or_url else self.config.aemp_url.rstrip("/") + path_or_url
        prepared_url = requests.Request("GET", url, params=dict(params or {})).prepare().url or url
        self._check_destination(prepared_url)
        path = prepared_url.removeprefix(self.config.aemp_url.rstrip("/"))
        endpoint_class = ratelimit.classify_aemp_path(path)
        used: dict[str, str] = {}

        def before_attempt() -> dict[str, str]:
            self.limiter.acquire(endpoint_class)
            token = self.tokens.token()
            # Claimed only now, right before sending: a wait or login that fails must not burn the quota.
            # The one retry allowed (a connection never made) reuses the first claim.
            if "token" not in used:
                self.aemp_guard.claim(prepared_url)
            used["token"] = token
            return {"Authorization": f"Bearer {token}"}

        try:
            return self.http.request(
                "GET",
                prepared_url,
                headers={"Accept": accept},
                idempotent=False,
                endpoint_class=endpoint_class,
                before_attempt=before_attempt,
                retry_when=_never_sent,
                on_failure=lambda error: self._share_backoff(endpoint_class, error),
            )
        except Unauthorized:
            self.tokens.token(reject=used.get("token"))
            raise

    def _check_destination(self, url: str) -> None:
        """The bearer token goes only to the configured Trackunit origins (scheme, host and port)."""
        try:
            origin = _origin(url)
        except ValueError:
            origin = None
        if origin not in self._origins:
            parts = urlsplit(url)
            host = parts.netloc.rpartition("@")[2] or url
            allowed = sorted(f"{scheme}://{name}:{port}" for scheme, name, port in self._origins)
            raise ForeignHost(self.http.redactor.url(url), host, allowed)

    def _share_backoff(self, endpoint_class: str, error: Exception) -> None:
        if isinstance(error, RateLimited) and error.retry_after:
            self.limiter.defer(endpoint_class, error.retry_after)

    def close(self) -> None:
        """Release the HTTP session, and the Redis pool unless it was handed in (shared by others)."""
        self.http.session.close()
        if self._owns_redis:
            self._redis.close()


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of `url`; raises ValueError for a port that is not a number."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or ""), parts.port or _DEFAULT_PORTS.get(scheme)


def _never_sent(error: Exception) -> bool:
    return isinstance(error, TransportError) and not error.request_sent


def _json_or_none(response: requests.Response) -> Any:
    return response.json() if response.content else None
