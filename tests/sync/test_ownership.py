"""Assets another account owns and shares with ours are never written to, and are reported with why.

intro-ownership-and-visibility.md: such an asset carries the owner's `ownerAccountId` and
`permissions.edit: false`; rental-erp-api-intro.md: "Only assets owned by the account can be updated with
data from the ERP system". The sandbox's fleet holds shared assets like that.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from sync.models import OperationStatus, RemoteAsset, RemoteAssetStatus
from sync.plan import make_plan, plan_as_json
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_and_own(sandbox):
    """A local asset for one of our machines and one for a machine another account shares with us."""
    assets = sandbox.state()["assets"]
    own = next(a for a in assets if a["permissions"]["edit"])
    shared = next(a for a in assets if not a["permissions"]["edit"])
    customer = factories.customer(external_reference="CUS-1")
    contract = factories.contract(customer=customer, external_reference="RC-1", start_date=date(2026, 3, 1))
    local_own = factories.asset(external_reference="OWN-1", serial_number=own["serialNumber"])
    # Staff type the serial number with different spacing and case: matching still finds it.
    local_shared = factories.asset(
        external_reference="SHARED-1", serial_number=" " + shared["serialNumber"].lower() + " "
    )
    for asset in (local_own, local_shared):
        factories.item(contract, asset, date(2026, 3, 1))
    return {"own": own, "shared": shared, "local_own": local_own, "local_shared": local_shared}


def test_a_sync_never_writes_to_a_shared_asset_and_says_why(shared_and_own, push, sandbox):
    before = next(a for a in sandbox.state()["assets"] if a["id"] == shared_and_own["shared"]["id"])
    run = push()
    skipped = {
        (op.kind, op.key): op.error_message
        for op in run.operations.filter(status=OperationStatus.SKIPPED)
        if op.key.endswith("SHARED-1")
    }
    assert {kind for kind, _ in skipped} == {"asset_reference", "asset", "customer_asset"}
    assert all("owned by account" in reason or "was not accepted" in reason for reason in skipped.values()), (
        skipped
    )
    state = sandbox.state()
    after = next(a for a in state["assets"] if a["id"] == shared_and_own["shared"]["id"])
    assert after == before
    assert not any(r["assetId"] == before["id"] for r in state["rental"])
    assert not any(a["assetId"] == before["id"] for a in state["customer_assets"])
    # Our own machine went through.
    own = next(a for a in state["assets"] if a["id"] == shared_and_own["own"]["id"])
    assert own["externalReference"] == "OWN-1"
    report = RemoteAsset.objects.get(trackunit_id=before["id"])
    assert report.status == RemoteAssetStatus.FOREIGN
    assert report.asset == shared_and_own["local_shared"]
    assert before["ownerAccountId"] in report.reason


def test_the_next_plan_skips_the_shared_asset_before_sending_anything(shared_and_own, push, sandbox):
    push()
    plan = plan_as_json(make_plan(trigger="test"))
    skipped = {op["key"]: op["skipped"] for op in plan["operations"] if "skipped" in op}
    assert "SHARED-1" in skipped
    assert "which shares it with ours" in skipped["SHARED-1"]
    assert plan["summary"]["skipped"] >= 2


def test_matching_reports_foreign_unmatched_and_matched_assets(shared_and_own, trackunit_settings, sandbox):
    out = StringIO()
    call_command("sync_match_assets", stdout=out)
    fleet = sandbox.state()["assets"]
    foreign = [a for a in fleet if not a["permissions"]["edit"]]
    assert f"{len(foreign)} owned by another account" in out.getvalue()
    assert "1 matched (1 new)" in out.getvalue()
    statuses = dict(RemoteAsset.objects.values_list("trackunit_id", "status"))
    assert statuses[shared_and_own["own"]["id"]] == RemoteAssetStatus.MATCHED
    assert {statuses[a["id"]] for a in foreign} == {RemoteAssetStatus.FOREIGN}
    assert (
        RemoteAsset.objects.filter(status=RemoteAssetStatus.UNMATCHED).count()
        == len(fleet) - len(foreign) - 1
    )
    shared_and_own["local_own"].refresh_from_db()
    assert str(shared_and_own["local_own"].trackunit_asset_id) == shared_and_own["own"]["id"]
    shared_and_own["local_shared"].refresh_from_db()
    assert shared_and_own["local_shared"].trackunit_asset_id is None


def test_the_admin_lists_foreign_assets_with_their_reason(
    shared_and_own, trackunit_settings, admin_client_for, operator_user
):
    call_command("sync_match_assets", stdout=StringIO())
    client = admin_client_for(operator_user)
    page = client.get("/admin/sync/remoteasset/?status=foreign")
    text = page.content.decode()
    assert shared_and_own["shared"]["name"] in text
    assert "which shares it with ours" in text
    assert "SHARED-1" in text  # the local asset it stands for, linked
    assert shared_and_own["own"]["name"] not in text
