"""CSV columns of contracts and contract items, and the overlap rule applied to a whole file at once.

Items are keyed by their contract's reference plus their own reference (unique within the contract).
An item that would put an asset on two overlapping rentals of open contracts is rejected; when both
rentals are rows of the same file, the first row wins and the later one is rejected.
"""

import dataclasses

from assets.models import Asset, Depot
from contracts.models import Contract, ContractItem, ContractStatus
from contracts.overlaps import (
    RentalPeriod,
    find_overlaps,
    lock_assets,
    overlap_messages,
    periods_of_contracts,
)
from customers.models import Customer
from rentalbridge.imports.batch import Batch
from rentalbridge.imports.bulk_resource import BulkModelResource, reference_field
from rentalbridge.imports.prefetch import rows_where_in


class ContractResource(BulkModelResource):
    entity = "contracts"
    required_columns = ("external_reference", "customer_reference", "start_date")
    example_row = {
        "external_reference": "RC-2026-0001",
        "customer_reference": "CUS-1001",
        "status": "OPEN",
        "start_date": "2026-03-01",
        "end_date": "",
    }

    customer = reference_field("customer", Customer)

    class Meta:
        model = Contract
        fields = ("external_reference", "customer", "status", "start_date", "end_date")
        import_id_fields = ("external_reference",)
        skip_unchanged = True
        report_skipped = True

    def check_rows(self, batch: Batch) -> None:
        if not (batch.has("start_date") and batch.has("end_date")):
            return
        for index in batch.ok_indexes():
            start, end = batch.get("start_date", index), batch.get("end_date", index)
            if end is not None and end < start:
                batch.reject_attr(
                    index, "end_date", "end_before_start", "the end date is before the start date"
                )

    def check_set(self, batch: Batch) -> None:
        """Re-opening a contract puts all its stored items back into the overlap rule."""
        if not batch.has("status"):
            return
        reopened = {}
        for index in batch.ok_indexes():
            pk = batch.existing[index]
            opens = batch.get("status", index) == ContractStatus.OPEN
            if pk is not None and opens and batch.stored[pk]["status"] != ContractStatus.OPEN:
                reopened[batch.get("external_reference", index)] = index
        if not reopened:
            return
        periods = periods_of_contracts(reopened)
        for first, second in find_overlaps(periods):
            # One contract of each clashing pair is a re-opened one of this file.
            row = reopened.get(first.contract_reference)
            if row is None:
                row = reopened[second.contract_reference]
            if batch.is_ok(row):
                (message,) = overlap_messages([first, second], against_stored=False)
                batch.reject_attr(
                    row, "status", "overlapping_rental", f"re-opening it would clash: {message}"
                )


class ContractItemResource(BulkModelResource):
    entity = "contract-items"
    natural_key = ("contract_id", "external_reference")
    # The off-rent column is required because a blank cell means something (an open end).
    required_columns = (
        "contract_reference",
        "external_reference",
        "asset_reference",
        "on_rent_date",
        "off_rent_date",
    )
    example_row = {
        "contract_reference": "RC-2026-0001",
        "external_reference": "01",
        "asset_reference": "FLT-00001",
        "on_rent_date": "2026-03-02",
        "off_rent_date": "2026-03-31",
        "rate_amount": "450.00",
        "rate_currency": "EUR",
        "rate_period": "DAY",
        "hiring_depot_reference": "DEP-AAR",
        "delivery_address": "Havnegade 12, 6700 Esbjerg",
        "pickup_address": "",
    }

    contract = reference_field("contract", Contract)
    asset = reference_field("asset", Asset)
    hiring_depot = reference_field("hiring_depot", Depot)

    class Meta:
        model = ContractItem
        fields = (
            "contract",
            "external_reference",
            "asset",
            "on_rent_date",
            "off_rent_date",
            "rate_amount",
            "rate_currency",
            "rate_period",
            "hiring_depot",
            "delivery_address",
            "pickup_address",
        )
        import_id_fields = ("contract", "external_reference")
        skip_unchanged = True
        report_skipped = True

    def check_rows(self, batch: Batch) -> None:
        ons, offs = batch.values["on_rent_date"], batch.values["off_rent_date"]
        amounts = batch.values.get("rate_amount") or [None] * len(batch)
        currencies = batch.values.get("rate_currency") or [""] * len(batch)
        periods = batch.values.get("rate_period") or [""] * len(batch)
        for index in batch.ok_indexes():
            on, off = ons[index], offs[index]
            if off is not None and off < on:
                batch.reject_attr(
                    index,
                    "off_rent_date",
                    "off_rent_before_on_rent",
                    "the off-rent date is before the on-rent date",
                )
            if amounts[index] is not None and not (currencies[index] and periods[index]):
                batch.reject_attr(
                    index, "rate_amount", "rate_incomplete", "a rental rate needs a currency and a period"
                )

    def before_write(self, batch: Batch, indexes: list[int]) -> None:
        # Two imports renting the same asset at once: the second waits here for the first to commit,
        # then the database's overlap constraint refuses it by name, instead of both waiting on each
        # other's rows until PostgreSQL aborts one as a deadlock.
        asset_ids = batch.values["asset_id"]
        lock_assets(asset_ids[index] for index in indexes)

    def check_set(self, batch: Batch) -> None:
        rows = list(batch.ok_indexes())
        contract_ids, asset_ids = batch.values["contract_id"], batch.values["asset_id"]
        references, asset_texts = batch.values["external_reference"], batch.raw["asset_reference"]
        ons, offs = batch.values["on_rent_date"], batch.values["off_rent_date"]
        open_contracts = _open_contracts({contract_ids[index] for index in rows})
        periods, row_of = [], {}
        for index in rows:
            contract_ref = open_contracts.get(contract_ids[index])
            if contract_ref is None:
                continue
            # The label is the reference as typed; the few clashing periods get the asset's name below.
            periods.append(
                RentalPeriod(
                    asset_ids[index],
                    asset_texts[index],
                    ons[index],
                    offs[index],
                    contract_ref,
                    references[index],
                    batch.existing[index],
                )
            )
            row_of[(contract_ref, references[index])] = index
        # Only assets already out on an open contract need the stored rentals (one query per chunk each).
        busy = _assets_with_open_rentals({period.asset_id for period in periods})
        clashes = find_overlaps([p for p in periods if p.asset_id in busy])
        clashes += find_overlaps([p for p in periods if p.asset_id not in busy], against_stored=False)
        labels = _asset_labels({first.asset_id for first, _ in clashes})
        for first, second in clashes:
            in_file = [row_of.get((p.contract_reference, p.item_reference)) for p in (first, second)]
            index = max(row for row in in_file if row is not None)
            first, second = (dataclasses.replace(p, asset_label=labels[p.asset_id]) for p in (first, second))
            (message,) = overlap_messages([first, second], against_stored=False)
            batch.reject_attr(index, "asset_id", "overlapping_rental", message)


def _open_contracts(contract_ids: set[int | None]) -> dict[int, str]:
    open_contracts = Contract.objects.filter(status=ContractStatus.OPEN)
    return dict(rows_where_in(open_contracts, "pk", contract_ids, "external_reference"))


def _assets_with_open_rentals(asset_ids: set[int]) -> set[int]:
    open_items = ContractItem.objects.filter(contract__status=ContractStatus.OPEN)
    return {asset_id for (asset_id,) in rows_where_in(open_items, "asset_id", asset_ids)}


def _asset_labels(asset_ids: set[int]) -> dict[int, str]:
    rows = Asset.objects.filter(pk__in=asset_ids).values_list("pk", "name", "external_reference")
    return {pk: f"{name} ({reference})" for pk, name, reference in rows}
