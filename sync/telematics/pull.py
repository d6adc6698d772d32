"""A telematics pull: Trackunit's ISO 15143-3 fleet snapshot, page by page, into the assets.

The guide recommends pulling once a day (custom-erp-integration-guide.md): Celery beat does, at
TELEMATICS_PULL_HOUR. Every page is asked with addMetadata=true (MachineId and ExternalReferenceNumber make
matching exact), followed through its `Links`, and stored before the next is fetched, so memory does not
grow with the fleet. Trackunit allows one request per URL per 15 minutes: a pull asked too soon is recorded
as skipped with the time it may run again, not sent to earn a 429. Every exchange is a sync attempt.
"""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from assets.models import Asset
from sync.audit import AttemptRecorder
from sync.models import TelematicsPull, TelematicsSkip
from sync.telematics import match as matching
from sync.telematics.store import HOURS_DECREASED, OLDER, STORED, UNCHANGED, Reading, reading_of, store
from sync.trackunit import wire
from sync.trackunit.aemp import Equipment
from sync.trackunit.client import TrackunitClient
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.errors import AempQuotaUsed, TrackunitError


def pull_fleet(*, trigger: str, user: User | None = None) -> TelematicsPull:
    """Pull every page of the fleet snapshot; returns the finished pull with its counts."""
    pull = TelematicsPull.objects.create(trigger=trigger, triggered_by=user, scope="fleet")
    api = _api(pull, user)
    matcher = matching.Matcher()
    try:
        for page in api.iter_fleet_pages(add_metadata=True, accept=_accept()):
            _take(pull, matcher, page.equipment)
            TelematicsPull.objects.filter(pk=pull.pk).update(pages=F("pages") + 1)
    except AempQuotaUsed as error:
        return _finish(pull, TelematicsPull.Status.SKIPPED, _too_soon(error))
    except TrackunitError as error:
        return _finish(pull, TelematicsPull.Status.FAILED, f"Trackunit answered: {error}")
    return _finish(pull, TelematicsPull.Status.SUCCEEDED, "")


def refresh_asset(asset: Asset, *, user: User | None = None) -> TelematicsPull:
    """One asset's latest readings from the single-element snapshot, asked by its PIN (or serial number)."""
    pull = TelematicsPull.objects.create(trigger="asset", triggered_by=user, scope=asset.external_reference)
    identifier = asset.pin or asset.serial_number
    if not identifier:
        return _finish(
            pull, TelematicsPull.Status.FAILED, "The asset has no PIN or serial number to ask Trackunit for."
        )
    api = _api(pull, user)
    try:
        equipment = api.get_fleet_equipment(identifier, add_metadata=True, accept=_accept())
    except AempQuotaUsed as error:
        return _finish(pull, TelematicsPull.Status.SKIPPED, _too_soon(error))
    except TrackunitError as error:
        return _finish(pull, TelematicsPull.Status.FAILED, f"Trackunit answered: {error}")
    if equipment is None:
        return _finish(
            pull, TelematicsPull.Status.FAILED, f"Trackunit has no equipment with PIN {identifier}."
        )
    reading = reading_of(equipment)
    counts = store([(asset.pk, reading)], pull_id=pull.pk) if reading else {}
    TelematicsPull.objects.filter(pk=pull.pk).update(
        pages=1,
        equipment=1,
        matched=1,
        **{field: counts.get(outcome, 0) for outcome, field in _COUNTED.items()},
    )
    return _finish(
        pull, TelematicsPull.Status.SUCCEEDED, "" if reading else "Trackunit sent no dated readings."
    )


_COUNTED = {STORED: "stored", UNCHANGED: "unchanged", OLDER: "older", HOURS_DECREASED: "flagged"}


def _take(pull: TelematicsPull, matcher: matching.Matcher, equipment: Sequence[Equipment]) -> None:
    """Match and store one page: a few queries whatever the page size."""
    matched: list[tuple[int, Reading]] = []
    skips: list[TelematicsSkip] = []
    outcomes = {matching.UNMATCHED: 0, matching.AMBIGUOUS: 0, matching.FOREIGN: 0}
    for item in equipment:
        found = matcher.match(item)
        if found.outcome == matching.MATCHED:
            assert found.asset_id is not None, "a match always names its asset"
            reading = reading_of(item)
            if reading is not None:
                matched.append((found.asset_id, reading))
            continue
        outcomes[found.outcome] += 1
        skips.append(_skip(pull, item, found))
    counts = store(matched, pull_id=pull.pk)
    TelematicsSkip.objects.bulk_create(skips, batch_size=1000)
    TelematicsPull.objects.filter(pk=pull.pk).update(
        equipment=F("equipment") + len(equipment),
        matched=F("matched") + len(equipment) - sum(outcomes.values()),
        unmatched=F("unmatched") + outcomes[matching.UNMATCHED],
        ambiguous=F("ambiguous") + outcomes[matching.AMBIGUOUS],
        foreign=F("foreign") + outcomes[matching.FOREIGN],
        **{field: F(field) + counts.get(outcome, 0) for outcome, field in _COUNTED.items()},
    )


def _skip(pull: TelematicsPull, item: Equipment, found: matching.Match) -> TelematicsSkip:
    meta = item.metadata
    return TelematicsSkip(
        pull=pull,
        outcome=found.outcome,
        asset_id=found.asset_id,
        pin=(item.pin or "")[:100],
        serial_number=(item.serial_number or "")[:100],
        machine_id=((meta.machine_id if meta else None) or "")[:64],
        external_reference=((meta.external_reference_number if meta else None) or "")[:100],
        make=(item.oem_name or "")[:100],
        model=(item.model or "")[:100],
        reason=found.reason,
    )


def _api(pull: TelematicsPull, user: User | None) -> TrackunitApi:
    recorder = AttemptRecorder(triggered_by=user.get_username() if user else pull.trigger)
    return TrackunitApi(TrackunitClient.from_settings(on_exchange=recorder))


def _accept() -> str:
    return wire.AEMP_JSON if settings.TELEMATICS_FORMAT == "json" else wire.AEMP_XML


def _too_soon(error: AempQuotaUsed) -> str:
    when = timezone.localtime(error.retry_at).strftime("%Y-%m-%d %H:%M:%S %Z")
    return (
        "Not asked: Trackunit allows one request per URL every 15 minutes and this one was asked "
        f"recently ({error.url}). It may be asked again at {when}."
    )


def _finish(pull: TelematicsPull, status: str, message: str) -> TelematicsPull:
    TelematicsPull.objects.filter(pk=pull.pk).update(
        status=status, message=message, finished_at=timezone.now()
    )
    pull.refresh_from_db()
    return pull
