"""Asset references: Trackunit owns the asset list (units are installed there); we name and label them.

Before the first push an asset must be matched to its Trackunit record: by the Trackunit id when known,
else by serial number, PIN or external reference, read once per run from the asset list.
"""

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from assets.models import Asset
from sync.kinds.base import Desired, NotReady, Push, RecordKind, chunked
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi


def _payload(name: str, external_reference: str) -> dict[str, Any]:
    return wire.asset_patch_body(name=name, external_reference=external_reference)


def match_remote_assets(api: TrackunitApi) -> int:
    """Store the Trackunit id of every local asset not matched yet; return how many were matched."""
    unmatched = list(
        Asset.objects.filter(trackunit_asset_id__isnull=True).values_list(
            "pk", "serial_number", "pin", "external_reference"
        )
    )
    if not unmatched:
        return 0
    by_serial, by_pin, by_reference = {}, {}, {}
    for remote in api.list_assets():
        if not remote.get("ownedByAccount", True):
            continue
        for index, field in (
            (by_serial, "serialNumber"),
            (by_pin, "pin"),
            (by_reference, "externalReference"),
        ):
            if remote.get(field):
                index.setdefault(remote[field], remote["id"])
    matched = []
    taken = set(
        Asset.objects.filter(trackunit_asset_id__isnull=False).values_list("trackunit_asset_id", flat=True)
    )
    for pk, serial, pin, reference in unmatched:
        remote_id = (
            by_serial.get(serial) or by_pin.get(pin) or by_pin.get(serial) or by_reference.get(reference)
        )
        if remote_id and remote_id not in taken:
            taken.add(remote_id)
            matched.append(Asset(pk=pk, trackunit_asset_id=remote_id))
    Asset.objects.bulk_update(matched, ["trackunit_asset_id"], batch_size=1000)
    return len(matched)


class AssetKind(RecordKind):
    name = "asset_reference"
    label = "asset reference"
    phase = 5
    model = Asset
    deletable = False

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        rows = Asset.objects.values_list("external_reference", "name", "updated_at")
        if keys is None:
            for reference, name, updated_at in rows.iterator(chunk_size=5000):
                yield Desired(reference, _payload(name, reference), updated_at)
            return
        for chunk in chunked(list(keys)):
            for reference, name, updated_at in rows.filter(external_reference__in=chunk):
                yield Desired(reference, _payload(name, reference), updated_at)

    def prepare(self, api: TrackunitApi) -> None:
        match_remote_assets(api)

    def push(self, api: TrackunitApi, push: Push) -> str:
        remote_id = (
            push.remote_id
            or Asset.objects.filter(external_reference=push.key)
            .values_list("trackunit_asset_id", flat=True)
            .first()
        )
        if not remote_id:
            raise NotReady(
                f"no Trackunit asset matches {push.key} by serial number, PIN or external reference"
            )
        api.patch_asset(str(remote_id), push.payload)
        return str(remote_id)

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_assets():
            if record.get("externalReference") and record.get("ownedByAccount", True):
                yield record["externalReference"], record["id"], record

    def adopt(self, key: str, remote_fields: Mapping[str, Any]) -> None:
        asset = Asset.objects.get(external_reference=key)
        asset.name = remote_fields.get("name") or asset.name
        asset.save()
