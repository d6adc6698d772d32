from urllib.parse import parse_qs

import pytest

from sync.trackunit.auth import CLIENT_CREDENTIALS, PASSWORD, Credentials, Token, TokenProvider
from sync.trackunit.errors import AuthenticationFailed
from sync.trackunit.exchange import Redactor
from sync.trackunit.http import HttpLayer, Timeouts
from sync.trackunit.retry import RetryPolicy
from tests.sync.trackunit.stubs import stub_session

SECRET = "client-secret-value"
USER_PASSWORD = "user-password-value"


class TokenEndpoint:
    """Issues numbered tokens; `refuse_refresh` answers refresh grants with invalid_grant."""

    def __init__(self, lifetime=3600, refresh=True, refuse_refresh=False):
        self.lifetime, self.refresh, self.refuse_refresh = lifetime, refresh, refuse_refresh
        self.grants: list[dict] = []

    def __call__(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        self.grants.append({**form, "authorization": request.headers.get("Authorization", "")})
        if form["grant_type"] == "refresh_token" and self.refuse_refresh:
            return 400, {"error": "invalid_grant", "error_description": "used"}
        if form.get("password") == "wrong":
            return 400, {"error": "invalid_grant", "error_description": "invalid username or password"}
        body = {
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "access_token": f"tok-{len(self.grants)}",
        }
        if self.refresh:
            body["refresh_token"] = f"ref-{len(self.grants)}"
        return 200, body


def provider(
    redis_conn, prefix, endpoint, *, flow=PASSWORD, password=USER_PASSWORD, clock=None, exchanges=None
):
    session, _ = stub_session(endpoint)
    http = HttpLayer(
        session,
        timeouts=Timeouts(),
        policy=RetryPolicy(max_attempts=2, base_delay=0.01),
        redactor=Redactor([SECRET, USER_PASSWORD]),
        on_exchange=exchanges.append if exchanges is not None else None,
    )
    credentials = Credentials(
        flow=flow,
        token_url="https://auth.test/token",
        client_id="client",
        client_secret=SECRET,
        username="user@test",
        password=password,
        scopes=("api", "offline_access"),
    )
    kwargs = {"clock": clock} if clock else {}
    return TokenProvider(credentials, http, redis_conn, key_prefix=prefix, renew_margin=60, **kwargs)


def test_password_grant_logs_in_once_and_shares_the_token(redis_conn, prefix):
    endpoint = TokenEndpoint()
    first = provider(redis_conn, prefix, endpoint)
    second = provider(redis_conn, prefix, endpoint)
    assert first.token() == "tok-1"
    assert second.token() == "tok-1"
    assert len(endpoint.grants) == 1
    grant = endpoint.grants[0]
    assert grant["grant_type"] == "password"
    assert grant["scope"] == "api offline_access"
    assert grant["authorization"].startswith("Basic ")
    assert "client_secret" not in grant


def test_renewal_uses_the_refresh_token_a_margin_before_expiry(redis_conn, prefix):
    now = [1000.0]
    endpoint = TokenEndpoint(lifetime=3600)
    tokens = provider(redis_conn, prefix, endpoint, clock=lambda: now[0])
    assert tokens.token() == "tok-1"
    now[0] += 3600 - 61
    assert tokens.token() == "tok-1"
    now[0] += 2
    assert tokens.token() == "tok-2"
    assert [g["grant_type"] for g in endpoint.grants] == ["password", "refresh_token"]
    assert endpoint.grants[1]["refresh_token"] == "ref-1"


def test_a_refused_refresh_falls_back_to_a_full_login(redis_conn, prefix):
    endpoint = TokenEndpoint(refuse_refresh=True)
    tokens = provider(redis_conn, prefix, endpoint)
    first = tokens.token()
    assert tokens.token(reject=first) == "tok-3"
    assert [g["grant_type"] for g in endpoint.grants] == ["password", "refresh_token", "password"]


def test_a_rejected_token_is_renewed_only_once_across_processes(redis_conn, prefix):
    endpoint = TokenEndpoint(refresh=False)
    a, b = provider(redis_conn, prefix, endpoint), provider(redis_conn, prefix, endpoint)
    stale = a.token()
    # Both processes got a 401 with the same token: the second finds the first one's renewal.
    assert a.token(reject=stale) == "tok-2"
    assert b.token(reject=stale) == "tok-2"
    assert len(endpoint.grants) == 2


def test_client_credentials_sends_the_key_in_the_form(redis_conn, prefix):
    endpoint = TokenEndpoint(lifetime=1200, refresh=False)
    tokens = provider(redis_conn, prefix, endpoint, flow=CLIENT_CREDENTIALS)
    tokens.token()
    grant = endpoint.grants[0]
    assert grant["grant_type"] == "client_credentials"
    assert (grant["client_id"], grant["client_secret"]) == ("client", SECRET)
    assert grant["authorization"] == ""


def test_refused_credentials_raise_authentication_failed(redis_conn, prefix):
    tokens = provider(redis_conn, prefix, TokenEndpoint(), password="wrong")
    with pytest.raises(AuthenticationFailed) as caught:
        tokens.token()
    assert (caught.value.status, caught.value.code) == (400, "invalid_grant")


def test_token_exchanges_are_audited_without_credentials(redis_conn, prefix):
    exchanges = []
    tokens = provider(redis_conn, prefix, TokenEndpoint(), exchanges=exchanges)
    access = tokens.token()
    tokens.token(reject=access)
    assert [e.endpoint_class for e in exchanges] == ["auth", "auth"]
    text = repr(exchanges)
    for secret in (SECRET, USER_PASSWORD, "tok-1", "tok-2", "ref-1", "ref-2"):
        assert secret not in text


def test_the_margin_never_eats_a_short_lived_token():
    token = Token(access_token="t", expires_at=100.0, lifetime=20.0)
    assert token.usable(now=94.0, margin=60)
    assert not token.usable(now=96.0, margin=60)


def test_an_unknown_flow_is_refused(redis_conn, prefix):
    with pytest.raises(ValueError, match="TRACKUNIT_AUTH_FLOW"):
        provider(redis_conn, prefix, TokenEndpoint(), flow="implicit")
