"""Asset references: Trackunit owns the asset list (units are installed there); we name and label them.

Before the first push an asset is matched to its Trackunit record (sync.remote_assets, once per run):
by the Trackunit id when known, else by serial number (where Trackunit keeps PIN and VIN) or external
reference. Assets another account owns and shares with ours are never written to.
"""

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from assets.models import Asset
from sync import remote_assets
from sync.kinds.base import Desired, Push, RecordKind, chunked
from sync.planned import PlannedOperation
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi


def _payload(name: str, external_reference: str) -> dict[str, Any]:
    return {"name": name, "externalReference": external_reference}


def _changed_fields(payload: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only what differs from what Trackunit accepted last time goes into the JSON Patch."""
    return {name: value for name, value in payload.items() if (previous or {}).get(name) != value}


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

    def blocked(self, operations: list[PlannedOperation]) -> dict[str, str]:
        return remote_assets.foreign_reasons([op.key for op in operations])

    def prepare(self, api: TrackunitApi) -> None:
        remote_assets.refresh(api)

    def push(self, api: TrackunitApi, push: Push) -> str:
        remote_assets.ensure_writable(push.key)
        remote_id = (
            push.remote_id
            or Asset.objects.filter(external_reference=push.key)
            .values_list("trackunit_asset_id", flat=True)
            .first()
        )
        if not remote_id:
            raise remote_assets.not_in_trackunit(
                f"no Trackunit asset matches {push.key} by serial number, PIN or external reference"
            )
        changes = _changed_fields(push.body, push.previous)
        if changes:
            api.patch_asset(str(remote_id), wire.asset_patch_ops(changes))
        return str(remote_id)

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_assets():
            asset = wire.read_asset(record)
            if asset.external_reference and asset.editable:
                yield asset.external_reference, asset.id, asset.payload

    def adopt(self, key: str, remote_fields: Mapping[str, Any]) -> None:
        asset = Asset.objects.get(external_reference=key)
        asset.name = remote_fields.get("name") or asset.name
        asset.save()
