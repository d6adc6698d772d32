"""Access tokens for Trackunit, shared by every process through Redis.

Both grants go through requests-oauthlib: v1 `password` (client id/secret as HTTP Basic, username and
password; `offline_access` in the scopes adds a refresh token, used before a full login) and v2
`client_credentials` (scoped API key; no refresh, ask again). The token sits in Redis so N workers
share one login, is renewed a margin before it expires, and a Redis lock lets one process renew while
the others wait and then read its result. Token requests travel through the same HttpLayer as API
calls, so they are timed out, retried and audited (with the credentials redacted) like any exchange.
Every token this process obtains or reads is handed to the log filter, which scrubs it from log lines.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import redis
from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from sync.trackunit.errors import AuthenticationFailed, Forbidden, Unauthorized, ValidationFailed
from sync.trackunit.http import HttpLayer
from sync.trackunit.logredact import remember_secrets

logger = logging.getLogger(__name__)

PASSWORD = "password"
CLIENT_CREDENTIALS = "client_credentials"
AUTH_ENDPOINT_CLASS = "auth"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Refresh tokens outlive access tokens; keep them around this long after the access token expires.
_REFRESH_TOKEN_KEEP_S = 24 * 3600


@dataclass(frozen=True)
class Credentials:
    """What the token endpoint needs; `flow` is TRACKUNIT_AUTH_FLOW."""

    flow: str
    token_url: str
    client_id: str
    # Kept out of repr, so a logged or printed value shows no credential.
    client_secret: str = field(repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    scopes: tuple[str, ...] = ("api",)

    def cache_id(self) -> str:
        """Distinct accounts, users and scope sets must never share a cached token."""
        raw = "|".join(
            (self.token_url, self.flow, self.client_id, self.username, " ".join(sorted(self.scopes)))
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    expires_at: float
    lifetime: float
    refresh_token: str | None = field(default=None, repr=False)

    def usable(self, now: float, margin: float) -> bool:
        # A fixed margin would swallow a short-lived token whole; never use more than a quarter of its life.
        return self.expires_at - min(margin, self.lifetime / 4) > now


class TokenProvider:
    """Hands out a valid bearer token, renewing it (once, across all processes) when it is due."""

    def __init__(
        self,
        credentials: Credentials,
        http: HttpLayer,
        redis_client: redis.Redis,
        *,
        key_prefix: str,
        renew_margin: float = 60.0,
        lock_timeout: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if credentials.flow not in (PASSWORD, CLIENT_CREDENTIALS):
            raise ValueError(f"TRACKUNIT_AUTH_FLOW must be {PASSWORD!r} or {CLIENT_CREDENTIALS!r}")
        self.credentials = credentials
        self._http = http
        self._redis = redis_client
        self._key = f"{key_prefix}:token:{credentials.cache_id()}"
        self._renew_margin = renew_margin
        self._lock_timeout = lock_timeout
        self._clock = clock
        _allow_plain_http_on_loopback(credentials.token_url)

    def token(self, *, reject: str | None = None) -> str:
        """A valid access token. `reject` names a token the API just refused (401): never return it again."""
        cached = self.cached()
        if cached and self._acceptable(cached, reject):
            return cached.access_token
        lock = self._redis.lock(
            f"{self._key}:lock", timeout=self._lock_timeout, blocking_timeout=self._lock_timeout
        )
        locked = lock.acquire()
        if not locked:
            logger.warning(
                "Trackunit token lock not acquired in %.0fs; renewing without it", self._lock_timeout
            )
        try:
            # Whoever held the lock may have renewed already: that is the point of waiting for it.
            cached = self.cached()
            if cached and self._acceptable(cached, reject):
                return cached.access_token
            fresh = self._obtain(cached)
            self.store(fresh)
            return fresh.access_token
        finally:
            if locked:
                lock.release()

    def cached(self) -> Token | None:
        raw = self._redis.get(self._key)
        if not raw:
            return None
        token = Token(**json.loads(raw))
        remember_secrets(token.access_token, token.refresh_token)
        return token

    def forget(self) -> None:
        """Drops the shared token, e.g. after the credentials changed."""
        self._redis.delete(self._key)

    def _acceptable(self, token: Token, reject: str | None) -> bool:
        return token.access_token != reject and token.usable(self._clock(), self._renew_margin)

    def _obtain(self, previous: Token | None) -> Token:
        if previous and previous.refresh_token:
            try:
                return self._refresh(previous.refresh_token)
            except AuthenticationFailed as error:
                logger.info("Trackunit refresh token refused (%s); logging in again", error.code)
        return self._login()

    def _login(self) -> Token:
        creds = self.credentials
        scope = " ".join(creds.scopes)
        if creds.flow == PASSWORD:
            session = self._session(LegacyApplicationClient(client_id=creds.client_id))
            return self._call_token_endpoint(
                session.fetch_token,
                creds.token_url,
                username=creds.username,
                password=creds.password,
                auth=HTTPBasicAuth(creds.client_id, creds.client_secret),
                scope=scope,
            )
        session = self._session(BackendApplicationClient(client_id=creds.client_id))
        return self._call_token_endpoint(
            session.fetch_token,
            creds.token_url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            include_client_id=True,
            scope=scope,
        )

    def _refresh(self, refresh_token: str) -> Token:
        creds = self.credentials
        session = self._session(LegacyApplicationClient(client_id=creds.client_id))
        return self._call_token_endpoint(
            session.refresh_token,
            creds.token_url,
            refresh_token=refresh_token,
            auth=HTTPBasicAuth(creds.client_id, creds.client_secret),
        )

    def _session(self, client: Any) -> _HttpLayerOAuth2Session:
        # No scope on the session: oauthlib would then reject an answer whose scope differs from the ask.
        return _HttpLayerOAuth2Session(self._http, client=client)

    def _call_token_endpoint(self, grant: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> Token:
        try:
            answer = grant(*args, **kwargs)
        except (ValidationFailed, Unauthorized, Forbidden) as error:
            raise AuthenticationFailed(
                error.message, status=error.status, code=error.code, body=error.body
            ) from error
        except OAuth2Error as error:
            raise AuthenticationFailed(error.description or str(error), code=error.error) from error
        remember_secrets(answer.get("access_token"), answer.get("refresh_token"))
        lifetime = float(answer.get("expires_in") or 0)
        return Token(
            access_token=answer["access_token"],
            expires_at=self._clock() + lifetime,
            lifetime=lifetime,
            refresh_token=answer.get("refresh_token"),
        )

    def store(self, token: Token) -> None:
        """Shares `token` with every process; kept past expiry while its refresh token may still work."""
        ttl = token.lifetime + (_REFRESH_TOKEN_KEEP_S if token.refresh_token else 0)
        self._redis.set(self._key, json.dumps(token.__dict__), px=max(1, int(ttl * 1000)))


class _HttpLayerOAuth2Session(OAuth2Session):
    """requests-oauthlib builds the grant and parses the answer; the HttpLayer sends it."""

    def __init__(self, http: HttpLayer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http = http

    def request(
        self, method: str, url: str, data: Any = None, headers: Any = None, auth: Any = None, **_: Any
    ) -> Any:
        # timeout/verify/proxies from requests-oauthlib are dropped: the HttpLayer owns those decisions.
        return self._http.request(
            method,
            url,
            data=data,
            headers=headers,
            auth=auth,
            idempotent=True,
            endpoint_class=AUTH_ENDPOINT_CLASS,
        )


def _allow_plain_http_on_loopback(token_url: str) -> None:
    """oauthlib refuses http:// token URLs; the local sandbox serves plain HTTP on loopback only."""
    parts = urlsplit(token_url)
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
