import pytest

from tests.sync.trackunit.stubs import redis_client, unique_prefix


@pytest.fixture
def redis_conn():
    client = redis_client()
    yield client
    client.close()


@pytest.fixture
def prefix(redis_conn):
    """A Redis key prefix of this test's own, removed afterwards."""
    value = unique_prefix()
    yield value
    for key in redis_conn.scan_iter(match=f"*{value}*"):
        redis_conn.delete(key)
