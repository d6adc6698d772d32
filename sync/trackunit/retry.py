"""When to try a Trackunit call again, and how long to wait first.

Policy for writes: rental synchronisation, set-values and every PATCH/PUT/DELETE/GET are idempotent
(repeating them leaves the same state), so they are retried on 429, 5xx, timeouts and lost connections.
A POST that creates a record (customer, contact, site, definition, value, assignment) is retried only
when Trackunit provably did not act on it: the connection was never made, or the answer was 429 or 503,
which refuse before processing. After a read timeout, a dropped connection or a 500/502/504 the create
may have happened, so it is raised instead; the sync engine looks the record up by externalReference
before creating it again. A 4xx other than 429 is never retried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from sync.trackunit.errors import RateLimited, ServerError, TrackunitError, TransportError

# 503 means "not processed, come back"; 500/502/504 may hide a request that was applied.
_REFUSED_BEFORE_PROCESSING = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; a Retry-After longer than `max_retry_after` is not waited."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt `attempt` (1-based): "equal jitter", half fixed and half random.

        The fixed half keeps a floor under the wait; the random half spreads processes that failed
        together so they do not come back together.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def delay(self, attempt: int, error: TrackunitError) -> float | None:
        """Seconds to wait before the next attempt, or None when there is to be no next attempt."""
        if attempt >= self.max_attempts:
            return None
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            # Retry-After is a floor; a little jitter keeps waiting processes from returning in step.
            return error.retry_after + self.rng.uniform(0, min(self.base_delay, 1.0))
        return self.backoff(attempt)


def is_retryable(error: TrackunitError, *, idempotent: bool) -> bool:
    """Whether repeating the request that failed with `error` is safe and may help."""
    if isinstance(error, TransportError):
        return idempotent or not error.request_sent
    if isinstance(error, RateLimited | ServerError):
        return idempotent or error.status in _REFUSED_BEFORE_PROCESSING
    return False


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
