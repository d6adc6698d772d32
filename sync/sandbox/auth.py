"""The auth host: v1 password/refresh-token grants and v2 scoped API keys, and bearer checks.

api-docs/access-token.md (v1: Basic client credentials, grant_type=password, scope api and offline_access
for a refresh token, expires_in 3600) and api-docs/access-token-v2.md (v2: client_credentials in the form,
expires_in 1200, no refresh token, errors as {"error", "error_description"}). The v2 scope names are not
published: [A] `api` opens everything, each other scope one API.

Tokens are random strings remembered in memory; they survive `/_sandbox/reset` so a client that holds one
keeps working across tests, just as a real token outlives data changes.
"""

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from sync.sandbox import spec
from sync.sandbox.config import SandboxConfig
from sync.sandbox.web import ApiError, OAuthError, Request, Response

V1_SCOPES = ("api", "offline_access")
# v2 scopes: `api` opens every REST API and the ISO export; each other scope opens one API.
V2_SCOPES = ("api", "assets", "sites", "customers", "rental", "custom-fields", "aemp")


@dataclass(frozen=True)
class Token:
    subject: str
    scopes: frozenset[str]
    expires_at: float

    def allows(self, scope: str) -> bool:
        return "api" in self.scopes or scope in self.scopes


class TokenIssuer:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._access: dict[str, Token] = {}
        self._refresh: dict[str, Token] = {}

    def token_v1(self, request: Request) -> Response:
        form = _form(request)
        client = _basic(request)
        if client != (self.config.client_id, self.config.client_secret):
            raise OAuthError(401, spec.INVALID_CLIENT, "client authentication failed")
        grant = form.get("grant_type")
        if grant == "password":
            if (form.get("username"), form.get("password")) != (self.config.username, self.config.password):
                raise OAuthError(400, spec.INVALID_GRANT, "invalid username or password")
            scopes = _scopes(form.get("scope") or "api")
            unknown = scopes - set(V1_SCOPES)
            if unknown or "api" not in scopes:
                raise OAuthError(
                    400, spec.INVALID_SCOPE, f"scope must be `api` (+ offline_access): {form.get('scope')}"
                )
            return self._issue(self.config.username, scopes, self.config.token_lifetime_v1, refresh=True)
        if grant == "refresh_token":
            with self._lock:
                previous = self._refresh.pop(form.get("refresh_token") or "", None)
            if previous is None:
                raise OAuthError(400, spec.INVALID_GRANT, "unknown or already used refresh token")
            return self._issue(previous.subject, previous.scopes, self.config.token_lifetime_v1, refresh=True)
        if not grant:
            raise OAuthError(400, spec.INVALID_REQUEST, "grant_type is required")
        raise OAuthError(400, spec.UNSUPPORTED_GRANT_TYPE, f"grant_type {grant!r} is not supported here")

    def token_v2(self, request: Request) -> Response:
        form = _form(request)
        grant = form.get("grant_type")
        if grant != "client_credentials":
            error = spec.INVALID_REQUEST if not grant else spec.UNSUPPORTED_GRANT_TYPE
            raise OAuthError(400, error, "grant_type must be client_credentials")
        client_id, client_secret = _basic(request) or (form.get("client_id"), form.get("client_secret"))
        key = self.config.api_keys.get(client_id or "")
        if key is None or not secrets.compare_digest(key.secret, client_secret or ""):
            raise OAuthError(401, spec.INVALID_CLIENT, "unknown API key or wrong secret")
        asked = _scopes(form.get("scope") or "")
        if not asked:
            raise OAuthError(400, spec.INVALID_SCOPE, "scope is required")
        beyond = asked - key.scopes
        if beyond:
            raise OAuthError(400, spec.INVALID_SCOPE, f"not allowed for this key: {' '.join(sorted(beyond))}")
        return self._issue(key.key_id, asked, self.config.token_lifetime_v2, refresh=False)

    def authenticate(self, request: Request) -> Token:
        """The caller's token, or a 401 in Trackunit's error object."""
        header = request.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(
                401, spec.UNAUTHORIZED, "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        with self._lock:
            token = self._access.get(value.strip())
        if token is None:
            raise ApiError(
                401, spec.UNAUTHORIZED, "invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        if token.expires_at <= time.time():
            raise ApiError(
                401, spec.UNAUTHORIZED, "the bearer token has expired", headers={"WWW-Authenticate": "Bearer"}
            )
        return token

    def _issue(self, subject: str, scopes: frozenset[str], lifetime: int, *, refresh: bool) -> Response:
        access = secrets.token_urlsafe(32)
        token = Token(subject, scopes, time.time() + lifetime)
        body = {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "access_token": access,
            "scope": " ".join(sorted(scopes)),
        }
        with self._lock:
            self._drop_expired()
            self._access[access] = token
            if refresh and "offline_access" in scopes:
                refresh_token = secrets.token_urlsafe(32)
                body["refresh_token"] = refresh_token
                self._refresh[refresh_token] = token
        return Response.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _drop_expired(self) -> None:
        now = time.time()
        if len(self._access) > 10_000:
            self._access = {k: t for k, t in self._access.items() if t.expires_at > now}


def _form(request: Request) -> dict[str, str]:
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, spec.INVALID_REQUEST, "send the form as application/x-www-form-urlencoded")
    parsed = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in parsed.items()}


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _scopes(text: str) -> frozenset[str]:
    return frozenset(part for part in text.replace(",", " ").split() if part)
