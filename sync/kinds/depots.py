"""Depots become Trackunit sites of type DEPOT, which assets and contract items point at."""

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from assets.models import Depot
from sync.kinds.base import Desired, Push, RecordKind, first, patch_body
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

DEPOT = "DEPOT"


def address(record: Any) -> dict[str, Any] | None:
    body = wire.address_body(
        street=record.street or None,
        postal_code=record.postal_code or None,
        city=record.city or None,
        country=record.country or None,
    )
    return body or None


def _payload(depot: Depot) -> dict[str, Any]:
    # [A] Trackunit sites carry an address or a polygon; the depot's single point is local only.
    return wire.site_body(
        name=depot.name,
        type=DEPOT,
        external_reference=depot.external_reference,
        address=address(depot),
        polygon=depot.polygon[0] if depot.polygon else None,
    )


class DepotKind(RecordKind):
    name = "depot"
    label = "depot"
    phase = 2
    model = Depot

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        depots = Depot.objects.all() if keys is None else Depot.objects.filter(external_reference__in=keys)
        for depot in depots.iterator():
            yield Desired(depot.external_reference, _payload(depot), depot.updated_at)

    def push(self, api: TrackunitApi, push: Push) -> str:
        if push.action == "delete":
            # [A] Sites have no delete; a depot closed in the ERP is archived in Trackunit.
            api.update_site(push.remote_id, wire.site_body(archived=True))
            return push.remote_id
        remote_id = push.remote_id
        if not remote_id:
            found = first(api.list_sites(externalReference=push.key), externalReference=push.key)
            if found is None:
                remote_id = api.create_site(push.payload)["id"]
                Depot.objects.filter(external_reference=push.key).update(trackunit_site_id=remote_id)
                return remote_id
            remote_id = found["id"]
        api.update_site(remote_id, patch_body(push.payload, push.previous))
        Depot.objects.filter(external_reference=push.key).update(trackunit_site_id=remote_id)
        return remote_id

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_sites(type=DEPOT):
            if record.get("externalReference"):
                yield record["externalReference"], record["id"], record

    def adopt(self, key: str, remote_fields: Mapping[str, Any]) -> None:
        depot = Depot.objects.get(external_reference=key)
        if "name" in remote_fields:
            depot.name = remote_fields["name"]
        remote_address = remote_fields.get("address") or {}
        depot.street = remote_address.get("streetAddress") or ""
        depot.postal_code = remote_address.get("postalCode") or ""
        depot.city = remote_address.get("city") or ""
        depot.country = remote_address.get("country") or ""
        depot.save()
