"""Rate limits: REST per second over all clients, ISO export per URL (window + pool) and per second.

api-docs/rate-limit.md (429; [A] Retry-After) and api-docs/export-iso-15143-3-aemp-20-api-intro.md.
"""

import time


def test_rest_limit_per_second_answers_429_with_retry_after(sandbox):
    sandbox.set_faults(rate_limit_per_s=5)
    while time.time() % 1 > 0.5:
        time.sleep(0.05)
    statuses = [sandbox.api("GET", "/asset/v1/assets", params={"size": 1}) for _ in range(8)]
    codes = [s.status_code for s in statuses]
    assert codes.count(200) == 5
    limited = next(s for s in statuses if s.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["status"] == 429
    assert limited.json()["code"] == "too_many_requests"


def test_limit_is_shared_by_all_clients_and_zero_means_unlimited(sandbox):
    sandbox.set_faults(rate_limit_per_s=3)
    while time.time() % 1 > 0.5:
        time.sleep(0.05)
    v1, v2 = sandbox.token(), sandbox.fetch_token_v2()["access_token"]
    codes = [sandbox.api("GET", "/asset/v1/assets", token=t).status_code for t in (v1, v2, v1, v2)]
    assert codes.count(429) == 1
    sandbox.set_faults(rate_limit_per_s=0)
    assert all(sandbox.api("GET", "/asset/v1/assets").status_code == 200 for _ in range(10))


def test_aemp_one_request_per_url_per_window_plus_pool(sandbox_factory):
    small = sandbox_factory("--assets", "5", "--aemp-url-window", "2", "--aemp-url-pool", "2")
    codes = [small.aemp("/Fleet/1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = small.aemp("/Fleet/1")
    assert 1 <= int(limited.headers["Retry-After"]) <= 2
    assert small.aemp("/Fleet/1?addMetadata=true").status_code == 200
    time.sleep(int(limited.headers["Retry-After"]))
    assert small.aemp("/Fleet/1").status_code == 200


def test_aemp_per_second_limits(sandbox_factory):
    small = sandbox_factory("--assets", "5", "--aemp-fleet-per-s", "2", "--aemp-url-pool", "100")
    while time.time() % 1 > 0.5:
        time.sleep(0.05)
    codes = [small.aemp(f"/Fleet/{n}").status_code for n in range(1, 5)]
    assert codes == [200, 200, 429, 429]


def test_reset_clears_counters(sandbox):
    sandbox.set_faults(rate_limit_per_s=1)
    sandbox.api("GET", "/asset/v1/assets")
    sandbox.reset()
    assert sandbox.faults()["rate_limit_per_s"] == 0
    assert sandbox.api("GET", "/asset/v1/assets").status_code == 200
