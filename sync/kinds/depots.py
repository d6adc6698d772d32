"""Depots become Trackunit sites of type DEPOT, which assets and contract items point at."""

from collections.abc import Iterator, Mapping
from typing import Any

from assets.models import Depot
from sync.kinds.base import Push, UpsertKind, first, patch_body
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi


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
        type=wire.SITE_TYPE_DEPOT,
        external_reference=depot.external_reference,
        address=address(depot),
        polygon=depot.polygon[0] if depot.polygon else None,
    )


class DepotKind(UpsertKind[Depot]):
    name = "depot"
    label = "depot"
    phase = 2
    model = Depot
    remote_id_field = "trackunit_site_id"

    def payload(self, record: Depot) -> dict[str, Any]:
        return _payload(record)

    def find_remote(self, api: TrackunitApi, key: str) -> dict[str, Any] | None:
        return first(api.list_sites(externalReference=key), externalReference=key)

    def create_remote(self, api: TrackunitApi, payload: dict[str, Any]) -> dict[str, Any]:
        return api.create_site(payload)

    def update_remote(self, api: TrackunitApi, remote_id: str, push: Push) -> None:
        api.update_site(remote_id, patch_body(push.body, push.previous))

    def delete_remote(self, api: TrackunitApi, push: Push) -> None:
        # A depot closed in the ERP is archived, the documented way, so its history stays in Trackunit.
        api.update_site(push.remote_id, wire.site_archive_body())

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_sites(type=wire.SITE_TYPE_DEPOT):
            if record.get("externalReference") and record.get("status") != wire.SITE_STATUS_ARCHIVED:
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
