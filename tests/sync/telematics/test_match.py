"""Matching ISO 15143-3 equipment to assets: Trackunit id, reference, then PIN or serial as OEMs write."""

import pytest
from django.utils import timezone

from sync.models import RemoteAsset, RemoteAssetStatus
from sync.telematics.match import AMBIGUOUS, FOREIGN, MATCHED, UNMATCHED, Matcher
from sync.trackunit.aemp import Equipment, Metadata
from tests import factories

pytestmark = pytest.mark.django_db
TRACKUNIT_ID = "035c52d4-a533-4a83-8687-a5a7489a5af4"


def test_machine_id_wins_over_everything_else():
    by_id = factories.asset(external_reference="A-1", trackunit_asset_id=TRACKUNIT_ID)
    factories.asset(external_reference="A-2", name="Other", pin="WAC0ET90L00012345")
    equipment = Equipment(pin="WAC0ET90L00012345", metadata=Metadata(machine_id=TRACKUNIT_ID.upper()))
    assert Matcher().match(equipment).asset_id == by_id.pk


def test_then_the_external_reference_number():
    asset = factories.asset(external_reference="EXC-7")
    found = Matcher().match(Equipment(metadata=Metadata(external_reference_number="EXC-7")))
    assert (found.outcome, found.asset_id) == (MATCHED, asset.pk)


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("WAC0ET90L00012345", "wac0et90l00012345"),  # case
        ("WAC0ET90L00012345", "WAC-0ET9 0L00012345"),  # spaces and dashes typed in Trackunit
        ("123456", "000123456"),  # leading zeros as the OEM writes them
    ],
)
def test_then_the_pin_normalised(stored, sent):
    asset = factories.asset(pin=stored)
    assert Matcher().match(Equipment(pin=sent)).asset_id == asset.pk


def test_the_serial_number_when_the_pin_is_missing():
    asset = factories.asset(serial_number="SN-991")
    assert Matcher().match(Equipment(serial_number="sn991")).asset_id == asset.pk


def test_unmatched_and_ambiguous_say_why():
    factories.asset(external_reference="A-1", pin="DUP1")
    factories.asset(external_reference="A-2", name="Twin", serial_number="dup-1")
    matcher = Matcher()
    ambiguous = matcher.match(Equipment(pin="DUP1"))
    assert ambiguous.outcome == AMBIGUOUS
    assert "PIN DUP1 matches 2 local assets" in ambiguous.reason
    unmatched = matcher.match(Equipment(pin="NOPE", serial_number="S-1"))
    assert unmatched.outcome == UNMATCHED
    assert unmatched.reason == "no local asset has PIN NOPE, serial number S-1"


def test_an_asset_another_account_owns_is_not_ours():
    RemoteAsset.objects.create(
        trackunit_id=TRACKUNIT_ID, editable=False, status=RemoteAssetStatus.FOREIGN, seen_at=timezone.now()
    )
    found = Matcher().match(Equipment(metadata=Metadata(machine_id=TRACKUNIT_ID)))
    assert found.outcome == FOREIGN
