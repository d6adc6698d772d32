"""Typed calls for every Trackunit endpoint RentalBridge uses; URLs come from wire.py, bodies are plain dicts.

Bodies are built by the caller with wire.py's builders (`wire.customer_body(...)` and friends), so this
module only knows which method, path and idempotency each call has. `list_*` walk every page and
yield items; filters are passed as keyword query parameters (e.g. `externalReference="C-1"`).
ISO 15143-3 answers are parsed with aemp.py, whichever of XML or JSON arrives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin

from sync.trackunit import aemp, wire
from sync.trackunit.client import TrackunitClient
from sync.trackunit.pagination import iter_links, iter_pages

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class RentalSyncResult:
    """Answer of a rental synchronisation: 200 means Trackunit matched the asset, 202 stored it for later."""

    status: int
    body: Any

    @property
    def matched(self) -> bool:
        return self.status == 200


def _path(template: str, **ids: str) -> str:
    # Ids come from Trackunit or our ERP; quoting keeps a stray "/" from addressing another resource.
    return template.format(**{name: quote(str(value), safe="") for name, value in ids.items()})


class TrackunitApi:
    """One method per endpoint, over a TrackunitClient (auth, limits, retries and audit included)."""

    def __init__(self, client: TrackunitClient, *, page_size: int = wire.PAGE_SIZE_MAX) -> None:
        self.client = client
        self.page_size = page_size

    def _list(self, path: str, filters: Mapping[str, Any]) -> Iterator[JsonObject]:
        query = {name: value for name, value in filters.items() if value is not None}
        return iter_pages(
            lambda params: self.client.request_json("GET", path, params=params), query, size=self.page_size
        )

    def _get(self, path: str) -> JsonObject:
        return self.client.request_json("GET", path)

    # --- assets -----------------------------------------------------------------------------------------
    def list_assets(self, **filters: Any) -> Iterator[JsonObject]:
        return self._list(wire.ASSETS, filters)

    def patch_asset(self, asset_id: str, operations: list[JsonObject]) -> JsonObject:
        """`operations` is a JSON Patch (wire.asset_patch_ops), sent with its own media type."""
        return self.client.request_json(
            "PATCH",
            _path(wire.ASSET, asset_id=asset_id),
            json=operations,
            headers={"Content-Type": wire.JSON_PATCH},
        )

    # --- sites ------------------------------------------------------------------------------------------
    def list_sites(self, **filters: Any) -> Iterator[JsonObject]:
        return self._list(wire.SITES, filters)

    def get_site(self, site_id: str) -> JsonObject:
        return self._get(_path(wire.SITE, site_id=site_id))

    def create_site(self, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("POST", wire.SITES, json=body)

    def update_site(self, site_id: str, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("PATCH", _path(wire.SITE, site_id=site_id), json=body)

    # --- customers --------------------------------------------------------------------------------------
    def list_customers(self, **filters: Any) -> Iterator[JsonObject]:
        return self._list(wire.CUSTOMERS, filters)

    def get_customer(self, customer_id: str) -> JsonObject:
        return self._get(_path(wire.CUSTOMER, customer_id=customer_id))

    def create_customer(self, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("POST", wire.CUSTOMERS, json=body)

    def update_customer(self, customer_id: str, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("PATCH", _path(wire.CUSTOMER, customer_id=customer_id), json=body)

    def delete_customer(self, customer_id: str) -> None:
        self.client.request("DELETE", _path(wire.CUSTOMER, customer_id=customer_id))

    # --- contacts ---------------------------------------------------------------------------------------
    def list_contacts(self, customer_id: str, **filters: Any) -> Iterator[JsonObject]:
        return self._list(_path(wire.CUSTOMER_CONTACTS, customer_id=customer_id), filters)

    def get_contact(self, customer_id: str, contact_id: str) -> JsonObject:
        return self._get(_path(wire.CUSTOMER_CONTACT, customer_id=customer_id, contact_id=contact_id))

    def create_contact(self, customer_id: str, body: Mapping[str, Any]) -> JsonObject:
        path = _path(wire.CUSTOMER_CONTACTS, customer_id=customer_id)
        return self.client.request_json("POST", path, json=body)

    def update_contact(self, customer_id: str, contact_id: str, body: Mapping[str, Any]) -> JsonObject:
        path = _path(wire.CUSTOMER_CONTACT, customer_id=customer_id, contact_id=contact_id)
        return self.client.request_json("PATCH", path, json=body)

    def delete_contact(self, customer_id: str, contact_id: str) -> None:
        self.client.request(
            "DELETE", _path(wire.CUSTOMER_CONTACT, customer_id=customer_id, contact_id=contact_id)
        )

    # --- customer asset assignments ---------------------------------------------------------------------
    def list_customer_assets(self, customer_id: str, **filters: Any) -> Iterator[JsonObject]:
        return self._list(_path(wire.CUSTOMER_ASSETS, customer_id=customer_id), filters)

    def assign_customer_asset(self, customer_id: str, body: Mapping[str, Any]) -> JsonObject | None:
        """[A] Assigning an asset twice leaves one assignment, so a lost answer is retried like a read."""
        path = _path(wire.CUSTOMER_ASSETS, customer_id=customer_id)
        return self.client.request_json("POST", path, json=body, idempotent=True)

    # --- rental -----------------------------------------------------------------------------------------
    def synchronize_rental(
        self, body: Mapping[str, Any], *, validate_asset_exists: bool = False
    ) -> RentalSyncResult:
        """Upserts one asset with its contracts; idempotent, so it is retried like a read.

        With `validate_asset_exists` Trackunit answers 404 (NotFound) instead of storing an unmatched asset.
        """
        headers = {wire.VALIDATE_ASSET_EXISTS_HEADER: "true"} if validate_asset_exists else None
        response = self.client.request(
            "POST", wire.RENTAL_SYNCHRONIZATION, json=body, headers=headers, idempotent=True
        )
        return RentalSyncResult(response.status_code, response.json() if response.content else None)

    def list_contract_items(self, contract_id: str, **filters: Any) -> Iterator[JsonObject]:
        return self._list(wire.RENTAL_CONTRACT_ITEMS, {"contractId": contract_id, **filters})

    # --- custom fields ----------------------------------------------------------------------------------
    def list_custom_field_definitions(self, **filters: Any) -> Iterator[JsonObject]:
        return self._list(wire.CUSTOM_FIELD_DEFINITIONS, filters)

    def create_custom_field_definition(self, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("POST", wire.CUSTOM_FIELD_DEFINITIONS, json=body)

    def update_custom_field_definition(self, definition_id: str, body: Mapping[str, Any]) -> JsonObject:
        path = _path(wire.CUSTOM_FIELD_DEFINITION, definition_id=definition_id)
        return self.client.request_json("PATCH", path, json=body)

    def delete_custom_field_definition(self, definition_id: str) -> None:
        self.client.request("DELETE", _path(wire.CUSTOM_FIELD_DEFINITION, definition_id=definition_id))

    def list_custom_field_values(self, entity_id: str, **filters: Any) -> Iterator[JsonObject]:
        return self._list(wire.CUSTOM_FIELD_VALUES, {"entityId": entity_id, **filters})

    def create_custom_field_value(self, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("POST", wire.CUSTOM_FIELD_VALUES, json=body)

    def update_custom_field_value(self, value_id: str, body: Mapping[str, Any]) -> JsonObject:
        return self.client.request_json("PATCH", _path(wire.CUSTOM_FIELD_VALUE, value_id=value_id), json=body)

    def delete_custom_field_value(self, value_id: str) -> None:
        self.client.request("DELETE", _path(wire.CUSTOM_FIELD_VALUE, value_id=value_id))

    def set_custom_field_values(self, body: Mapping[str, Any]) -> Any:
        """Sets values by definition key; setting a value twice leaves the same state, so it is retried."""
        return self.client.request_json("POST", wire.CUSTOM_FIELD_SET_VALUES, json=body, idempotent=True)

    # --- ISO 15143-3 (AEMP 2.0) export ------------------------------------------------------------------
    def iter_fleet_pages(
        self, *, add_metadata: bool = False, accept: str = wire.AEMP_XML
    ) -> Iterator[aemp.FleetPage]:
        """Every page of the fleet snapshot, following `Links` rel="next" from page 1.

        Each page URL may be asked once per 15 minutes (AempQuotaUsed otherwise): pull once a day.
        XML is Trackunit's default format; `accept=wire.AEMP_JSON` asks for the JSON binding.
        """
        query = "?addMetadata=true" if add_metadata else ""
        first = self.client.config.aemp_url.rstrip("/") + _path(wire.AEMP_FLEET_PAGE, page="1") + query
        current = {"url": first}

        def fetch(url: str) -> aemp.FleetPage:
            current["url"] = url
            return aemp.parse_document(self.client.aemp(url, accept=accept).content)

        def next_of(page: aemp.FleetPage) -> str | None:
            # Hrefs may be relative; they are resolved against the page that carried them.
            return urljoin(current["url"], page.next_href) if page.next_href else None

        return iter_links(fetch, first, next_of)

    def get_fleet_equipment(
        self, pin: str, *, add_metadata: bool = False, accept: str = wire.AEMP_XML
    ) -> aemp.Equipment | None:
        """One equipment by its PIN (the single-element endpoint, 500 requests/s, same per-URL rule)."""
        params = {"addMetadata": "true"} if add_metadata else None
        path = _path(wire.AEMP_EQUIPMENT, pin=pin)
        return aemp.parse_equipment(self.client.aemp(path, params=params, accept=accept).content)
