"""A realistic demo rental business: depots, a fleet, customers with contacts, contracts and custom fields.

Seeding is idempotent and non-destructive: records are found by their external reference and only the
missing ones are created, so re-running it (as `make run` does on every start) never duplicates a record
nor overwrites what someone changed in the admin. The data is drawn from a fixed seed, so every machine
gets the same fleet; dates are relative to the day the records are first created.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from assets.models import Asset, AssetType, Depot, IdentifierType, RentalStatus
from contracts.models import Contract, ContractItem, ContractStatus, RatePeriod
from customers.models import Customer, CustomerContact, CustomerType
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.demo.machines import MACHINE_TYPES, demo_machines
from rentalbridge.roles.definitions import AUDITOR, BACK_OFFICE, SYNC_OPERATOR

DEPOTS = [
    ("DEP-AAR", "Aarhus Nord", "Høgemosevænget 4", "8380", "Trige", "DK", "56.251300", "10.152800"),
    (
        "DEP-CPH",
        "Copenhagen Glostrup",
        "Ejby Industrivej 38",
        "2600",
        "Glostrup",
        "DK",
        "55.674100",
        "12.391200",
    ),
    ("DEP-ODE", "Odense Syd", "Svendborgvej 243", "5260", "Odense S", "DK", "55.352600", "10.401900"),
]

COMPANY_WORDS = ["Nord", "Bygge", "Anlæg", "Entreprise", "Jord", "Beton", "Vej", "Kyst", "Fjord", "Skov"]
COMPANY_FORMS = ["A/S", "ApS", "& Søn", "Group", "Construction", "Infra"]
CITIES = [
    ("8000", "Aarhus C"),
    ("2100", "København Ø"),
    ("5000", "Odense C"),
    ("7100", "Vejle"),
    ("9000", "Aalborg"),
    ("6700", "Esbjerg"),
    ("4000", "Roskilde"),
    ("8700", "Horsens"),
]
FIRST_NAMES = ["Anne", "Mads", "Sofie", "Lars", "Mette", "Jens", "Camilla", "Peter", "Ida", "Henrik"]
LAST_NAMES = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen"]

CUSTOMER_COUNT = 30
CONTRACT_COUNT = 60

DEFINITIONS: list[dict[str, Any]] = [
    dict(
        entity_type="ASSET",
        key="licensePlate",
        title="License plate",
        type="STRING",
        max_length=12,
        pattern=r"[A-Z]{2} ?[0-9]{2} ?[0-9]{3}",
    ),
    dict(entity_type="ASSET", key="purchaseDate", title="Purchase date", type="DATE"),
    dict(
        entity_type="ASSET",
        key="fuelTankCapacity",
        title="Fuel tank capacity",
        type="NUMBER",
        minimum=Decimal(0),
        maximum=Decimal(2000),
        unit_si="L",
        unit_us="gal",
    ),
    dict(entity_type="CUSTOMER", key="creditLimit", title="Credit limit", type="MONETARY", currency="EUR"),
    dict(
        entity_type="CUSTOMER",
        key="segment",
        title="Segment",
        type="DROPDOWN",
        options=["Infrastructure", "Residential", "Industrial", "Public sector"],
    ),
    dict(
        entity_type="RENTAL_CONTRACT",
        key="customerProjectCode",
        title="Customer project code",
        type="STRING",
        max_length=20,
    ),
    dict(entity_type="SITE", key="openingHours", title="Opening hours", type="STRING", max_length=60),
]

DEMO_USERS = [
    ("admin", None),
    ("backoffice", BACK_OFFICE),
    ("operator", SYNC_OPERATOR),
    ("auditor", AUDITOR),
]


@dataclass
class SeedReport:
    created: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in self.created.items())


@transaction.atomic
def seed_demo(password: str, today: date | None = None) -> SeedReport:
    today = today or date.today()
    rng = random.Random(2026)
    report = SeedReport(created={})
    depots = _depots(report)
    assets = _assets(rng, depots, report)
    customers = _customers(rng, report)
    _contracts(rng, today, customers, assets, depots, report)
    _custom_fields(rng, report)
    _users(password, report)
    return report


def _count(report: SeedReport, kind: str, created: bool) -> None:
    report.created[kind] = report.created.get(kind, 0) + int(created)


def _depots(report: SeedReport) -> list[Depot]:
    depots = []
    for ref, name, street, postal_code, city, country, lat, lon in DEPOTS:
        depot, created = Depot.objects.get_or_create(
            external_reference=ref,
            defaults=dict(
                name=name,
                street=street,
                postal_code=postal_code,
                city=city,
                country=country,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
            ),
        )
        _count(report, "depots", created)
        depots.append(depot)
    return depots


def _assets(rng: random.Random, depots: list[Depot], report: SeedReport) -> list[Asset]:
    assets = []
    for machine in demo_machines():
        number = machine.number
        asset, created = Asset.objects.get_or_create(
            external_reference=f"FLT-{number:05d}",
            defaults=dict(
                name=machine.name,
                identifier_type=IdentifierType.SERIAL_NUMBER
                if number % 4 == 0
                else IdentifierType.EXTERNAL_REFERENCE,
                serial_number=machine.serial_number,
                pin=machine.pin,
                make=machine.make,
                model=machine.model,
                asset_type=machine.asset_class,
                rental_status=rng.choice(
                    [RentalStatus.AVAILABLE] * 6 + [RentalStatus.IN_REPAIR, RentalStatus.TRANSFER]
                ),
                owning_depot=depots[number % len(depots)],
            ),
        )
        _count(report, "assets", created)
        assets.append(asset)
    return assets


def _customers(rng: random.Random, report: SeedReport) -> list[Customer]:
    customers = []
    for number in range(1, CUSTOMER_COUNT + 1):
        word = COMPANY_WORDS[number % len(COMPANY_WORDS)]
        name = f"{rng.choice(LAST_NAMES)} {word} {COMPANY_FORMS[number % len(COMPANY_FORMS)]}"
        postal_code, city = CITIES[number % len(CITIES)]
        domain = f"{word.lower().replace('æ', 'ae')}{number}.dk"
        customer, created = Customer.objects.get_or_create(
            external_reference=f"CUS-{number:04d}",
            defaults=dict(
                name=name,
                type=CustomerType.RENTAL if number % 10 == 0 else CustomerType.CONTRACTOR,
                street=f"Industrivej {rng.randint(1, 120)}",
                postal_code=postal_code,
                city=city,
                country="DK",
                phone=f"+45 {rng.randint(20000000, 99999999)}",
                email=f"info@{domain}",
                web_address=f"https://www.{domain}",
            ),
        )
        _count(report, "customers", created)
        for index in range(1 + number % 3):
            first = FIRST_NAMES[(number + index) % len(FIRST_NAMES)]
            person = f"{first} {LAST_NAMES[(number * 3 + index) % len(LAST_NAMES)]}"
            contact_name, role = (person, ["Site manager", "Purchasing", "Accounts payable"][index])
            if index == 2:
                contact_name, role = ("Service desk", "Call centre")
            _, created = CustomerContact.objects.get_or_create(
                customer=customer,
                name=contact_name,
                defaults=dict(
                    role=role,
                    email=f"{contact_name.split()[0].lower()}@{domain}",
                    phone=f"+45 {rng.randint(20000000, 99999999)}",
                ),
            )
            _count(report, "contacts", created)
        customers.append(customer)
    return customers


def _contracts(rng, today, customers, assets, depots, report) -> None:
    # Open contracts each get assets nobody else holds, so the overlap rule always holds for the demo.
    free_assets = list(assets)
    rng.shuffle(free_assets)
    statuses = [ContractStatus.OPEN] * 34 + [ContractStatus.COMPLETED] * 12 + [ContractStatus.RESERVED] * 8
    statuses += [ContractStatus.CANCELLED] * (CONTRACT_COUNT - len(statuses))
    for number, status in enumerate(statuses, start=1):
        start = (
            today - timedelta(days=rng.randint(1, 60))
            if status == ContractStatus.OPEN
            else (
                today - timedelta(days=rng.randint(90, 400))
                if status in (ContractStatus.COMPLETED, ContractStatus.CANCELLED)
                else today + timedelta(days=rng.randint(3, 30))
            )
        )
        contract, created = Contract.objects.get_or_create(
            external_reference=f"RC-{2026_0000 + number}",
            defaults=dict(
                customer=customers[number % len(customers)],
                status=status,
                start_date=start,
                end_date=start + timedelta(days=rng.randint(30, 120)) if rng.random() < 0.7 else None,
            ),
        )
        _count(report, "contracts", created)
        if not created:
            continue
        for line in range(1, rng.randint(1, 4) + 1):
            asset = free_assets.pop() if status == ContractStatus.OPEN else rng.choice(assets)
            daily_rate = next(
                rate for make, model, _, rate in MACHINE_TYPES if (make, model) == (asset.make, asset.model)
            )
            on_rent = contract.start_date + timedelta(days=line - 1)
            off_rent = contract.end_date if status != ContractStatus.OPEN or rng.random() < 0.5 else None
            ContractItem.objects.create(
                contract=contract,
                external_reference=f"{line:02d}",
                asset=asset,
                on_rent_date=on_rent,
                off_rent_date=off_rent if off_rent and off_rent >= on_rent else None,
                rate_amount=Decimal(daily_rate),
                rate_currency="EUR",
                rate_period=RatePeriod.DAY,
                hiring_depot=asset.owning_depot or rng.choice(depots),
                delivery_address=f"Byggeplads {rng.choice(CITIES)[1]}, {contract.customer.name}",
            )
            _count(report, "contract items", True)
            if status == ContractStatus.OPEN and asset.rental_status != RentalStatus.ON_RENT:
                asset.rental_status = RentalStatus.ON_RENT
                asset.save(update_fields=["rental_status", "updated_at"])


def _custom_fields(rng: random.Random, report: SeedReport) -> None:
    definitions = {}
    for spec in DEFINITIONS:
        spec = dict(spec)
        definition, created = CustomFieldDefinition.objects.get_or_create(key=spec.pop("key"), defaults=spec)
        _count(report, "custom-field definitions", created)
        definitions[definition.key] = definition

    def set_value(record, key: str, value) -> None:
        definition = definitions[key]
        _, created = CustomFieldValue.objects.get_or_create(
            definition=definition,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            defaults={"value": value},
        )
        _count(report, "custom-field values", created)

    for asset in Asset.objects.filter(asset_type=AssetType.VEHICLE)[:20]:
        set_value(
            asset,
            "licensePlate",
            f"{rng.choice(['AB', 'CD', 'EF'])} {rng.randint(10, 99)} {rng.randint(100, 999)}",
        )
    for asset in Asset.objects.order_by("external_reference")[:40]:
        set_value(
            asset, "purchaseDate", (date(2019, 1, 1) + timedelta(days=rng.randint(0, 2000))).isoformat()
        )
        set_value(asset, "fuelTankCapacity", rng.choice([40, 65, 120, 300, 410]))
    for customer in Customer.objects.order_by("external_reference")[:20]:
        set_value(customer, "creditLimit", rng.randint(10, 500) * 1000)
        set_value(customer, "segment", rng.choice(definitions["segment"].options))
    for contract in Contract.objects.filter(status=ContractStatus.OPEN).order_by("external_reference")[:15]:
        set_value(contract, "customerProjectCode", f"P-{rng.randint(1000, 9999)}")
    for depot in Depot.objects.all():
        set_value(depot, "openingHours", "Mon-Fri 06:30-16:00")


def _users(password: str, report: SeedReport) -> None:
    User = get_user_model()
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults=dict(is_staff=True, is_superuser=role is None, email=f"{username}@rentalbridge.local"),
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if role:
            user.groups.add(Group.objects.get(name=role))
        _count(report, "users", created)
