"""Which Trackunit assets are ours to write: match Trackunit's asset list to local assets, skip foreign ones.

Trackunit lists every asset our account can see, including assets another account owns and shares with us
(intro-ownership-and-visibility.md): those carry the owner's `ownerAccountId` and `permissions.edit: false`,
and "only assets owned by the account can be updated with data from the ERP system" (rental intro).
RentalBridge never patches, labels, assigns or sends rental data or custom-field values for them: matching
leaves them out and records why, plans skip their local assets, and every push checks again.

Matching, in order: the Trackunit id a local asset already holds, then the serial number (where Trackunit
keeps PIN and VIN) against the local serial number or PIN (compared as sync.identifiers does), then the
external reference.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from assets.models import Asset
from sync import attention
from sync.identifiers import normal_identifier
from sync.kinds.base import NotReady, WaitingForTrackunit
from sync.models import RemoteAsset, RemoteAssetStatus
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

# How long a read of Trackunit's asset list stands for the current one.
FRESH_FOR = timedelta(minutes=5)


class ForeignAsset(NotReady):
    """The asset belongs to another account that shares it with ours: RentalBridge does not write to it."""

    code = "foreign_asset"


@dataclass
class MatchReport:
    matched: int = 0
    newly_matched: int = 0
    foreign: list[str] = field(default_factory=list)
    unmatched: int = 0
    ambiguous: int = 0

    def __str__(self) -> str:
        return (
            f"{self.matched} matched ({self.newly_matched} new), {len(self.foreign)} owned by another "
            f"account (never written to), {self.unmatched} without a local asset, {self.ambiguous} ambiguous."
        )


def refresh(api: TrackunitApi) -> MatchReport:
    """Read Trackunit's asset list, match it to local assets and store the result as the new report."""
    remote = [wire.read_asset(record) for record in api.list_assets()]
    local = list(
        Asset.objects.values_list("pk", "trackunit_asset_id", "serial_number", "pin", "external_reference")
    )
    by_id = {str(tid): pk for pk, tid, _, _, _ in local if tid}
    by_identifier: dict[str, set[int]] = defaultdict(set)
    by_reference = {reference: pk for pk, _, _, _, reference in local}
    for pk, _, serial, pin, _ in local:
        for identifier in (serial, pin):
            if identifier:
                by_identifier[normal_identifier(identifier)].add(pk)
    taken = set(by_id.values())
    report, rows, newly = MatchReport(), [], []
    now = timezone.now()
    for asset in remote:
        candidates = _candidates(asset, by_id, by_identifier, by_reference)
        row = RemoteAsset(
            trackunit_id=asset.id,
            name=asset.name[:255],
            serial_number=(asset.serial_number or "")[:100],
            external_reference=(asset.external_reference or "")[:100],
            asset_type=(asset.asset_type or "")[:32],
            type=(asset.type or "")[:100],
            owner_account_id=asset.owner_account_id or "",
            editable=asset.editable,
            seen_at=now,
        )
        if not asset.editable:
            row.status = RemoteAssetStatus.FOREIGN
            row.asset_id = next(iter(candidates)) if len(candidates) == 1 else None
            row.reason = (
                f"owned by account {asset.owner_account_id or '(not named)'}, which shares it with ours: "
                "RentalBridge does not write to it"
            )
            report.foreign.append(asset.name or asset.id)
        elif len(candidates) > 1:
            row.status, row.reason = RemoteAssetStatus.AMBIGUOUS, _ambiguous(asset, candidates)
            report.ambiguous += 1
        elif not candidates:
            row.status, row.reason = RemoteAssetStatus.UNMATCHED, _unmatched(asset)
            report.unmatched += 1
        else:
            row.status, row.asset_id = RemoteAssetStatus.MATCHED, next(iter(candidates))
            report.matched += 1
            if asset.id not in by_id and row.asset_id not in taken:
                taken.add(row.asset_id)
                newly.append(Asset(pk=row.asset_id, trackunit_asset_id=asset.id))
        rows.append(row)
    with transaction.atomic():
        RemoteAsset.objects.all().delete()
        RemoteAsset.objects.bulk_create(rows, batch_size=2000)
        Asset.objects.bulk_update(newly, ["trackunit_asset_id"], batch_size=1000)
    report.newly_matched = len(newly)
    if newly:
        # Records waiting for an asset Trackunit did not know may go now.
        attention.wake_waiting()
    return report


def refresh_unless_fresh(api: TrackunitApi, max_age: timedelta = FRESH_FOR) -> None:
    """Read the asset list again only when this run's asset phase did not just do so."""
    if not _read_within(max_age):
        refresh(api)


def not_in_trackunit(message: str) -> NotReady:
    """What to raise for a local asset no Trackunit asset matches. It waits for Trackunit (and is set aside,
    sync/attention.py) only when the list was just read; when it could not be read (an outage), the asset
    is merely not ready and is tried again by the next run."""
    if _read_within(FRESH_FOR):
        return WaitingForTrackunit(message)
    return NotReady(f"{message} (Trackunit's asset list could not be read just now)")


def _read_within(max_age: timedelta) -> bool:
    newest = RemoteAsset.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return newest is not None and timezone.now() - newest <= max_age


def _candidates(
    asset: wire.RemoteAsset,
    by_id: dict[str, int],
    by_identifier: dict[str, set[int]],
    by_reference: dict[str, int],
) -> set[int]:
    if asset.id in by_id:
        return {by_id[asset.id]}
    if asset.serial_number and by_identifier.get(normal_identifier(asset.serial_number)):
        return set(by_identifier[normal_identifier(asset.serial_number)])
    if asset.external_reference and asset.external_reference in by_reference:
        return {by_reference[asset.external_reference]}
    return set()


def _ambiguous(asset: wire.RemoteAsset, candidates: set[int]) -> str:
    references = sorted(Asset.objects.filter(pk__in=candidates).values_list("external_reference", flat=True))
    return f"serial number {asset.serial_number} matches several local assets: {', '.join(references)}"


def _unmatched(asset: wire.RemoteAsset) -> str:
    said = [f"serial number {asset.serial_number}" if asset.serial_number else "no serial number"]
    if asset.external_reference:
        said.append(f"external reference {asset.external_reference}")
    return f"no local asset has its {' or '.join(said)}"


def foreign_assets() -> QuerySet:
    """Local assets that stand for a Trackunit asset another account owns."""
    foreign = RemoteAsset.objects.filter(status=RemoteAssetStatus.FOREIGN)
    ids = foreign.values_list("trackunit_id", flat=True)
    return Asset.objects.filter(
        Q(pk__in=foreign.filter(asset__isnull=False).values("asset_id"))
        | Q(trackunit_asset_id__in=_uuids(ids))
    )


def _uuids(ids: Iterable[str]) -> list[str]:
    # Trackunit's asset ids are UUIDs; a foreign id in another format cannot be a local asset's id.
    out = []
    for value in ids:
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return out


def foreign_reasons(references: list[str]) -> dict[str, str]:
    """external reference -> why RentalBridge leaves it alone, for local assets among `references`."""
    foreign = list(
        RemoteAsset.objects.filter(status=RemoteAssetStatus.FOREIGN).values_list("asset_id", "reason")
    )
    if not foreign:
        # Most accounts share no assets: no need to look the references up at all.
        return {}
    reason_by_asset = dict(foreign)
    assets = foreign_assets().filter(external_reference__in=references)
    return {
        reference: reason_by_asset.get(pk) or "owned by another account: RentalBridge does not write to it"
        for pk, reference in assets.values_list("pk", "external_reference")
    }


def ensure_writable(reference: str) -> None:
    """Raise ForeignAsset when the local asset `reference` stands for another account's asset."""
    reason = foreign_reasons([reference]).get(reference)
    if reason:
        raise ForeignAsset(f"Trackunit asset for {reference} is {reason}")
