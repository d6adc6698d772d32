import itertools

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


def test_slots_are_spaced_evenly_by_the_limit_and_safety(redis_conn, prefix):
    sleeps = []
    limiter = RateLimiter(redis_conn, {"aemp_fleet": 50}, key_prefix=prefix, safety=1.0, sleep=sleeps.append)
    waits = [limiter.acquire("aemp_fleet") for _ in range(10)]
    # Without sleeping, each caller books the next slot: 0, 20ms, 40ms ... (minus the time the loop took).
    steps = [b - a for a, b in itertools.pairwise(waits)]
    assert waits[0] == 0
    assert all(0.015 <= step <= 0.0201 for step in steps)
    assert sleeps == waits[1:]


def test_the_account_budget_is_shared_by_every_rest_class(redis_conn, prefix):
    limits = {"account_rest": 10, "rental": 100}
    limiter = RateLimiter(redis_conn, limits, key_prefix=prefix, safety=1.0, sleep=lambda s: None)
    limiter.acquire("rental")
    # Customers has no limit of its own but still waits for the account budget rental just used.
    assert 0.08 <= limiter.acquire("customers") <= 0.1
    assert limiter.acquire("aemp_element") == 0.0


def test_a_wait_past_the_maximum_is_refused_and_books_nothing(redis_conn, prefix):
    limiter = RateLimiter(
        redis_conn,
        {"sites": 1, "account_rest": 0},
        key_prefix=prefix,
        safety=1.0,
        max_wait=1.5,
        sleep=lambda s: None,
    )
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
