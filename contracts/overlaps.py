"""The rule that one asset cannot be on two overlapping items of OPEN contracts.

Rental periods are half-open, [on-rent, off-rent): an asset returned on a day may go out again that day; a
blank off-rent date means the rental has no end yet. The check works on many periods at once (one query per
chunk of assets), so the admin, a contract being re-opened and a bulk CSV import share it.

Two saves checked at the same moment would each miss the other's uncommitted item, so inside a transaction
the check first locks the assets' rows (SELECT ... FOR UPDATE): the second save waits for the first to
commit and then sees its item. On PostgreSQL an exclusion constraint (migration 0003) refuses what any path,
locked or not, would still let through.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import QuerySet

from assets.models import Asset
from contracts.models import Contract, ContractItem, ContractStatus

_CHUNK = 2000


@dataclass(frozen=True)
class RentalPeriod:
    asset_id: int
    asset_label: str
    on_rent: date
    off_rent: date | None
    contract_reference: str
    item_reference: str
    item_id: int | None = None

    def overlaps(self, other: "RentalPeriod") -> bool:
        ends_after_other_starts = self.off_rent is None or self.off_rent > other.on_rent
        starts_before_other_ends = other.off_rent is None or self.on_rent < other.off_rent
        return ends_after_other_starts and starts_before_other_ends

    def describe(self) -> str:
        return f"contract {self.contract_reference} ({self.item_text()})"

    def item_text(self) -> str:
        """The item and its period, e.g. "item RI-7, 2026-05-01 to open end"."""
        end = self.off_rent.isoformat() if self.off_rent else "open end"
        return f"item {self.item_reference}, {self.on_rent.isoformat()} to {end}"


def period_of_item(item: ContractItem) -> RentalPeriod:
    return RentalPeriod(
        asset_id=item.asset_id,
        asset_label=str(item.asset),
        on_rent=item.on_rent_date,
        off_rent=item.off_rent_date,
        contract_reference=item.contract.external_reference,
        item_reference=item.external_reference,
        item_id=item.pk,
    )


def periods_of_contracts(references: Iterable[str]) -> list[RentalPeriod]:
    """Every item of the contracts with these external references, as periods, in one query."""
    items = ContractItem.objects.filter(contract__external_reference__in=list(references))
    return list(_periods(items))


def periods_of_contract(contract: Contract) -> list[RentalPeriod]:
    items = ContractItem.objects.filter(contract=contract).select_related("asset")
    return [period_of_item(item) for item in items]


def overlap_messages(periods: Sequence[RentalPeriod], *, against_stored: bool = True) -> list[str]:
    """One message per clash, naming the asset and both contracts; [] when the periods fit."""
    return [
        f"Asset {a.asset_label} would be on two overlapping rentals of open contracts: "
        f"{a.describe()} and {b.describe()}."
        for a, b in find_overlaps(periods, against_stored=against_stored)
    ]


def clashes_of_items(items: Iterable[ContractItem]) -> list[tuple[RentalPeriod, RentalPeriod]]:
    """The clashes of items about to be saved (among themselves and with stored open items), as pairs
    (item, the period it clashes with), for a form that names the other contract."""
    return find_overlaps([period_of_item(item) for item in items])


def find_overlaps(
    periods: Sequence[RentalPeriod], *, against_stored: bool = True
) -> list[tuple[RentalPeriod, RentalPeriod]]:
    """Clashes among the given periods and (unless told not to) with the stored items of OPEN contracts.

    Stored items whose id is among the given periods are being replaced, so they are left out.
    """
    replaced = {p.item_id for p in periods if p.item_id is not None}
    by_asset: dict[int, list[RentalPeriod]] = defaultdict(list)
    for period in periods:
        by_asset[period.asset_id].append(period)

    stored: dict[int, list[RentalPeriod]] = defaultdict(list)
    if against_stored:
        lock_assets(by_asset)
        for stored_period in _stored_open_periods(list(by_asset), replaced):
            stored[stored_period.asset_id].append(stored_period)

    clashes = []
    for asset_id, new in by_asset.items():
        new.sort(key=lambda p: p.on_rent)
        for i, period in enumerate(new):
            clashes += [(period, other) for other in new[i + 1 :] if period.overlaps(other)]
            clashes += [(period, other) for other in stored[asset_id] if period.overlaps(other)]
    return clashes


def lock_assets(asset_ids: Iterable[int]) -> None:
    """Hold the assets' rows until the surrounding transaction ends, so the check and the save are one step.

    Outside a transaction there is nothing to hold a lock for (the database constraint still applies).
    Rows are locked in id order, so two checks of the same assets queue instead of deadlocking.
    """
    if not connection.in_atomic_block:
        return
    ids = sorted({asset_id for asset_id in asset_ids if asset_id is not None})
    for start in range(0, len(ids), _CHUNK):
        locked = Asset.objects.select_for_update().filter(pk__in=ids[start : start + _CHUNK]).order_by("pk")
        list(locked.values_list("pk", flat=True))


def _stored_open_periods(asset_ids: list[int], replaced: set[int]) -> Iterable[RentalPeriod]:
    for start in range(0, len(asset_ids), _CHUNK):
        items = ContractItem.objects.filter(
            asset_id__in=asset_ids[start : start + _CHUNK], contract__status=ContractStatus.OPEN
        ).exclude(pk__in=replaced)
        yield from _periods(items)


def _periods(items: QuerySet) -> Iterator[RentalPeriod]:
    """Items as periods, read as plain values: bulk checks must not build model instances."""
    rows = items.values_list(
        "pk",
        "asset_id",
        "asset__name",
        "asset__external_reference",
        "on_rent_date",
        "off_rent_date",
        "contract__external_reference",
        "external_reference",
    )
    for pk, asset_id, name, asset_ref, on_rent, off_rent, contract_ref, item_ref in rows.iterator():
        yield RentalPeriod(asset_id, f"{name} ({asset_ref})", on_rent, off_rent, contract_ref, item_ref, pk)
