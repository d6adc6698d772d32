"""Rental data: one synchronization call per asset with its status, owning depot and current contracts.

The payload names the asset's items on OPEN and RESERVED contracts ("current"); Trackunit takes the list
as the whole truth, so an item that ends (its contract completes or is cancelled) drops out of it. An
asset's rental data changed when the asset, an item, its contract, customer or a depot did: the database
finds those assets in one pass, so unchanged assets cost no payload building.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Case, Expression, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest

from assets.models import Asset, IdentifierType
from contracts.models import Contract, ContractItem, ContractStatus
from sync import remote_assets
from sync.kinds.base import EPOCH, Desired, Push, RecordKind, RelatedRows, chunked, midnight_utc
from sync.planned import PlannedOperation
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

CURRENT = (ContractStatus.OPEN, ContractStatus.RESERVED)
PAGE = 2000
RATE_PERIODS = {"HOUR": "HOURLY", "DAY": "DAILY", "WEEK": "WEEKLY", "MONTH": "MONTHLY", "FIXED": "FIXED"}


def _newest(path: str) -> Coalesce:
    return Coalesce(Max(path), Value(EPOCH))


def _versions(assets: QuerySet[Asset]) -> Iterable[tuple[str, datetime]]:
    return (
        assets.values("external_reference")
        .annotate(
            version=Greatest(
                _newest("updated_at"),
                _newest("owning_depot__updated_at"),
                _newest("contract_items__updated_at"),
                _newest("contract_items__contract__updated_at"),
                _newest("contract_items__contract__customer__updated_at"),
                _newest("contract_items__hiring_depot__updated_at"),
            )
        )
        .values_list("external_reference", "version")
        .order_by()
    )


def _identifier(asset: Mapping[str, Any]) -> str:
    if asset["identifier"]:
        return asset["identifier"]
    if asset["identifier_type"] == IdentifierType.ASSET_ID:
        return str(asset["trackunit_asset_id"] or "")
    if asset["identifier_type"] == IdentifierType.SERIAL_NUMBER:
        return asset["serial_number"]
    return asset["external_reference"]


def _depot(reference: str | None) -> dict[str, Any] | None:
    return wire.depot_ref(external_reference=reference) if reference else None


def _contract_payload(item: Mapping[str, Any]) -> dict[str, Any]:
    return wire.contract_body(
        external_reference=item["contract__external_reference"],
        customer=wire.rental_customer_body(
            external_reference=item["contract__customer__external_reference"],
            name=item["contract__customer__name"],
            type=item["contract__customer__type"],
        ),
        status=item["contract__status"],
        start_date=midnight_utc(item["contract__start_date"]),
        end_date=midnight_utc(item["contract__end_date"]),
    )


def _item_payload(item: Mapping[str, Any], contract: Mapping[str, Any]) -> dict[str, Any]:
    rate = None
    if item["rate_amount"] is not None:
        rate = wire.rental_rate_body(
            unit_price=item["rate_amount"],
            currency=item["rate_currency"],
            period=RATE_PERIODS[item["rate_period"]],
        )
    return wire.contract_item_body(
        external_reference=item["external_reference"],
        contract=contract,
        on_rent_date=midnight_utc(item["on_rent_date"]),
        off_rent_date=midnight_utc(item["off_rent_date"]),
        rental_rate=rate,
        hiring_depot=_depot(item["hiring_depot__external_reference"]),
        delivery_address=wire.address_body(street=item["delivery_address"])
        if item["delivery_address"]
        else None,
        pickup_address=wire.address_body(street=item["pickup_address"]) if item["pickup_address"] else None,
    )


ASSET_FIELDS = (
    "pk",
    "external_reference",
    "identifier_type",
    "identifier",
    "serial_number",
    "trackunit_asset_id",
    "rental_status",
    "owning_depot__external_reference",
)
ITEM_FIELDS = (
    "asset_id",
    "external_reference",
    "on_rent_date",
    "off_rent_date",
    "rate_amount",
    "rate_currency",
    "rate_period",
    "hiring_depot__external_reference",
    "delivery_address",
    "pickup_address",
    "contract__external_reference",
    "contract__status",
    "contract__start_date",
    "contract__end_date",
    "contract__customer__external_reference",
    "contract__customer__name",
    "contract__customer__type",
)


class RentalKind(RecordKind):
    # Operators see this as "the asset" in plans: it carries the asset's status, depot and rentals.
    name = "asset"
    label = "asset rental data"
    phase = 6
    model = Asset
    deletable = False

    def changed_at(self) -> Expression:
        return Greatest("updated_at", Coalesce("owning_depot__updated_at", Value(EPOCH)))

    def related(self) -> RelatedRows:
        return RelatedRows(
            rows=ContractItem.objects.all(),
            key="asset__external_reference",
            changed_at=Greatest(
                "updated_at",
                "contract__updated_at",
                "contract__customer__updated_at",
                Coalesce("hiring_depot__updated_at", Value(EPOCH)),
            ),
        )

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        if keys is not None:
            for chunk in chunked(sorted(keys)):
                yield from self._desired_chunk(
                    Q(external_reference__in=chunk), Q(asset__external_reference__in=chunk)
                )
            return
        # Every asset (a first plan): pages of ids read as ranges, so no query carries a list of keys.
        last = 0
        while page := list(
            Asset.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:PAGE]
        ):
            first, last = page[0], page[-1]
            yield from self._desired_chunk(
                Q(pk__range=(first, last)), Q(asset_id__gte=first, asset_id__lte=last)
            )

    def _desired_chunk(self, which: Q, their_items: Q) -> Iterator[Desired]:
        """`which` assets and `their_items`, the same set seen from the items, so that each query filters
        on its own indexed column (a range of ids, or the references) rather than on a subquery."""
        assets = Asset.objects.filter(which)
        versions = dict(_versions(assets))
        rows = list(assets.values(*ASSET_FIELDS))
        items = defaultdict(list)
        # A contract's items usually come in several (an order of machines): its body is built once.
        contracts: dict[str, dict[str, Any]] = {}
        current = ContractItem.objects.filter(their_items, contract__status__in=CURRENT)
        for item in current.values(*ITEM_FIELDS).order_by(
            "contract__external_reference", "external_reference"
        ):
            contract = item["contract__external_reference"]
            if contract not in contracts:
                contracts[contract] = _contract_payload(item)
            items[item["asset_id"]].append((item, contracts[contract]))
        for asset in rows:
            reference = asset["external_reference"]
            owning = asset["owning_depot__external_reference"]
            asset_items = items[asset["pk"]]
            payload = wire.synchronization_body(
                identifier_type=asset["identifier_type"],
                identifier=_identifier(asset),
                external_reference=reference,
                rental_status=asset["rental_status"],
                owning_depot=_depot(owning),
                contract_items=[_item_payload(item, contract) for item, contract in asset_items],
            )
            depends = {f"depot:{owning}"} if owning else set()
            if asset["identifier_type"] == IdentifierType.EXTERNAL_REFERENCE:
                depends.add(f"asset_reference:{reference}")
            for item, _ in asset_items:
                depends.add(f"customer:{item['contract__customer__external_reference']}")
                if item["hiring_depot__external_reference"]:
                    depends.add(f"depot:{item['hiring_depot__external_reference']}")
            yield Desired(reference, payload, versions.get(reference), tuple(sorted(depends)))

    def blocked(self, operations: list[PlannedOperation]) -> dict[str, str]:
        return remote_assets.foreign_reasons([op.key for op in operations])

    def prepare(self, api: TrackunitApi) -> None:
        # Ownership can change between runs (a transfer): make sure it is recent before sending rental data.
        remote_assets.refresh_unless_fresh(api)

    def push(self, api: TrackunitApi, push: Push) -> str:
        remote_assets.ensure_writable(push.key)
        result = api.synchronize_rental(push.body)
        body = result.body or {}
        # The answer names the Trackunit id of each contract; custom-field values of contracts need it.
        sent = [item["contract"]["externalReference"] for item in push.body.get("contractItems", [])]
        _keep_contract_ids(zip(sent, wire.contract_ids_of(body), strict=False))
        push.results["matched"] = result.matched
        return str(body.get("id", ""))


def _keep_contract_ids(answered: Iterable[tuple[str, str | None]]) -> None:
    """Store the Trackunit id of each sent contract that has none yet, in one UPDATE however many contracts
    an asset's push names (it changes nothing once every one has its id)."""
    first_id: dict[str, str] = {}
    for reference, contract_id in answered:
        if contract_id:
            first_id.setdefault(reference, contract_id)
    if not first_id:
        return
    field = Contract._meta.get_field("trackunit_id")
    Contract.objects.filter(external_reference__in=first_id, trackunit_id__isnull=True).update(
        trackunit_id=Case(
            *(
                When(external_reference=reference, then=Value(contract_id, output_field=field))
                for reference, contract_id in first_id.items()
            ),
            output_field=field,
        )
    )
