"""`/_sandbox/*`: state, request log, reset and clock."""

import requests

from sync.sandbox.state import KINDS
from sync.trackunit import wire


def test_state_has_every_kind_as_api_records(sandbox):
    state = sandbox.state()
    assert set(state) == set(KINDS)
    asset = state["assets"][0]
    assert sandbox.api("GET", wire.ASSET.format(asset_id=asset["id"])).json() == asset


def test_request_log_records_calls_without_secrets(sandbox):
    sandbox.fetch_token_v1()
    sandbox.api("POST", wire.CUSTOMERS, json=wire.customer_body(name="A", type="OTHER"))
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
    sandbox.api("POST", wire.CUSTOMERS, json=wire.customer_body(name="A", type="OTHER"))
    sandbox.api("PATCH", wire.ASSET.format(asset_id=before["assets"][0]["id"]), json={"name": "changed"})
    sandbox.set_faults(latency_ms=5)
    sandbox.reset()
    assert sandbox.state() == before
    assert sandbox.requests() == []
    assert sandbox.faults()["latency_ms"] == 0


def test_clock_rejects_bad_input(sandbox):
    assert requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_s": -1}).status_code == 400
    assert requests.post(f"{sandbox.url}/_sandbox/clock", json={"back": 1}).status_code == 400
    assert sandbox.advance_clock(60)["offsetS"] == 60
