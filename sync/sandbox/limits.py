"""Rate limits per customer account, counted over all clients as Trackunit does.

api-docs/rate-limit.md (429, no published REST figure: [A] configurable) and the limits section of
api-docs/export-iso-15143-3-aemp-20-api-intro.md.
REST APIs: `rate_limit_per_s` requests per one-second window (0 = unlimited).
ISO export: one request per URL per window (15 minutes) plus a pool of extra requests per URL, each
returned after 30 days; and per second at most 50 fleet-page and 500 single-element requests.
"""

import math
import threading
from collections import deque

POOL_RECOVERY_S = 30 * 24 * 3600


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
        self.message = message


class Limits:
    def __init__(
        self, *, aemp_url_window_s: float, aemp_url_pool: int, fleet_per_s: int, equipment_per_s: int
    ):
        self.aemp_url_window_s = aemp_url_window_s
        self.aemp_url_pool = aemp_url_pool
        self.per_second = {"aemp_fleet": fleet_per_s, "aemp_equipment": equipment_per_s}
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}
        self._url_last: dict[str, float] = {}
        self._url_pool: dict[str, deque[float]] = {}

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self._url_last.clear()
            self._url_pool.clear()

    def hit_per_second(self, bucket: str, limit: int, now: float) -> None:
        """Count one request in this second's window; fixed windows keep the check O(1) under load."""
        if limit <= 0:
            return
        second = int(now)
        with self._lock:
            window, count = self._windows.get(bucket, (second, 0))
            if window != second:
                window, count = second, 0
            if count >= limit:
                raise RateLimited(1, f"more than {limit} requests per second")
            self._windows[bucket] = (window, count + 1)

    def hit_aemp(self, bucket: str, url: str, now: float) -> None:
        self.hit_per_second(bucket, self.per_second[bucket], now)
        with self._lock:
            last = self._url_last.get(url)
            if last is None or now - last >= self.aemp_url_window_s:
                self._url_last[url] = now
                return
            pool = self._url_pool.setdefault(url, deque())
            while pool and now - pool[0] >= POOL_RECOVERY_S:
                pool.popleft()
            if len(pool) < self.aemp_url_pool:
                pool.append(now)
                return
            wait = math.ceil(last + self.aemp_url_window_s - now)
        raise RateLimited(
            wait, f"one request per URL per {self.aemp_url_window_s:g} s and the extra pool is used up"
        )
