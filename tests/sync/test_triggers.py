"""A change asks for one coalesced sync after commit; deleting a child touches its parent."""

from datetime import date

import pytest
import redis
from django.db import transaction

from assets.models import Asset
from rentalbridge.changes import announce_changed
from sync import tasks, triggers
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enqueued(settings, monkeypatch):
    """Turns the triggers on against the real Redis and records the sync tasks they enqueue."""
    settings.SYNC_ON_CHANGE = True
    settings.SYNC_DEBOUNCE_S = 5
    connection = redis.Redis.from_url(settings.REDIS_URL)
    connection.delete(triggers.PENDING_KEY)
    calls = []
    monkeypatch.setattr(tasks.sync_now, "apply_async", lambda **kwargs: calls.append(kwargs))
    yield calls
    connection.delete(triggers.PENDING_KEY)


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
