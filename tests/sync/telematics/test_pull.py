"""The pull against the sandbox over HTTP: pages followed, readings stored, the per-URL rule honoured."""

import pytest
from django.core.management import call_command

from assets.models import Asset, AssetReading
from sync.models import SyncAttempt, TelematicsPull, TelematicsSkip
from sync.telematics.pull import pull_fleet, refresh_asset
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(sandbox, trackunit_settings):
    """Local assets for 150 of the sandbox's machines, half known by Trackunit id, half only by serial."""
    remote = [a for a in sandbox.state()["assets"] if a["permissions"]["edit"]][:150]
    for n, machine in enumerate(remote):
        known = {"trackunit_asset_id": machine["id"]} if n % 2 else {"serial_number": machine["serialNumber"]}
        factories.asset(external_reference=f"FLT-{n:03d}", name=f"Machine {n}", **known)
    return remote


def test_a_pull_reads_every_page_and_stores_the_readings(fleet, sandbox):
    pull = pull_fleet(trigger="test")
    owned = len([a for a in sandbox.state()["assets"] if a["permissions"]["edit"]])
    assert pull.status == TelematicsPull.Status.SUCCEEDED, pull.message
    assert pull.pages == -(-owned // 100)  # 100 equipment a page, every page followed
    assert pull.equipment == owned
    assert pull.matched == len(fleet)
    assert pull.unmatched == owned - len(fleet)
    with_hours = Asset.objects.exclude(operating_hours=None).count()
    assert with_hours >= 0.95 * len(fleet)
    assert AssetReading.objects.count() == pull.stored == with_hours
    skip = TelematicsSkip.objects.filter(pull=pull).first()
    assert skip.reason.startswith("no local asset has")
    # Every exchange is a sync attempt; pages were asked as XML with addMetadata=true.
    pages = SyncAttempt.objects.filter(url__contains="/Fleet/")
    assert pages.count() == pull.pages
    assert all("addMetadata=true" in url for url in pages.values_list("url", flat=True))


def test_a_second_pull_within_15_minutes_is_not_sent(fleet, sandbox):
    pull_fleet(trigger="test")
    asked = SyncAttempt.objects.count()
    again = pull_fleet(trigger="test")
    assert again.status == TelematicsPull.Status.SKIPPED
    assert "one request per URL every 15 minutes" in again.message
    assert "may be asked again at" in again.message
    assert SyncAttempt.objects.count() == asked  # nothing sent, so no 429 either


def test_one_asset_refreshed_from_its_page(fleet, sandbox, admin_client_for, operator_user):
    machine = next(a for a in sandbox.state()["assets"] if a["permissions"]["edit"])
    asset = (
        Asset.objects.get(trackunit_asset_id=machine["id"])
        if Asset.objects.filter(trackunit_asset_id=machine["id"]).exists()
        else Asset.objects.get(serial_number=machine["serialNumber"])
    )
    pins = {u["assetId"]: u["pin"] for u in sandbox.telematics()}
    Asset.objects.filter(pk=asset.pk).update(pin=pins[machine["id"]])
    client = admin_client_for(operator_user)
    page = client.post(f"/admin/assets/asset/{asset.pk}/refresh-telematics/", follow=True)
    assert "Telematics refreshed" in page.content.decode()
    asset.refresh_from_db()
    assert asset.operating_hours is not None
    again = client.post(f"/admin/assets/asset/{asset.pk}/refresh-telematics/", follow=True)
    assert "may be asked again at" in again.content.decode()


def test_refresh_asks_nothing_for_an_asset_without_pin_or_serial(trackunit_settings):
    asset = factories.asset(serial_number="", pin="")
    pull = refresh_asset(asset)
    assert pull.status == TelematicsPull.Status.FAILED
    assert "no PIN or serial number" in pull.message


def test_the_command_prints_what_it_did(fleet, capsys):
    call_command("pull_telematics")
    out = capsys.readouterr().out
    assert "Succeeded" in out
    assert f"{len(fleet)} matched" in out
