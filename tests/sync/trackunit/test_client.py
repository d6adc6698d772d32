import json

import pytest

from sync.trackunit.client import ClientConfig, TrackunitClient
from sync.trackunit.errors import ServerError, Unauthorized
from tests.sync.trackunit.stubs import stub_session


def client_with(answer, redis_conn, prefix):
    session, adapter = stub_session(answer)
    config = ClientConfig(
        api_url="https://iris.test/api",
        auth_url="https://auth.test",
        aemp_url="https://iris.test/aemp",
        auth_flow="password",
        client_id="client",
        client_secret="client-secret-value",
        username="user",
        password="user-password-value",
        redis_prefix=prefix,
        max_attempts=3,
        backoff_base=0.01,
    )
    client = TrackunitClient(config, redis_client=redis_conn, session=session, sleep=lambda s: None)
    return client, adapter


def test_a_second_401_after_reauth_is_raised_not_looped(redis_conn, prefix):
    def answer(request):
        if request.url.endswith("/token"):
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "tok"}
        return 401, {"status": 401, "code": "unauthorized", "message": "no"}

    client, adapter = client_with(answer, redis_conn, prefix)
    with pytest.raises(Unauthorized):
        client.request("GET", "/asset/v1/assets")
    assert [r.url.rsplit("/", 1)[-1] for r in adapter.sent] == ["token", "assets", "token", "assets"]


def test_posts_are_creates_unless_declared_idempotent(redis_conn, prefix):
    answers = iter([(500, {}), (200, {"ok": 1})])

    def answer(request):
        if request.url.endswith("/token"):
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "tok"}
        return next(answers)

    client, adapter = client_with(answer, redis_conn, prefix)
    with pytest.raises(ServerError):
        client.request("POST", "/customer/v1/customers", json={"name": "x"})
    answers = iter([(500, {}), (200, {"ok": 1})])
    response = client.request("POST", "/rental/v1/synchronization", json={"a": 1}, idempotent=True)
    assert response.json() == {"ok": 1}
    assert json.loads(adapter.sent[-1].body) == {"a": 1}
    assert adapter.sent[-1].headers["Authorization"] == "Bearer tok"
