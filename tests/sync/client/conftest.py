import os

import pytest

from sync.trackunit.client import ClientConfig, TrackunitClient
from sync.trackunit.endpoints import TrackunitApi
from tests.sync.trackunit.stubs import redis_client, unique_prefix


@pytest.fixture
def prefix():
    """Redis keys of this test's own (token, budgets), removed afterwards."""
    value = unique_prefix()
    yield value
    connection = redis_client()
    for key in connection.scan_iter(match=f"*{value}*"):
        connection.delete(key)
    connection.close()


@pytest.fixture
def client_config(sandbox, prefix):
    """ClientConfig for a sandbox (the session one unless given); fast backoff, no local limits."""

    def build(handle=None, **overrides) -> ClientConfig:
        target = handle or sandbox
        fields = {
            "api_url": target.api_url,
            "auth_url": target.auth_url,
            "aemp_url": target.aemp_url,
            "auth_flow": "password",
            "client_id": target.client_id,
            "client_secret": target.client_secret,
            "username": target.username,
            "password": target.password,
            "scopes": ("api", "offline_access"),
            "redis_url": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "redis_prefix": prefix,
            "read_timeout": 5.0,
            "backoff_base": 0.05,
            "backoff_max": 0.5,
            "max_attempts": 10,
            "rate_limits": {},
        }
        return ClientConfig(**{**fields, **overrides})

    return build


@pytest.fixture
def make_client(client_config):
    clients: list[TrackunitClient] = []

    def build(handle=None, *, on_exchange=None, **overrides) -> TrackunitClient:
        client = TrackunitClient(client_config(handle, **overrides), on_exchange=on_exchange)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def api(make_client) -> TrackunitApi:
    return TrackunitApi(make_client(), page_size=100)
