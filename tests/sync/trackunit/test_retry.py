import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from sync.trackunit.errors import RateLimited, ServerError, TransportError, ValidationFailed
from sync.trackunit.retry import RetryPolicy, is_retryable, parse_retry_after


def policy(**kwargs) -> RetryPolicy:
    return RetryPolicy(rng=random.Random(7), **kwargs)


def test_backoff_doubles_with_equal_jitter_and_stays_under_the_cap():
    p = policy(base_delay=0.5, max_delay=4.0)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (9, 4.0)]:
        delays = [p.backoff(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        # The random half really varies, so processes that failed together spread out.
        assert max(delays) - min(delays) > ceiling / 4


def test_retry_after_is_a_floor_with_a_little_jitter():
    p = policy(base_delay=0.5)
    delays = [p.delay(1, RateLimited("slow down", status=429, retry_after=3.0)) for _ in range(100)]
    assert all(3.0 <= d <= 3.5 for d in delays)


def test_retry_after_beyond_the_maximum_is_left_to_the_caller():
    p = policy(max_retry_after=60)
    assert p.delay(1, RateLimited("later", status=429, retry_after=3600)) is None


def test_attempts_are_bounded():
    p = policy(max_attempts=3)
    error = ServerError("boom", status=500)
    assert p.delay(2, error) is not None
    assert p.delay(3, error) is None


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (ValidationFailed("bad", status=400), True, False),
        (RateLimited("slow", status=429), False, True),
        (ServerError("unavailable", status=503), False, True),
        (ServerError("boom", status=500), False, False),
        (ServerError("gateway timeout", status=504), False, False),
        (ServerError("boom", status=500), True, True),
        (TransportError("refused", request_sent=False), False, True),
        (TransportError("read timeout", request_sent=True), False, False),
        (TransportError("read timeout", request_sent=True), True, True),
    ],
)
def test_what_is_retried(error, idempotent, expected):
    assert is_retryable(error, idempotent=idempotent) is expected
