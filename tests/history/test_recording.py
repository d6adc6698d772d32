"""Field-level history: who changed a record, when, through what, and each field's old -> new value."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from assets.models import Asset, Depot
from contracts.models import Contract, ContractItem
from customers.models import Customer, CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.history import recorded_as
from tests import factories
from tests.history.forms import change_form_data

pytestmark = pytest.mark.django_db

HISTORY_TRACKED = [Customer, CustomerContact, Depot, Asset, Contract, ContractItem]
HISTORY_TRACKED += [CustomFieldDefinition, CustomFieldValue]


def test_a_form_edit_is_recorded_with_its_user_the_form_and_old_to_new(client, back_office_user):
    asset = factories.asset(external_reference="FLT-4711", name="Volvo EC220E", rental_status="AVAILABLE")
    client.force_login(back_office_user)
    url = reverse("admin:assets_asset_change", args=[asset.pk])
    response = client.post(
        url, change_form_data(client, url, name="Volvo EC220E #4711", rental_status="ON_RENT")
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response

    latest, created = asset.history.all()[:2]
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        back_office_user,
        "admin form",
    )
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(created).changes}
    assert changes == {
        "name": ("Volvo EC220E", "Volvo EC220E #4711"),
        "rental_status": ("AVAILABLE", "ON_RENT"),
    }


def test_a_deleted_record_leaves_a_deletion_row(client, superuser):
    customer = factories.customer(external_reference="C-9")
    CustomerContact.objects.create(customer=customer, name="Ida")
    client.force_login(superuser)
    response = client.post(reverse("admin:customers_customer_delete", args=[customer.pk]), {"post": "yes"})
    assert response.status_code == 302
    [deleted] = Customer.history.filter(id=customer.pk, history_type="-")
    assert (deleted.history_user, deleted.history_change_reason) == (superuser, "admin delete")
    # The contact went with it (cascade): its deletion is recorded too.
    assert CustomerContact.history.filter(name="Ida", history_type="-").count() == 1


def test_code_names_its_reason_and_user_inside_recorded_as(back_office_user):
    depot = factories.depot(name="North")
    with recorded_as("command seed_demo", user=back_office_user):
        depot.name = "North yard"
        depot.save()
    row = depot.history.first()
    assert (row.history_change_reason, row.history_user, row.name) == (
        "command seed_demo",
        back_office_user,
        "North yard",
    )


def test_saving_only_bookkeeping_columns_writes_no_history():
    asset = factories.asset()
    before = asset.history.count()
    asset.save(update_fields=["updated_at"])
    asset.save(update_fields=["trackunit_asset_id", "operating_hours"])
    assert asset.history.count() == before


def test_bookkeeping_and_telematics_columns_are_not_in_history():
    tracked = {field.name for field in Asset.history.model.tracked_fields}
    for column in ("updated_at", "created_at", "trackunit_asset_id", "operating_hours", "telematics_at"):
        assert column not in tracked
    assert {"name", "external_reference", "pin", "serial_number", "rental_status", "owning_depot"} <= tracked


@pytest.mark.parametrize("model", HISTORY_TRACKED, ids=lambda model: model.__name__)
def test_every_record_kind_has_history(model):
    assert hasattr(model, "history"), model


@pytest.mark.parametrize("statement", ["UPDATE {table} SET name = 'forged'", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_or_delete_history_rows(statement):
    factories.customer(name="Nordbyg")
    table = Customer.history.model._meta.db_table
    with (
        pytest.raises(DatabaseError, match="history rows are append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert Customer.history.filter(name="Nordbyg").count() == 1


def test_a_history_row_must_say_through_what():
    customer = factories.customer()
    with pytest.raises(DatabaseError, match="history_customer_says_through_what"), transaction.atomic():
        Customer.history.model.objects.create(
            id=customer.pk,
            name="x",
            external_reference="x",
            history_type="~",
            history_date=customer.created_at,
            history_change_reason="",
        )


def test_a_form_saved_unchanged_writes_no_history_row(client, back_office_user):
    customer = factories.customer(name="Nordbyg A/S")
    client.force_login(back_office_user)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    assert client.post(url, change_form_data(client, url)).status_code == 302
    assert customer.history.count() == 1
