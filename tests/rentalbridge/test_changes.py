import pytest
from django.db import transaction

from assets.models import Asset
from rentalbridge.changes import announce_changed, records_changed


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_announced_once_and_only_after_commit():
    received = []

    def listener(sender, pks, actor, **kwargs):
        received.append((sender, pks, actor))

    records_changed.connect(listener)
    try:
        with transaction.atomic():
            announce_changed(Asset, [3, 1, 2], actor="import_csv")
            assert received == []
        assert received == [(Asset, [3, 1, 2], "import_csv")]

        def announce_then_fail() -> None:
            with transaction.atomic():
                announce_changed(Asset, [4], actor="import_csv")
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            announce_then_fail()
        announce_changed(Asset, [], actor="nobody")
        assert len(received) == 1
    finally:
        records_changed.disconnect(listener)
