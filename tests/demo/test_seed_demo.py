import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from assets.models import Asset, Depot
from contracts.models import Contract, ContractItem, ContractStatus
from contracts.overlaps import find_overlaps, period_of_item
from customers.models import Customer, CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue

pytestmark = pytest.mark.django_db

MODELS = [
    Depot,
    Asset,
    Customer,
    CustomerContact,
    Contract,
    ContractItem,
    CustomFieldDefinition,
    CustomFieldValue,
]


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_builds_a_realistic_fleet_and_is_idempotent():
    call_command("seed_demo", password="demo-pass-123")
    first = counts()
    assert first["Asset"] >= 200
    assert first["Depot"] == 3
    assert first["Customer"] == 30
    assert first["Contract"] == 60
    assert first["ContractItem"] >= 60
    assert first["CustomFieldDefinition"] >= 3
    assert first["CustomFieldValue"] > 0
    assert all(c.contacts.exists() for c in Customer.objects.prefetch_related("contacts"))
    assert set(Asset.objects.values_list("owning_depot__external_reference", flat=True)) == set(
        Depot.objects.values_list("external_reference", flat=True)
    )

    call_command("seed_demo", password="demo-pass-123")
    assert counts() == first


def test_seed_demo_keeps_what_staff_changed():
    call_command("seed_demo")
    Asset.objects.filter(external_reference="FLT-00001").update(name="Renamed by staff")
    call_command("seed_demo")
    assert Asset.objects.get(external_reference="FLT-00001").name == "Renamed by staff"


def test_demo_data_obeys_every_model_rule():
    call_command("seed_demo")
    for model in MODELS:
        for record in model.objects.all():
            record.full_clean()
    open_items = ContractItem.objects.filter(contract__status=ContractStatus.OPEN).select_related(
        "contract", "asset"
    )
    assert find_overlaps([period_of_item(i) for i in open_items], against_stored=False) == []


def test_demo_users_log_in_with_their_roles():
    call_command("seed_demo", password="demo-pass-123")
    assert User.objects.get(username="admin").is_superuser
    for name, role in [("backoffice", "Back office"), ("operator", "Sync operator"), ("auditor", "Auditor")]:
        user = User.objects.get(username=name)
        assert user.check_password("demo-pass-123")
        assert list(user.groups.values_list("name", flat=True)) == [role]
