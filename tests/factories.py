"""Small builders for valid records, so each test states only what it is about."""

from datetime import date
from itertools import count

from assets.models import Asset, Depot
from contracts.models import Contract, ContractItem, ContractStatus
from customers.models import Customer

_numbers = count(1)


def customer(**fields) -> Customer:
    n = next(_numbers)
    return Customer.objects.create(**{"name": f"Customer {n}", "external_reference": f"CUS-{n}", **fields})


def depot(**fields) -> Depot:
    n = next(_numbers)
    return Depot.objects.create(**{"name": f"Depot {n}", "external_reference": f"DEP-{n}", **fields})


def asset(**fields) -> Asset:
    n = next(_numbers)
    return Asset.objects.create(**{"name": f"Excavator {n}", "external_reference": f"FLT-{n}", **fields})


def contract(**fields) -> Contract:
    n = next(_numbers)
    defaults = {
        "external_reference": f"RC-{n}",
        "status": ContractStatus.OPEN,
        "start_date": date(2026, 1, 1),
    }
    if "customer" not in fields:
        defaults["customer"] = customer()
    return Contract.objects.create(**{**defaults, **fields})


def item(contract: Contract, asset: Asset, on: date, off: date | None = None, **fields) -> ContractItem:
    n = next(_numbers)
    return ContractItem.objects.create(
        contract=contract,
        asset=asset,
        on_rent_date=on,
        off_rent_date=off,
        external_reference=f"{n:02d}",
        **fields,
    )
