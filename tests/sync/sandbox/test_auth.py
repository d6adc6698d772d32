"""The auth host: v1 password and refresh grants, v2 API keys, and bearer checks on the APIs.

Form bodies from api-docs/access-token.md (v1) and api-docs/access-token-v2.md (v2); the v2 scope names
are the sandbox's own [A].
"""

import time

import pytest
import requests


def _v1(sandbox, **form):
    data = {
        "grant_type": "password",
        "username": sandbox.username,
        "password": sandbox.password,
        "scope": "api",
    }
    data.update(form)
    return requests.post(
        f"{sandbox.auth_url}/token", auth=(sandbox.client_id, sandbox.client_secret), data=data
    )


def _v2(sandbox, **form):
    data = {
        "grant_type": "client_credentials",
        "client_id": sandbox.api_key_id,
        "client_secret": sandbox.api_key_secret,
        "scope": "assets",
    }
    data.update(form)
    return requests.post(f"{sandbox.auth_url}/token/v2", data=data)


def test_v1_password_grant_answers_a_bearer_token_without_refresh_token(sandbox):
    answer = _v1(sandbox)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "api"
    assert "refresh_token" not in body
    assert sandbox.api("GET", "/asset/v1/assets", token=body["access_token"]).status_code == 200


def test_v1_offline_access_gives_a_refresh_token_that_works_once(sandbox):
    body = _v1(sandbox, scope="api offline_access").json()
    refresh = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    auth = (sandbox.client_id, sandbox.client_secret)
    renewed = requests.post(f"{sandbox.auth_url}/token", auth=auth, data=refresh)
    assert renewed.status_code == 200
    assert renewed.json()["access_token"] != body["access_token"]
    again = requests.post(f"{sandbox.auth_url}/token", auth=auth, data=refresh)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("auth", "form", "status", "error"),
    [
        (("rentalbridge-sandbox", "wrong"), {}, 401, "invalid_client"),
        (None, {}, 401, "invalid_client"),
        (("rentalbridge-sandbox", "sandbox-secret"), {"password": "wrong"}, 400, "invalid_grant"),
        (("rentalbridge-sandbox", "sandbox-secret"), {"scope": "admin"}, 400, "invalid_scope"),
        (
            ("rentalbridge-sandbox", "sandbox-secret"),
            {"grant_type": "implicit"},
            400,
            "unsupported_grant_type",
        ),
    ],
)
def test_v1_refusals_are_oauth_errors(sandbox, auth, form, status, error):
    data = {
        "grant_type": "password",
        "username": sandbox.username,
        "password": sandbox.password,
        "scope": "api",
    }
    data.update(form)
    answer = requests.post(f"{sandbox.auth_url}/token", auth=auth, data=data)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_v2_client_credentials_in_form_or_basic(sandbox):
    in_form = _v2(sandbox, scope="assets sites")
    assert in_form.status_code == 200
    body = in_form.json()
    assert body["expires_in"] == 1200
    assert body["scope"] == "assets sites"
    assert "refresh_token" not in body
    basic = requests.post(
        f"{sandbox.auth_url}/token/v2",
        auth=(sandbox.api_key_id, sandbox.api_key_secret),
        data={"grant_type": "client_credentials", "scope": "rental"},
    )
    assert basic.status_code == 200


def test_v2_refusals(sandbox):
    assert _v2(sandbox, client_secret="nope").json()["error"] == "invalid_client"
    assert _v2(sandbox, scope="assets billing").json()["error"] == "invalid_scope"
    assert _v2(sandbox, grant_type="password").json()["error"] == "unsupported_grant_type"


def test_v2_scopes_open_only_their_api(sandbox):
    token = _v2(sandbox, scope="assets").json()["access_token"]
    assert sandbox.api("GET", "/asset/v1/assets", token=token).status_code == 200
    refused = sandbox.api("GET", "/customer/v1/customers", token=token)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"


def test_restricted_api_key_from_flags(sandbox_factory):
    other = sandbox_factory("--assets", "5", "--api-key", "erp:erp-secret:rental,customers")
    ok = requests.post(
        f"{other.auth_url}/token/v2",
        data={
            "grant_type": "client_credentials",
            "client_id": "erp",
            "client_secret": "erp-secret",
            "scope": "rental",
        },
    )
    assert ok.status_code == 200
    too_wide = requests.post(
        f"{other.auth_url}/token/v2",
        data={
            "grant_type": "client_credentials",
            "client_id": "erp",
            "client_secret": "erp-secret",
            "scope": "api",
        },
    )
    assert too_wide.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic Zm9vOmJhcg=="])
def test_api_and_aemp_need_a_valid_bearer(sandbox, header):
    headers = {"Authorization": header} if header else {}
    for url in (f"{sandbox.api_url}{'/asset/v1/assets'}", f"{sandbox.aemp_url}/Fleet/1"):
        answer = requests.get(url, headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {
            "status": 401,
            "code": "unauthorized",
            "message": answer.json()["message"],
        }


def test_tokens_expire(sandbox_factory):
    short = sandbox_factory("--assets", "5", "--token-lifetime", "1")
    token = short.fetch_token_v1()
    assert token["expires_in"] == 1
    assert short.api("GET", "/asset/v1/assets", token=token["access_token"]).status_code == 200
    time.sleep(1.1)
    expired = short.api("GET", "/asset/v1/assets", token=token["access_token"])
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]


def test_tokens_survive_a_reset(sandbox):
    token = sandbox.token()
    sandbox.reset()
    assert sandbox.api("GET", "/asset/v1/assets", token=token).status_code == 200
