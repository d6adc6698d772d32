"""Two OS processes share one Redis budget: the server never sees more than the limit in a second."""

import multiprocessing
from bisect import bisect_left
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from tests.sync.client.budget_worker import run_calls

LIMIT = 10


def _times(entries) -> list[float]:
    """When each request reached the sandbox: it logs a request once answered, `durationMs` later."""
    return sorted(
        datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")).timestamp() - e["durationMs"] / 1000
        for e in entries
    )


def busiest_second(entries) -> int:
    """Requests in the busiest second of the clock, as Trackunit (and the sandbox) count them."""
    return max(Counter(int(t) for t in _times(entries)).values())


def busiest_stretch_of_one_second(entries) -> int:
    times = _times(entries)
    return max(bisect_left(times, t + 1.0) - i for i, t in enumerate(times))


def test_two_processes_share_one_budget_and_one_login(sandbox, client_config):
    sandbox.set_faults(rate_limit_per_s=LIMIT)
    config = client_config(rate_limits={"account_rest": LIMIT})
    # Spawned, not forked: two fresh interpreters, as two Celery worker processes would be.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(run_calls, [config, config], [15, 15], timeout=60))
    assert done == [15, 15]
    log = sandbox.requests()
    api = [e for e in log if e["path"].startswith("/api/")]
    assert len(api) == 30
    assert not [e for e in api if e["status"] == 429]
    assert busiest_second(api) <= LIMIT
    # Spread over each second, so even a second-long stretch across two holds at most one more.
    assert busiest_stretch_of_one_second(api) <= LIMIT + 1
    assert len([e for e in log if e["path"] == "/token"]) == 1
