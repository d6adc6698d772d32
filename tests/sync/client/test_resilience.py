"""Faults at the sandbox: every idempotent call still completes, and 4xx errors are never repeated."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.errors import ValidationFailed


def test_a_429_storm_and_20_percent_5xx_still_complete_every_call(sandbox, make_client):
    api = TrackunitApi(make_client(), page_size=5)
    api.client.tokens.token()
    assets = [a for a in api.list_assets() if a["permissions"]["edit"]][:12]
    since = sandbox.requests()[-1]["id"]
    sandbox.set_faults(storm_429_rate=0.3, error_rate=0.2, drop_rate=0.05, seed=11)

    def work(index: int) -> tuple[int, bool]:
        page = api.client.request_json("GET", wire.ASSETS, params={"page": index, "size": 1})
        body = wire.synchronization_body(
            identifier_type="ASSET_ID", identifier=assets[index]["id"], rental_status="AVAILABLE"
        )
        return page["number"], api.synchronize_rental(body).matched

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, range(len(assets))))

    assert results == [(index, True) for index in range(len(assets))]
    log = sandbox.requests(since)
    statuses = {entry["status"] for entry in log}
    assert {429, 500, 503} <= statuses, "the faults did fire"
    assert len([e for e in log if e["status"] == 200]) == 2 * len(assets)


def test_a_validation_error_is_raised_once_with_its_violations(sandbox, api):
    api.client.tokens.token()
    since = sandbox.requests()[-1]["id"]
    with pytest.raises(ValidationFailed) as caught:
        api.create_customer({"name": "", "type": "NOT_A_TYPE"})
    assert caught.value.status == 400
    assert caught.value.code == wire.CONSTRAINT_VIOLATION
    assert {v["field"] for v in caught.value.violations} >= {"type"}
    assert [(e["method"], e["status"]) for e in sandbox.requests(since)] == [("POST", 400)]
