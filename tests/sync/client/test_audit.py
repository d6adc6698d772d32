"""What the audit callback receives: every attempt, token requests included, and never a credential."""

import base64
import time

from sync.trackunit.auth import Token


def test_exchanges_cover_every_attempt_and_carry_no_secret(sandbox, make_client):
    exchanges = []
    client = make_client(on_exchange=exchanges.append)
    seen_tokens = set()

    def remember_tokens():
        cached = client.tokens.cached()
        seen_tokens.update({cached.access_token, cached.refresh_token})

    client.request_json("GET", "/customer/v1/customers")
    remember_tokens()
    # A revoked token forces a 401, a refresh-token grant and a retry.
    client.tokens.store(
        Token(
            access_token="revoked-token-xyz",
            expires_at=time.time() + 600,
            lifetime=600,
            refresh_token=client.tokens.cached().refresh_token,
        )
    )
    created = client.request_json(
        "POST", "/customer/v1/customers", json={"name": "Audit Ltd", "type": "OTHER"}
    )
    remember_tokens()
    client.request("DELETE", f"/customer/v1/customers/{created['id']}")

    summary = [(e.method, e.url.split("/", 3)[-1], e.status, e.attempt, e.endpoint_class) for e in exchanges]
    assert summary == [
        ("POST", "token", 200, 1, "auth"),
        ("GET", "api/customer/v1/customers", 200, 1, "customers"),
        ("POST", "api/customer/v1/customers", 401, 1, "customers"),
        ("POST", "token", 200, 1, "auth"),
        ("POST", "api/customer/v1/customers", 201, 1, "customers"),
        ("DELETE", f"api/customer/v1/customers/{created['id']}", 204, 1, "customers"),
    ]
    assert exchanges[2].error.startswith("Unauthorized")
    assert "refresh_token" in exchanges[3].request_body
    assert all(e.duration_ms >= 0 and e.started_at for e in exchanges)

    # Failed attempts are exchanges too, each with its attempt number and error.
    exchanges.clear()
    sandbox.set_faults(error_rate=0.6, seed=2)
    client.request_json("GET", "/customer/v1/customers")
    attempts = [(e.attempt, e.status, e.error is None) for e in exchanges]
    assert len(attempts) >= 2
    assert attempts[-1] == (len(attempts), 200, True)
    assert all(status in (500, 503) and not ok for _, status, ok in attempts[:-1])
    remember_tokens()

    basic = base64.b64encode(f"{sandbox.client_id}:{sandbox.client_secret}".encode()).decode()
    everything = repr(exchanges)
    for secret in {sandbox.client_secret, sandbox.password, basic, "revoked-token-xyz", *seen_tokens}:
        assert secret not in everything
