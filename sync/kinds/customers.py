"""Customers, pushed through the Customer API so they exist before contracts and contacts name them."""

from collections.abc import Iterator, Mapping
from typing import Any

from customers.models import Customer
from sync.kinds.base import Push, UpsertKind, first, patch_body
from sync.kinds.depots import address
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi


def _payload(customer: Customer) -> dict[str, Any]:
    return wire.customer_body(
        name=customer.name,
        type=customer.type,
        external_reference=customer.external_reference,
        address=address(customer),
        phone=customer.phone or None,
        email=customer.email or None,
        web_address=customer.web_address or None,
    )


class CustomerKind(UpsertKind[Customer]):
    name = "customer"
    label = "customer"
    phase = 3
    model = Customer
    remote_id_field = "trackunit_id"

    def payload(self, record: Customer) -> dict[str, Any]:
        return _payload(record)

    def find_remote(self, api: TrackunitApi, key: str) -> dict[str, Any] | None:
        # Trackunit may know the customer already: created by a rental sync, or by an interrupted run.
        return first(api.list_customers(externalReference=key), externalReference=key)

    def create_remote(self, api: TrackunitApi, payload: dict[str, Any]) -> dict[str, Any]:
        return api.create_customer(payload)

    def update_remote(self, api: TrackunitApi, remote_id: str, push: Push) -> None:
        api.update_customer(remote_id, patch_body(push.body, push.previous))

    def delete_remote(self, api: TrackunitApi, push: Push) -> None:
        api.delete_customer(push.remote_id)

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_customers():
            if record.get("externalReference"):
                yield record["externalReference"], record["id"], record

    def adopt(self, key: str, remote_fields: Mapping[str, Any]) -> None:
        customer = Customer.objects.get(external_reference=key)
        for local, remote in [
            ("name", "name"),
            ("type", "type"),
            ("phone", "phone"),
            ("email", "email"),
            ("web_address", "webAddress"),
        ]:
            if remote in remote_fields:
                setattr(customer, local, remote_fields[remote] or "")
        remote_address = remote_fields.get("address") or {}
        customer.street = remote_address.get("streetAddress") or ""
        customer.postal_code = remote_address.get("postalCode") or ""
        customer.city = remote_address.get("city") or ""
        customer.country = remote_address.get("country") or ""
        customer.full_clean()
        customer.save()
