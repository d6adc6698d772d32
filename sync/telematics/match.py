"""Which local asset an ISO 15143-3 equipment is, or why none is.

In order: the Trackunit asset id (the feed's Metadata MachineId, with addMetadata=true), the ERP
reference (Metadata ExternalReferenceNumber), then the OEM identifier: PIN, then serial number, against the
asset's PIN and serial number. Users edit PINs in Trackunit (custom-erp-integration-guide.md: "the format
and length might vary"), so identifiers are compared without case, spaces, dashes or leading zeros.
An equipment that stands for an asset another account owns (sync.remote_assets) is not ours to write.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from assets.models import Asset
from sync.identifiers import normal_identifier
from sync.models import RemoteAsset, RemoteAssetStatus
from sync.trackunit.aemp import Equipment

MATCHED = "matched"
UNMATCHED = "unmatched"
AMBIGUOUS = "ambiguous"
FOREIGN = "foreign"


@dataclass(frozen=True)
class Match:
    outcome: str
    asset_id: int | None = None
    reason: str = ""


class Matcher:
    """Indexes every local asset once, so a page of 100 equipment is matched without further queries."""

    def __init__(self) -> None:
        self.by_trackunit_id: dict[str, int] = {}
        self.by_reference: dict[str, int] = {}
        self.by_identifier: dict[str, set[int]] = defaultdict(set)
        rows = Asset.objects.values_list(
            "pk", "trackunit_asset_id", "external_reference", "pin", "serial_number"
        )
        for pk, trackunit_id, reference, pin, serial in rows.iterator(chunk_size=5000):
            if trackunit_id:
                self.by_trackunit_id[str(trackunit_id)] = pk
            self.by_reference[reference] = pk
            for identifier in {normal_identifier(pin), normal_identifier(serial)} - {""}:
                self.by_identifier[identifier].add(pk)
        foreign = RemoteAsset.objects.filter(status=RemoteAssetStatus.FOREIGN)
        self.foreign_ids = set(foreign.values_list("trackunit_id", flat=True))
        self.foreign_assets = set(foreign.exclude(asset=None).values_list("asset_id", flat=True))

    def match(self, equipment: Equipment) -> Match:
        meta = equipment.metadata
        machine_id = _uuid(meta.machine_id) if meta else None
        if machine_id and machine_id in self.foreign_ids:
            return Match(FOREIGN, reason=f"Trackunit asset {machine_id} belongs to another account")
        found = self._candidates(equipment, machine_id)
        if len(found) > 1:
            return Match(AMBIGUOUS, reason=f"{_said(equipment)} matches {len(found)} local assets")
        if not found:
            return Match(UNMATCHED, reason=f"no local asset has {_said(equipment)}")
        asset_id = next(iter(found))
        if asset_id in self.foreign_assets:
            return Match(FOREIGN, asset_id, "its Trackunit asset belongs to another account")
        return Match(MATCHED, asset_id)

    def _candidates(self, equipment: Equipment, machine_id: str | None) -> set[int]:
        meta = equipment.metadata
        if machine_id and machine_id in self.by_trackunit_id:
            return {self.by_trackunit_id[machine_id]}
        reference = meta.external_reference_number if meta else None
        if reference and reference in self.by_reference:
            return {self.by_reference[reference]}
        for identifier in (equipment.pin, equipment.serial_number):
            found = self.by_identifier.get(normal_identifier(identifier))
            if identifier and found:
                return found
        return set()


def _uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def _said(equipment: Equipment) -> str:
    meta = equipment.metadata
    parts = [
        f"MachineId {meta.machine_id}" if meta and meta.machine_id else "",
        f"reference {meta.external_reference_number}" if meta and meta.external_reference_number else "",
        f"PIN {equipment.pin}" if equipment.pin else "",
        f"serial number {equipment.serial_number}" if equipment.serial_number else "",
    ]
    said = [part for part in parts if part]
    return ", ".join(said) if said else "no identifier"
