"""Trackunit's rate limits, shared by every process and Celery worker through Redis.

Celery's `rate_limit` counts per worker process, so the budget lives in Redis instead. Trackunit counts
requests per second of its clock, so the limiter counts the same windows: per endpoint class, at most
`limit` requests in each clock second (for fractional limits, `capacity` per `capacity / limit` seconds).
Within a second requests are spread evenly over its first `safety` share (settings: half), one every
`safety / limit` seconds: one sent late or delayed on its way (a busy worker, the network) still reaches
Trackunit within its own second, and a one-second stretch across two seconds holds at most one more than
the limit, should Trackunit count that way. Those slots come faster than the limit itself, so a slot no
caller was ready for is made up later in the same second: the push runs at the limit, not below it. Time
comes from the Redis server, so processes on machines with different clocks agree; like Trackunit's
servers it is assumed to run on NTP time.
"""

from __future__ import annotations

import math
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


# KEYS[1..n]: each budget's cell "window:count:last" (its latest window booked, that window's requests, its
# latest slot); KEYS[n+1..2n]: each budget's hold (no request before it, after a 429). ARGV[1]: max wait µs;
# ARGV[1 + i]: capacity of budget i; ARGV[1 + n + i]: its window µs; ARGV[1 + 2n + i]: the µs at the start of
# each window in which it books. The slot is the earliest time, from now on and a spacing (open part /
# capacity) after each budget's latest slot, that lies in the open part of a window with room in every
# budget; each budget then counts it. Returns the µs to sleep until the slot, or -(µs) when that exceeds the
# max wait; nothing is booked then, so a refused caller costs the others nothing.
_RESERVE_SLOT = """
local n = #KEYS / 2
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local slot = now
local cells = {}
for i = 1, n do
  local cell = redis.call('GET', KEYS[i])
  local window, count, last = -1, 0, 0
  if cell then
    local first_sep = string.find(cell, ':')
    local second_sep = string.find(cell, ':', first_sep + 1)
    window = tonumber(string.sub(cell, 1, first_sep - 1))
    count = tonumber(string.sub(cell, first_sep + 1, second_sep - 1))
    last = tonumber(string.sub(cell, second_sep + 1))
  end
  cells[i] = {window, count, last}
  slot = math.max(slot, tonumber(redis.call('GET', KEYS[n + i]) or '0'))
end
local moved = true
while moved do
  moved = false
  for i = 1, n do
    local capacity, size = tonumber(ARGV[1 + i]), tonumber(ARGV[1 + n + i])
    local open = tonumber(ARGV[1 + 2 * n + i])
    local next_slot = math.max(slot, cells[i][3] + math.floor(open / capacity))
    local window = math.floor(next_slot / size)
    if window < cells[i][1] then
      next_slot = cells[i][1] * size
      window = cells[i][1]
    end
    if (window == cells[i][1] and cells[i][2] >= capacity) or next_slot - window * size >= open then
      next_slot = (window + 1) * size
    end
    if next_slot ~= slot then
      slot = next_slot
      moved = true
    end
  end
end
local wait = slot - now
if wait > tonumber(ARGV[1]) then return -wait end
for i = 1, n do
  local size = tonumber(ARGV[1 + n + i])
  local window = math.floor(slot / size)
  local count = 1
  if window == cells[i][1] then count = cells[i][2] + 1 end
  local ttl = math.floor((wait + size) / 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%d:%d:%d', window, count, slot), 'PX', ttl)
end
return wait
"""

# KEYS: the holds of one request's budgets; ARGV[1]: µs from now before any of them may be used again.
_DEFER = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local resume = now + tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  local hold = tonumber(redis.call('GET', key) or '0')
  if hold < resume then
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

    def capacity(self, bucket: str) -> int:
        """Requests one window of this budget holds: the limit per second, at least one."""
        return max(1, math.floor(self._limits[bucket]))

    def window(self, bucket: str) -> float:
        """Seconds each window of this budget lasts: one second, or `capacity / limit` below 1/s."""
        return self.capacity(bucket) / self._limits[bucket]

    def _args(self, bucket: str) -> tuple[int, int, int]:
        size = int(self.window(bucket) * 1_000_000)
        return self.capacity(bucket), size, int(size * self._safety)

    def _limited_buckets(self, endpoint_class: str) -> list[str]:
        return [bucket for bucket in buckets_for(endpoint_class) if bucket in self._limits]

    def _key(self, bucket: str) -> str:
        return f"{self._prefix}:{bucket}:window"

    def _hold_key(self, bucket: str) -> str:
        return f"{self._prefix}:{bucket}:hold"

    def defer(self, endpoint_class: str, seconds: float) -> None:
        """Holds every process off these budgets for `seconds`: a 429 from Trackunit pauses all workers,
        not just the one that received it."""
        keys = [self._hold_key(bucket) for bucket in self._limited_buckets(endpoint_class)]
        if keys and seconds > 0:
            self._defer(keys=keys, args=[int(seconds * 1_000_000)])

    def booked_ahead(self) -> dict[str, float]:
        """Per budget, the seconds until it has room for one more request (0 when it has room now):
        how close the account is to its limits, for the dashboard."""
        names = sorted(self._limits)
        pipe = self._redis.pipeline(transaction=False)
        pipe.time()
        for name in names:
            pipe.get(self._key(name))
            pipe.get(self._hold_key(name))
        (seconds, micros), *cells = pipe.execute()
        now = seconds * 1_000_000 + micros
        ahead = {}
        for position, name in enumerate(names):
            cell, hold = cells[2 * position], int(cells[2 * position + 1] or 0)
            booked, count, last = (int(part) for part in cell.split(b":")) if cell else (-1, 0, 0)
            capacity, size, open_us = self._args(name)
            slot = max(now, hold, booked * size, last + open_us // capacity)
            window = slot // size
            if (window == booked and count >= capacity) or slot - window * size >= open_us:
                slot = (window + 1) * size
            ahead[name] = (slot - now) / 1e6
        return ahead

    def limit(self, bucket: str) -> float:
        return self._limits[bucket]

    def acquire(self, endpoint_class: str) -> float:
        """Waits for a slot and returns the seconds waited; raises LocalRateLimitExceeded past max wait."""
        buckets = self._limited_buckets(endpoint_class)
        if not buckets:
            return 0.0
        reply = int(
            self._script(
                keys=[self._key(bucket) for bucket in buckets]
                + [self._hold_key(bucket) for bucket in buckets],
                args=[int(self._max_wait * 1_000_000)]
                + [self._args(bucket)[0] for bucket in buckets]
                + [self._args(bucket)[1] for bucket in buckets]
                + [self._args(bucket)[2] for bucket in buckets],
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
