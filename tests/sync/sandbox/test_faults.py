"""Fault injection: latency, errors, hangs, drops and 429 storms, reproducible from the seed."""

import time

import pytest
import requests


@pytest.fixture(autouse=True)
def _token_before_faults(sandbox):
    """The faults are aimed at API calls: the token is taken first, as a client mid-session holds one, so a
    test run alone does not meet them at /token instead."""
    sandbox.token()


def _statuses(sandbox, count):
    out = []
    for _ in range(count):
        try:
            out.append(sandbox.api("GET", "/asset/v1/assets", params={"size": 1}, timeout=2).status_code)
        except requests.ConnectionError:
            out.append("dropped")
    return out


def test_settings_can_be_read_and_validated(sandbox):
    assert sandbox.set_faults(error_rate=0.5)["error_rate"] == 0.5
    assert sandbox.faults()["error_rate"] == 0.5
    for bad in ({"error_rate": 2}, {"nonsense": 1}, {"latency_ms": -1}, {"seed": "x"}):
        answer = requests.post(f"{sandbox.url}/_sandbox/faults", json=bad)
        assert answer.status_code == 400
    assert sandbox.faults()["error_rate"] == 0.5


def test_errors_are_500_or_503_and_reproducible_from_the_seed(sandbox):
    sandbox.set_faults(error_rate=0.5, seed=7)
    first = _statuses(sandbox, 20)
    sandbox.set_faults(seed=7)
    assert _statuses(sandbox, 20) == first
    assert set(first) == {200, 500, 503}


def test_storm_gives_429_with_retry_after(sandbox):
    sandbox.set_faults(storm_429_rate=1.0)
    answer = sandbox.api("GET", "/asset/v1/assets")
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.json()["code"] == "too_many_requests"


def test_drops_close_the_connection_without_an_answer(sandbox):
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        sandbox.api("GET", "/asset/v1/assets")
    assert sandbox.requests()[-1]["dropped"] is True


def test_hangs_outlast_the_client_timeout(sandbox):
    sandbox.set_faults(hang_rate=1.0, hang_ms=1500)
    with pytest.raises(requests.Timeout):
        sandbox.api("GET", "/asset/v1/assets", timeout=0.3)


def test_latency_is_added(sandbox):
    sandbox.set_faults(latency_ms=200)
    started = time.monotonic()
    sandbox.api("GET", "/asset/v1/assets")
    assert time.monotonic() - started >= 0.2


def test_faults_also_hit_token_and_aemp_but_never_sandbox(sandbox):
    sandbox.set_faults(error_rate=1.0)
    assert requests.post(f"{sandbox.auth_url}/token", data={"grant_type": "password"}).status_code in (
        500,
        503,
    )
    assert sandbox.aemp("/Fleet/1").status_code in (500, 503)
    assert requests.get(f"{sandbox.url}/_sandbox/state").status_code == 200


def test_startup_faults_come_back_on_reset(sandbox_factory):
    faulty = sandbox_factory("--assets", "5", "--faults", '{"error_rate": 1.0}')
    faulty.set_faults(error_rate=0.0)
    assert faulty.api("GET", "/asset/v1/assets").status_code == 200
    faulty.reset()
    assert faulty.api("GET", "/asset/v1/assets").status_code in (500, 503)
