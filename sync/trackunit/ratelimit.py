"""Trackunit's rate limits, shared by every process and Celery worker through Redis.

Celery's `rate_limit` counts per worker process, so the budget lives in Redis instead: one GCRA
("generic cell rate algorithm") cell per endpoint class. Each caller atomically reserves the next free
slot, `1 / rate` seconds after the previous one, and sleeps until it. Burst 1 means requests leave
evenly spaced, so no 1-second window at the server ever holds more than the rate; `safety` trims the
rate a little so network jitter between processes cannot push a window over. Time comes from the
Redis server so processes on machines with different clocks still agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import redis

from sync.trackunit.errors import LocalRateLimitExceeded

RENTAL = "rental"
CUSTOMERS = "customers"
CUSTOM_FIELDS = "custom_fields"
ASSETS = "assets"
SITES = "sites"
AEMP_FLEET = "aemp_fleet"
AEMP_ELEMENT = "aemp_element"
OTHER = "other"
ENDPOINT_CLASSES = (RENTAL, CUSTOMERS, CUSTOM_FIELDS, ASSETS, SITES, AEMP_FLEET, AEMP_ELEMENT, OTHER)

_API_PREFIXES = (
    ("/rental/", RENTAL),
    ("/customer/", CUSTOMERS),
    ("/custom-fields/", CUSTOM_FIELDS),
    ("/asset/", ASSETS),
    ("/site/", SITES),
)


def classify_api_path(path: str) -> str:
    """The budget a REST path (relative to TRACKUNIT_API_URL) draws from."""
    for prefix, endpoint_class in _API_PREFIXES:
        if path.startswith(prefix):
            return endpoint_class
    return OTHER


def classify_aemp_path(path: str) -> str:
    """Fleet pages and single-element requests have separate per-customer limits (50/s and 500/s)."""
    return AEMP_ELEMENT if path.startswith("/Fleet/Equipment") else AEMP_FLEET


# Every REST call also draws from the account-wide REST budget, since Trackunit counts per customer
# account across its REST APIs; the ISO export has its own limits and does not.
ACCOUNT_REST = "account_rest"
_REST_CLASSES = frozenset({RENTAL, CUSTOMERS, CUSTOM_FIELDS, ASSETS, SITES, OTHER})


def buckets_for(endpoint_class: str) -> tuple[str, ...]:
    """The budgets one request of this class uses up."""
    return (endpoint_class, ACCOUNT_REST) if endpoint_class in _REST_CLASSES else (endpoint_class,)


# KEYS: one theoretical-arrival-time cell (µs, Redis clock) per budget the request draws from.
# ARGV[1]: max wait µs; ARGV[1 + i]: interval µs of KEYS[i]. The request's slot is the latest of the cells'
# next free times, and every cell is then booked from that same slot, so each budget sees the real send
# time. Returns the µs to sleep until the slot, or -(µs) when that exceeds the max wait; nothing is booked
# then, so a refused caller costs the others nothing.
_RESERVE_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local slot = now
for _, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat > slot then slot = tat end
end
local wait = slot - now
if wait > tonumber(ARGV[1]) then return -wait end
for i, key in ipairs(KEYS) do
  local next_tat = slot + tonumber(ARGV[i + 1])
  redis.call('SET', key, string.format('%d', next_tat), 'PX', math.floor((next_tat - now) / 1000) + 1000)
end
return wait
"""

# KEYS: the cells of one request's budgets; ARGV[1]: µs from now before any of them may be used again.
_DEFER = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local resume = now + tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < resume then
    redis.call('SET', key, string.format('%d', resume), 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000)
  end
end
return 0
"""


class RateLimiter:
    """Blocks each caller until every budget its endpoint class draws from has room for one more request.

    `limits` maps endpoint classes (and ACCOUNT_REST) to requests per second; a class without a positive
    limit is not limited on its own.
    """

    def __init__(
        self,
        client: redis.Redis,
        limits: Mapping[str, float],
        *,
        key_prefix: str,
        safety: float = 0.96,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._limits = {name: rate for name, rate in limits.items() if rate and rate > 0}
        # The braces keep every budget of one account in one Redis Cluster slot, as the script needs.
        self._prefix = f"{{{key_prefix}}}:ratelimit"
        self._safety = safety
        self._max_wait = max_wait
        self._sleep = sleep
        self._redis = client
        self._script = client.register_script(_RESERVE_SLOT)
        self._defer = client.register_script(_DEFER)

    def interval(self, bucket: str) -> float:
        """Seconds between two requests drawing on this budget, with the safety margin applied."""
        return 1.0 / (self._limits[bucket] * self._safety)

    def _limited_buckets(self, endpoint_class: str) -> list[str]:
        return [bucket for bucket in buckets_for(endpoint_class) if bucket in self._limits]

    def _key(self, bucket: str) -> str:
        return f"{self._prefix}:{bucket}"

    def defer(self, endpoint_class: str, seconds: float) -> None:
        """Holds every process off these budgets for `seconds`: a 429 from Trackunit pauses all workers,
        not just the one that received it."""
        keys = [self._key(bucket) for bucket in self._limited_buckets(endpoint_class)]
        if keys and seconds > 0:
            self._defer(keys=keys, args=[int(seconds * 1_000_000)])

    def booked_ahead(self) -> dict[str, float]:
        """Per budget, the seconds of requests already booked ahead of now (0 when it has room now):
        how close the account is to its limits, for the dashboard."""
        names = sorted(self._limits)
        pipe = self._redis.pipeline(transaction=False)
        pipe.time()
        for name in names:
            pipe.get(self._key(name))
        (seconds, micros), *cells = pipe.execute()
        now = seconds * 1_000_000 + micros
        return {name: max(0.0, (int(cell or 0) - now) / 1e6) for name, cell in zip(names, cells, strict=True)}

    def limit(self, bucket: str) -> float:
        return self._limits[bucket]

    def acquire(self, endpoint_class: str) -> float:
        """Waits for a slot and returns the seconds waited; raises LocalRateLimitExceeded past max wait."""
        buckets = self._limited_buckets(endpoint_class)
        if not buckets:
            return 0.0
        reply = int(
            self._script(
                keys=[self._key(bucket) for bucket in buckets],
                args=[int(self._max_wait * 1_000_000)]
                + [int(self.interval(bucket) * 1_000_000) for bucket in buckets],
            )
        )
        if reply < 0:
            raise LocalRateLimitExceeded(
                f"the {endpoint_class} budget is booked for the next {-reply / 1e6:.1f}s",
                code="local_rate_limit",
                retry_after=-reply / 1e6,
            )
        waited = reply / 1_000_000
        if waited > 0:
            self._sleep(waited)
        return waited
