"""A change asks for one coalesced sync after commit; deleting a child touches its parent."""

from datetime import date

import pytest
import redis
from django.db import transaction

from assets.models import Asset
from rentalbridge.changes import announce_changed
from rentalbridge.history import recorded_as
from sync import service, tasks, triggers
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enqueued(settings, monkeypatch):
    """Turns the triggers on against the real Redis and records the sync tasks they enqueue."""
    settings.SYNC_ON_CHANGE = True
    settings.SYNC_DEBOUNCE_S = 5
    connection = redis.Redis.from_url(settings.REDIS_URL)
    keys = (triggers.PENDING_KEY, triggers.CAUSES_KEY, f"{triggers.CAUSES_KEY}:count")
    connection.delete(*keys)
    calls = []
    monkeypatch.setattr(tasks.sync_now, "apply_async", lambda **kwargs: calls.append(kwargs))
    yield calls
    connection.delete(*keys)


def test_a_burst_of_a_thousand_saves_asks_for_one_sync(enqueued):
    asset = factories.asset()
    for number in range(1000):
        with transaction.atomic():
            asset.name = f"Excavator {number}"
            asset.save()
    assert enqueued == [{"kwargs": {"trigger": "auto"}, "countdown": 5}]


def test_the_next_change_after_the_sync_started_asks_again(enqueued):
    factories.customer()
    triggers.clear_request()  # what sync_now does before it plans
    factories.customer()
    assert len(enqueued) == 2


def test_nothing_is_asked_before_commit_or_after_rollback(enqueued):
    def save_then_fail() -> None:
        with transaction.atomic():
            factories.depot()
            assert enqueued == []
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert enqueued == []


def test_an_import_batch_asks_once(enqueued):
    with transaction.atomic():
        announce_changed(Asset, range(1, 100_001), actor="import_csv")
    assert len(enqueued) == 1


def test_deleting_an_item_touches_its_asset_so_the_plan_sees_it(enqueued):
    asset = factories.asset()
    item = factories.item(factories.contract(), asset, date(2026, 1, 1))
    before = Asset.objects.get(pk=asset.pk).updated_at
    item.delete()
    assert Asset.objects.get(pk=asset.pk).updated_at > before


def test_an_unreachable_redis_does_not_fail_the_users_save(settings, enqueued):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    factories.customer(name="Saved anyway")
    assert enqueued == []


def test_an_automatic_run_names_whose_save_of_which_record_asked_for_it(enqueued, roles, back_office_user):
    with recorded_as("admin form", user=back_office_user):
        asset = factories.asset(external_reference="EX-1", name="Excavator EX-1")
        asset.name = "Excavator EX-1 (blue)"
        asset.save()
    run = service.coalesced_sync(trigger="auto")
    assert run.triggered_by == back_office_user
    assert run.trigger_detail == (
        "clerk added asset Excavator EX-1 (EX-1) through admin form; "
        "clerk saved asset Excavator EX-1 (blue) (EX-1) through admin form"
    )
    # Taken by the run: the next one names only what happened after.
    assert triggers.take_causes() == triggers.Causes(user_id=None, detail="")


def test_an_import_names_its_job_and_user(enqueued, roles, back_office_user):
    with transaction.atomic():
        announce_changed(Asset, [1, 2, 3], actor=back_office_user, reason="import job #12 (assets.csv)")
    causes = triggers.take_causes()
    assert causes == triggers.Causes(
        user_id=back_office_user.pk, detail="import job #12 (assets.csv): 3 assets by clerk"
    )


def test_a_burst_names_the_first_changes_and_counts_them_all(enqueued):
    for number in range(1, 8):
        factories.customer(external_reference=f"CUS-B{number}", name=f"Burst {number}")
    detail = triggers.take_causes().detail
    assert detail.startswith("code added customer Burst 1 (CUS-B1); code added customer Burst 2 (CUS-B2);")
    assert detail.endswith("; 7 changes in all")
    assert "Burst 6" not in detail
