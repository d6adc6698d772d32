"""Tokens against the sandbox's auth host: renewal before expiry, one re-auth on 401, both grants."""

import time

import pytest

from sync.trackunit.auth import CLIENT_CREDENTIALS, Token
from sync.trackunit.errors import AuthenticationFailed, Forbidden


def token_grants(handle):
    return [e["body"]["grant_type"] for e in handle.requests() if e["path"].startswith("/token")]


def test_a_token_that_expires_mid_run_is_renewed_once_before_it_fails(sandbox_factory, make_client):
    short_lived = sandbox_factory("--token-lifetime", "2", "--assets", "5", "--rate-limit-per-s", "0")
    client = make_client(short_lived)
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        client.request_json("GET", "/asset/v1/assets", params={"size": 1})
        time.sleep(0.1)
    log = short_lived.requests()
    assert token_grants(short_lived) == ["password", "refresh_token"]
    assert not [e for e in log if e["status"] == 401]


def test_a_401_triggers_exactly_one_reauth_and_one_retry(sandbox, make_client):
    client = make_client()
    client.tokens.token()
    client.tokens.store(Token(access_token="revoked-elsewhere", expires_at=time.time() + 600, lifetime=600))
    since = sandbox.requests()[-1]["id"]
    assert client.request_json("GET", "/customer/v1/customers")["content"] == []
    calls = [(e["method"], e["path"], e["status"]) for e in sandbox.requests(since)]
    assert calls == [
        ("GET", "/api/customer/v1/customers", 401),
        ("POST", "/token", 200),
        ("GET", "/api/customer/v1/customers", 200),
    ]


def test_client_credentials_with_scoped_keys(sandbox, make_client):
    client = make_client(
        auth_flow=CLIENT_CREDENTIALS,
        client_id=sandbox.api_key_id,
        client_secret=sandbox.api_key_secret,
        scopes=("customers",),
    )
    assert client.request_json("GET", "/customer/v1/customers")["content"] == []
    with pytest.raises(Forbidden):
        client.request_json("GET", "/asset/v1/assets")
    grant = next(e for e in sandbox.requests() if e["path"] == "/token/v2")
    assert grant["body"] == {"grant_type": "client_credentials", "scope": "customers"}


def test_wrong_credentials_fail_with_the_oauth_error(sandbox, make_client):
    with pytest.raises(AuthenticationFailed) as caught:
        make_client(password="not-the-password").request("GET", "/asset/v1/assets")
    assert caught.value.code == "invalid_grant"
