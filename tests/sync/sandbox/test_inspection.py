"""`/_sandbox/*`: state, request log, reset and clock (the sandbox's own endpoints, not Trackunit's)."""

import pytest
import requests

from sync.sandbox.config import DEFAULT_ACCOUNT_ID
from tests.sync.sandbox.helpers import patch_asset

KINDS = {
    "assets",
    "sites",
    "customers",
    "contacts",
    "customer_assets",
    "rental",
    "contracts",
    "contract_items",
    "custom_field_definitions",
    "custom_field_values",
}


def test_state_has_every_kind_as_api_records(sandbox):
    state = sandbox.state()
    assert set(state) == KINDS
    asset = state["assets"][0]
    assert sandbox.api("GET", f"/asset/v1/assets/{asset['id']}").json() == asset
    # The 22 standard definitions of custom-field-intro.md are part of every account.
    assert len(state["custom_field_definitions"]) == 22


def test_health_names_the_account(sandbox):
    health = requests.get(f"{sandbox.url}/_sandbox/health", timeout=5).json()
    assert health["accountId"] == DEFAULT_ACCOUNT_ID


def test_request_log_records_calls_without_secrets(sandbox):
    sandbox.fetch_token_v1()
    # [A] customer body (test_customers.py).
    sandbox.api("POST", "/customer/v1/customers", json={"name": "A", "type": "OTHER"})
    log = sandbox.requests()
    token_call, customer_call = log[-2], log[-1]
    assert token_call["path"] == "/token"
    assert token_call["body"] == {"grant_type": "password", "scope": "api"}
    assert customer_call["status"] == 201
    assert customer_call["body"] == {"name": "A", "type": "OTHER"}
    text = str(log)
    assert sandbox.password not in text
    assert sandbox.client_secret not in text
    assert sandbox.token() not in text
    assert sandbox.requests(since=customer_call["id"]) == []
    assert not any(entry["path"].startswith("/_sandbox") for entry in log)


def test_reset_restores_the_seed_and_clears_the_log(sandbox):
    before = sandbox.state()
    sandbox.api("POST", "/customer/v1/customers", json={"name": "A", "type": "OTHER"})
    patch_asset(sandbox, before["assets"][0]["id"], [{"op": "replace", "path": "/name", "value": "changed"}])
    sandbox.set_faults(latency_ms=5)
    sandbox.reset()
    assert sandbox.state() == before
    assert sandbox.requests() == []
    assert sandbox.faults()["latency_ms"] == 0


def test_clock_rejects_bad_input(sandbox):
    assert requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_s": -1}).status_code == 400
    assert requests.post(f"{sandbox.url}/_sandbox/clock", json={"back": 1}).status_code == 400
    assert sandbox.advance_clock(60)["offsetS"] == 60


def test_telematics_lists_owned_assets_only(sandbox):
    owned = {a["id"] for a in sandbox.state()["assets"] if a["permissions"]["edit"]}
    assert {u["assetId"] for u in sandbox.telematics()} == owned


# What a web page can send cross-origin without a CORS preflight: no body, an HTML form (urlencoded or
# multipart) and a form with enctype="text/plain" whose body happens to be JSON.
PAGE_POSTS = {
    "no body": {},
    "urlencoded form": {"data": {"error_rate": "1"}},
    "multipart form": {"files": {"error_rate": ("x", b"1")}},
    "text/plain form": {"data": '{"error_rate": 1}', "headers": {"Content-Type": "text/plain"}},
}


@pytest.mark.parametrize("path", ["/reset", "/faults", "/clock"])
@pytest.mark.parametrize("post", PAGE_POSTS.values(), ids=PAGE_POSTS.keys())
def test_control_endpoints_refuse_what_a_web_page_can_post(sandbox, path, post):
    sandbox.api("POST", "/customer/v1/customers", json={"name": "Kept", "type": "OTHER"})
    state, faults, clock = (
        sandbox.state(),
        sandbox.faults(),
        requests.get(f"{sandbox.url}/_sandbox/clock").json(),
    )

    answer = requests.post(f"{sandbox.url}/_sandbox{path}", timeout=5, **post)

    assert answer.status_code == 415
    assert "application/json" in answer.text
    assert sandbox.state() == state
    assert sandbox.faults() == faults
    assert requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()["offsetS"] == clock["offsetS"]


def test_control_endpoints_take_json_and_reads_need_no_body(sandbox):
    assert (
        requests.post(f"{sandbox.url}/_sandbox/faults", json={"latency_ms": 1}, timeout=5).status_code == 200
    )
    assert sandbox.faults()["latency_ms"] == 1
    assert requests.post(f"{sandbox.url}/_sandbox/reset", json={}, timeout=5).status_code == 200
    assert sandbox.faults()["latency_ms"] == 0
    assert requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).status_code == 200
