"""Customers, pushed through the Customer API so they exist before contracts and contacts name them."""

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from customers.models import Customer
from sync.kinds.base import Desired, Push, RecordKind, first, patch_body
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


class CustomerKind(RecordKind):
    name = "customer"
    label = "customer"
    phase = 3
    model = Customer

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        customers = Customer.objects.all()
        if keys is not None:
            customers = customers.filter(external_reference__in=keys)
        for customer in customers.iterator():
            yield Desired(customer.external_reference, _payload(customer), customer.updated_at)

    def push(self, api: TrackunitApi, push: Push) -> str:
        if push.action == "delete":
            api.delete_customer(push.remote_id)
            return push.remote_id
        remote_id = push.remote_id
        if not remote_id:
            # Trackunit may know the customer already: created by a rental sync, or by an interrupted run.
            found = first(api.list_customers(externalReference=push.key), externalReference=push.key)
            if found is None:
                remote_id = api.create_customer(push.payload)["id"]
                Customer.objects.filter(external_reference=push.key).update(trackunit_id=remote_id)
                return remote_id
            remote_id = found["id"]
        api.update_customer(remote_id, patch_body(push.payload, push.previous))
        Customer.objects.filter(external_reference=push.key).update(trackunit_id=remote_id)
        return remote_id

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
