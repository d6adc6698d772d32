"""Customer contacts (a person, a department or a call centre), pushed under their customer."""

from collections.abc import Collection, Iterator

from customers.models import CustomerContact
from sync.kinds.base import Desired, Kind, NotReady, Push, first, patch_body
from sync.ledger import remote_id_of
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

SEPARATOR = "/"


def contact_key(customer_reference: str, name: str) -> str:
    return f"{customer_reference}{SEPARATOR}{name}"


def _customer_id(key: str) -> str:
    """The Trackunit id of the contact's customer; the key's first part that the ledger knows as one."""
    prefixes = [key[:i] for i, char in enumerate(key) if char == SEPARATOR]
    for customer_reference in prefixes:
        customer_id = remote_id_of("customer", customer_reference)
        if customer_id:
            return customer_id
    raise NotReady(f"the customer of contact {key} is not in Trackunit yet")


class ContactKind(Kind):
    name = "contact"
    label = "customer contact"
    phase = 4

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        # Contacts are few per customer and carry no timestamp: their payloads are always built and hashed.
        rows = CustomerContact.objects.values_list(
            "customer__external_reference", "name", "role", "email", "phone"
        )
        for customer_reference, name, role, email, phone in rows.iterator():
            key = contact_key(customer_reference, name)
            if keys is not None and key not in keys:
                continue
            payload = wire.contact_body(
                name=name, role=role or None, email=email or None, phone=phone or None
            )
            yield Desired(key, payload, None, (f"customer:{customer_reference}",))

    def push(self, api: TrackunitApi, push: Push) -> str:
        customer_id = _customer_id(push.key)
        if push.action == "delete":
            api.delete_contact(customer_id, push.remote_id)
            return push.remote_id
        remote_id = push.remote_id
        if not remote_id:
            name = push.body["name"]
            found = first(api.list_contacts(customer_id), name=name)
            if found is None:
                return api.create_contact(customer_id, push.body)["id"]
            remote_id = found["id"]
        api.update_contact(customer_id, remote_id, patch_body(push.body, push.previous))
        return remote_id
