import random

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from sync.trackunit.errors import (
    RateLimited,
    RedirectRefused,
    ResponseTooLarge,
    ServerError,
    TransportError,
    ValidationFailed,
)
from sync.trackunit.exchange import REDACTED, Redactor
from sync.trackunit.http import HttpLayer, Timeouts
from sync.trackunit.retry import RetryPolicy
from tests.sync.trackunit.stubs import stub_session

URL = "https://iris.test/api/customer/v1/customers"


def layer(answers, exchanges=None, sleeps=None, max_attempts=4):
    session, adapter = stub_session(answers)
    http = HttpLayer(
        session,
        timeouts=Timeouts(connect=1, read=2),
        policy=RetryPolicy(max_attempts=max_attempts, base_delay=0.1, rng=random.Random(1)),
        redactor=Redactor(["client-secret-value"]),
        on_exchange=(exchanges.append if exchanges is not None else None),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
    )
    return http, adapter


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(MaxRetryError(None, URL, reason))


def test_429_is_retried_after_retry_after_and_every_attempt_is_an_exchange():
    exchanges, sleeps = [], []
    http, _ = layer(
        [(429, {"code": "too_many_requests"}, {"Retry-After": "2"}), (200, {"ok": True})], exchanges, sleeps
    )
    response = http.request("GET", URL, idempotent=True, endpoint_class="customers")
    assert response.json() == {"ok": True}
    assert len(sleeps) == 1
    assert sleeps[0] >= 2
    assert [(e.attempt, e.status) for e in exchanges] == [(1, 429), (2, 200)]
    assert exchanges[0].error.startswith("RateLimited")
    assert exchanges[1].error is None
    assert exchanges[0].endpoint_class == "customers"


def test_a_validation_error_is_raised_at_once_with_its_violations():
    body = {"status": 400, "code": "constraint_violation", "message": "m", "violations": [{"field": "name"}]}
    http, adapter = layer([(400, body)])
    with pytest.raises(ValidationFailed) as caught:
        http.request("POST", URL, json={"name": ""}, idempotent=True, endpoint_class="customers")
    assert caught.value.violations == [{"field": "name"}]
    assert len(adapter.sent) == 1


def test_a_create_is_not_repeated_after_a_500_but_is_after_a_503():
    http, adapter = layer([(500, {"code": "internal_server_error"})])
    with pytest.raises(ServerError):
        http.request("POST", URL, json={}, idempotent=False, endpoint_class="customers")
    assert len(adapter.sent) == 1
    http, adapter = layer([(503, {}), (201, {"id": "c1"})])
    assert http.request("POST", URL, json={}, idempotent=False, endpoint_class="customers").status_code == 201


def test_a_create_is_repeated_only_when_the_connection_was_never_made():
    http, adapter = layer([refused(), (201, {"id": "c1"})])
    assert http.request("POST", URL, json={}, idempotent=False, endpoint_class="customers").status_code == 201
    http, adapter = layer([requests.ReadTimeout("read timed out")])
    with pytest.raises(TransportError) as caught:
        http.request("POST", URL, json={}, idempotent=False, endpoint_class="customers")
    assert caught.value.request_sent is True
    assert len(adapter.sent) == 1


def test_reads_survive_timeouts_and_drops_but_attempts_are_bounded():
    answers = [requests.ReadTimeout("t"), requests.ConnectionError("reset"), (200, {"ok": 1})]
    http, _ = layer(answers)
    assert http.request("GET", URL, idempotent=True, endpoint_class="customers").json() == {"ok": 1}
    http, adapter = layer(lambda request: (503, {"code": "service_unavailable"}), max_attempts=3)
    with pytest.raises(ServerError):
        http.request("GET", URL, idempotent=True, endpoint_class="customers")
    assert len(adapter.sent) == 3


def test_a_long_retry_after_is_raised_for_the_caller_to_reschedule():
    http, adapter = layer([(429, {}, {"Retry-After": "3600"})])
    with pytest.raises(RateLimited) as caught:
        http.request("GET", URL, idempotent=True, endpoint_class="customers")
    assert caught.value.retry_after == 3600
    assert len(adapter.sent) == 1


def test_before_attempt_runs_per_attempt_and_its_headers_are_sent_but_not_audited():
    exchanges, tokens = [], iter(["tok-1", "tok-2"])
    http, adapter = layer([(500, {}), (200, {})], exchanges)
    http.request(
        "GET",
        URL,
        idempotent=True,
        endpoint_class="customers",
        before_attempt=lambda: {"Authorization": f"Bearer {next(tokens)}"},
    )
    assert [r.headers["Authorization"] for r in adapter.sent] == ["Bearer tok-1", "Bearer tok-2"]
    assert all(e.request_headers["Authorization"] == REDACTED for e in exchanges)
    assert "tok-" not in repr(exchanges)


def test_a_failing_audit_callback_does_not_fail_the_call():
    def broken(exchange):
        raise RuntimeError("audit store down")

    session, _ = stub_session([(200, {"ok": 1})])
    http = HttpLayer(
        session, timeouts=Timeouts(), policy=RetryPolicy(), redactor=Redactor(), on_exchange=broken
    )
    assert http.request("GET", URL, idempotent=True, endpoint_class="x").status_code == 200


def test_retry_lines_show_the_url_and_the_error_redacted(caplog):
    answers = [(503, {"message": "refused Bearer abcdefgh12345"}), (200, {})]
    http, _ = layer(answers)
    with caplog.at_level("INFO", logger="sync.trackunit.http"):
        http.request("GET", f"{URL}?page=1&access_token=tok-in-query", idempotent=True, endpoint_class="x")
    line = caplog.messages[0]
    assert "retrying in" in line
    assert f"page=1&access_token={REDACTED}" in line
    assert "tok-in-query" not in line
    assert "abcdefgh12345" not in line


def test_a_redirect_is_refused_and_audited_never_followed():
    exchanges = []
    http, adapter = layer(
        [(307, None, {"Location": "https://elsewhere.test/steal?client_secret=s"})], exchanges
    )
    with pytest.raises(RedirectRefused) as caught:
        http.request("GET", URL, idempotent=True, endpoint_class="customers")
    assert caught.value.host == "elsewhere.test"
    assert "elsewhere.test" in str(caught.value)
    assert "client_secret=s" not in str(caught.value)
    assert len(adapter.sent) == 1
    assert exchanges[0].status == 307
    assert exchanges[0].error.startswith("RedirectRefused")


def test_an_answer_over_the_cap_is_refused_and_audited_without_its_body():
    exchanges = []
    session, adapter = stub_session([(200, b"x" * 101)])
    http = HttpLayer(
        session,
        timeouts=Timeouts(),
        policy=RetryPolicy(),
        redactor=Redactor(),
        on_exchange=exchanges.append,
        max_response_bytes=100,
    )
    with pytest.raises(ResponseTooLarge, match=r"larger than TRACKUNIT_MAX_RESPONSE_BYTES \(100 bytes\)"):
        http.request("GET", URL, idempotent=True, endpoint_class="customers")
    assert len(adapter.sent) == 1
    assert exchanges[0].response_body is None
    assert exchanges[0].error.startswith("ResponseTooLarge")
