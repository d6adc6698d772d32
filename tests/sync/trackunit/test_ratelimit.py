import math
import time
from collections import Counter

import pytest

from sync.trackunit import ratelimit
from sync.trackunit.errors import LocalRateLimitExceeded
from sync.trackunit.ratelimit import RateLimiter


def test_paths_map_to_their_budget():
    assert ratelimit.classify_api_path("/rental/v1/synchronization") == ratelimit.RENTAL
    assert ratelimit.classify_api_path("/customer/v1/customers/1/contacts") == ratelimit.CUSTOMERS
    assert ratelimit.classify_api_path("/custom-fields/v1/values") == ratelimit.CUSTOM_FIELDS
    assert ratelimit.classify_api_path("/asset/v1/assets") == ratelimit.ASSETS
    assert ratelimit.classify_api_path("/site/v1/sites") == ratelimit.SITES
    assert ratelimit.classify_api_path("/unknown/v1/x") == ratelimit.OTHER
    assert ratelimit.classify_aemp_path("/Fleet/3") == ratelimit.AEMP_FLEET
    assert ratelimit.classify_aemp_path("/Fleet/Equipment/ID/PIN1") == ratelimit.AEMP_ELEMENT
    assert ratelimit.buckets_for(ratelimit.RENTAL) == (ratelimit.RENTAL, ratelimit.ACCOUNT_REST)
    assert ratelimit.buckets_for(ratelimit.AEMP_FLEET) == (ratelimit.AEMP_FLEET,)


def _start_of_a_second(redis_conn) -> int:
    """Sleep into the first few ms of the next clock second (Redis runs on this machine's clock), once
    Redis holds the limiter's script, so the first request of the test is no slower than the others."""
    RateLimiter(redis_conn, {"other": 1}, key_prefix="warm-up", sleep=lambda s: None).acquire("other")
    now = time.time()
    time.sleep(math.ceil(now) - now + 0.002)
    return math.floor(time.time())


def test_a_second_holds_the_limit_spread_over_its_first_part_and_no_more(redis_conn, prefix):
    limiter = RateLimiter(redis_conn, {"aemp_fleet": 20}, key_prefix=prefix, safety=0.9, sleep=lambda s: None)
    second = _start_of_a_second(redis_conn)
    # Trackunit counts requests per second of its clock: 20 go in its first 0.9 s, 45 ms apart, the 21st
    # when the next second begins.
    slots = [_slot(limiter, "aemp_fleet") for _ in range(21)]
    assert all(second <= slot < second + 0.9 for slot in slots[:20])
    assert slots[19] - slots[0] >= 19 * 0.045 - 0.01
    assert slots[20] == pytest.approx(second + 1, abs=0.005)


def _slot(limiter: RateLimiter, endpoint_class: str) -> float:
    """When the request goes, on this machine's clock: the limiter reads Redis's (the same clock) between
    asking and answering, so the latest bound is taken (slots lie 18 ms or more away from a second's end)."""
    wait = limiter.acquire(endpoint_class)
    return time.time() + wait


def test_every_second_is_used_up_to_the_limit_and_no_further(redis_conn, prefix):
    """Callers that book without sleeping (as if each waited): the seconds their requests fall into."""
    limit = 20
    limiter = RateLimiter(redis_conn, {"assets": limit}, key_prefix=prefix, safety=0.9, sleep=lambda s: None)
    second = _start_of_a_second(redis_conn)
    seconds = [math.floor(_slot(limiter, "assets")) for _ in range(5 * limit)]
    assert Counter(seconds) == {second + n: limit for n in range(5)}


def test_no_request_is_booked_in_the_last_part_of_a_second(redis_conn, prefix):
    """With safety 0.9 a request asked for 0.95 s into a second goes at the next one: sent that late, a
    delay on its way could carry it into the next second at Trackunit, where it would be one too many."""
    limiter = RateLimiter(redis_conn, {"sites": 5}, key_prefix=prefix, safety=0.9, sleep=lambda s: None)
    second = _start_of_a_second(redis_conn)
    time.sleep(0.94)
    asked = time.time()
    assert asked + limiter.acquire("sites") == pytest.approx(second + 1, abs=0.005)


def test_the_account_budget_is_shared_by_every_rest_class(redis_conn, prefix):
    limits = {"account_rest": 10, "rental": 100}
    limiter = RateLimiter(redis_conn, limits, key_prefix=prefix, safety=0.9, sleep=lambda s: None)
    second = _start_of_a_second(redis_conn)
    for _ in range(10):
        limiter.acquire("rental")
    # Customers has no limit of its own but still waits for the account budget rental used up.
    asked = time.time()
    assert asked + limiter.acquire("customers") == pytest.approx(second + 1, abs=0.005)
    assert limiter.acquire("aemp_element") == 0.0


def test_a_limit_below_one_a_second_counts_windows_of_several_seconds(redis_conn, prefix):
    limiter = RateLimiter(redis_conn, {"sites": 0.5}, key_prefix=prefix, safety=1.0, sleep=lambda s: None)
    assert limiter.window("sites") == 2.0
    first = _slot(limiter, "sites")
    second = _slot(limiter, "sites")
    assert math.floor(second / 2) == math.floor(first / 2) + 1
    assert second - first >= 1.99


def test_the_dashboard_sees_a_full_budget_booked_ahead(redis_conn, prefix):
    limiter = RateLimiter(redis_conn, {"sites": 2}, key_prefix=prefix, safety=1.0, sleep=lambda s: None)
    assert limiter.booked_ahead() == {"sites": 0.0}
    second = _start_of_a_second(redis_conn)
    limiter.acquire("sites")
    limiter.acquire("sites")
    asked = time.time()
    assert asked + limiter.booked_ahead()["sites"] == pytest.approx(second + 1, abs=0.005)


def test_a_wait_past_the_maximum_is_refused_and_books_nothing(redis_conn, prefix):
    limiter = RateLimiter(
        redis_conn,
        {"sites": 1, "account_rest": 0},
        key_prefix=prefix,
        safety=1.0,
        max_wait=1.5,
        sleep=lambda s: None,
    )
    _start_of_a_second(redis_conn)
    limiter.acquire("sites")
    limiter.acquire("sites")
    with pytest.raises(LocalRateLimitExceeded) as caught:
        limiter.acquire("sites")
    assert 1.5 < caught.value.retry_after <= 2.0
    with pytest.raises(LocalRateLimitExceeded):
        limiter.acquire("sites")


def test_a_429_defers_every_process_using_the_same_budgets(redis_conn, prefix):
    limits = {"account_rest": 50, "rental": 50}
    limiter = RateLimiter(redis_conn, limits, key_prefix=prefix, safety=1.0, sleep=lambda s: None)
    other_process = RateLimiter(redis_conn, limits, key_prefix=prefix, safety=1.0, sleep=lambda s: None)
    limiter.defer("rental", 2.0)
    assert 1.9 <= other_process.acquire("customers") <= 2.0
    assert other_process.acquire("aemp_fleet") == 0.0
