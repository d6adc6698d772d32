"""Telematics end to end: the demo fleet's readings pulled from the sandbox by a real Celery worker.

The issue's bar: hours and location on at least 95% of the demo assets after one pull; after the sandbox's
clock moves a day, a second pull moves every asset forward and none backward; a second pull within 15
minutes is skipped with its reason, not sent to earn a 429.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command

from assets.models import Asset, AssetReading
from sync.models import AempRequestLog, SyncAttempt, TelematicsPull
from sync.tasks import pull_telematics

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_fleet(transactional_db, roles, worker_sandbox, settings):
    for name, value in worker_sandbox.client_environment().items():
        setattr(settings, name, value)
    worker_sandbox.reset()
    call_command("seed_demo", password="e2e-pass-123")
    # Matching by Trackunit id, as after the first sync; the sandbox's demo machines carry the serials.
    remote = {a["serialNumber"]: a["id"] for a in worker_sandbox.state()["assets"]}
    for asset in Asset.objects.all():
        Asset.objects.filter(pk=asset.pk).update(trackunit_asset_id=remote.get(asset.serial_number))
    return Asset.objects.count()


def _pull(celery_worker) -> TelematicsPull:
    before = TelematicsPull.objects.count()
    pull_telematics.delay("e2e")
    celery_worker.wait_for(
        lambda: TelematicsPull.objects.filter(finished_at__isnull=False).count() > before, timeout=120
    )
    return TelematicsPull.objects.order_by("-started_at").first()


def test_the_daily_pull_fills_the_demo_fleet_and_only_moves_forward(
    demo_fleet, celery_worker, worker_sandbox
):
    first = _pull(celery_worker)
    assert first.status == TelematicsPull.Status.SUCCEEDED, first.message
    read = Asset.objects.exclude(operating_hours=None).exclude(last_latitude=None).count()
    assert read >= 0.95 * demo_fleet, f"{read} of {demo_fleet} assets have hours and a position"
    before = dict(Asset.objects.values_list("pk", "operating_hours"))
    seen = dict(Asset.objects.values_list("pk", "telematics_at"))
    assert SyncAttempt.objects.filter(url__contains="/Fleet/1", status_code=200).exists()

    # Too soon: the same URL within 15 minutes is not asked at all.
    too_soon = _pull(celery_worker)
    assert too_soon.status == TelematicsPull.Status.SKIPPED
    assert "may be asked again at" in too_soon.message
    assert not SyncAttempt.objects.filter(status_code=429).exists()

    # The next day: the sandbox's clock moves on and the client's 15-minute memory has long expired.
    worker_sandbox.advance_clock(timedelta(days=1).total_seconds())
    AempRequestLog.objects.all().delete()
    next_day = _pull(celery_worker)
    assert next_day.status == TelematicsPull.Status.SUCCEEDED, next_day.message
    assert next_day.stored >= 0.9 * first.stored
    after = dict(Asset.objects.values_list("pk", "operating_hours"))
    went_back = [pk for pk, hours in after.items() if before[pk] is not None and hours < before[pk]]
    assert went_back == []
    moved = [pk for pk, at in Asset.objects.values_list("pk", "telematics_at") if seen[pk] and at > seen[pk]]
    assert len(moved) >= 0.9 * read
    assert AssetReading.objects.count() >= first.stored + next_day.stored
