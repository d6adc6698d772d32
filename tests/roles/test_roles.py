import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from rentalbridge.roles.definitions import AUDITOR, BACK_OFFICE, SYNC_OPERATOR
from tests import factories

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = [
    ("customers", "customer"),
    ("customers", "customercontact"),
    ("assets", "asset"),
    ("assets", "depot"),
    ("contracts", "contract"),
    ("contracts", "contractitem"),
    ("customfields", "customfielddefinition"),
    ("customfields", "customfieldvalue"),
]


def codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_the_migration_creates_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {BACK_OFFICE, SYNC_OPERATOR, AUDITOR}


@pytest.mark.parametrize(("app", "model"), DOMAIN_MODELS)
def test_back_office_and_operators_edit_data_auditors_only_view(app, model):
    for action in ("view", "add", "change", "delete"):
        assert f"{action}_{model}" in codenames(BACK_OFFICE)
        assert f"{action}_{model}" in codenames(SYNC_OPERATOR)
    assert f"view_{model}" in codenames(AUDITOR)
    assert not {f"add_{model}", f"change_{model}", f"delete_{model}"} & codenames(AUDITOR)


def test_auditor_has_nothing_but_view_permissions():
    assert codenames(AUDITOR)
    assert all(code.startswith("view_") for code in codenames(AUDITOR))


@pytest.mark.parametrize(("app", "model"), DOMAIN_MODELS[:6])
def test_auditor_reads_changelists_and_records(admin_client_for, auditor_user, app, model):
    client = admin_client_for(auditor_user)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    assert b"addlink" not in response.content  # no "Add" button


def test_auditor_sees_a_record_read_only_and_cannot_change_add_or_delete(admin_client_for, auditor_user):
    customer = factories.customer(name="Nordbyg A/S")
    client = admin_client_for(auditor_user)

    page = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    assert page.status_code == 200
    assert b"Nordbyg A/S" in page.content
    assert b'name="_save"' not in page.content
    assert page.context["title"] == "View customer"

    post = client.post(
        reverse("admin:customers_customer_change", args=[customer.pk]),
        {"name": "Renamed", "external_reference": customer.external_reference, "type": "OTHER"},
    )
    assert post.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Nordbyg A/S"

    assert client.get(reverse("admin:customers_customer_add")).status_code == 403
    assert client.get(reverse("admin:customers_customer_delete", args=[customer.pk])).status_code == 403
    assert (
        client.post(
            reverse("admin:customers_customer_delete", args=[customer.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert type(customer).objects.filter(pk=customer.pk).exists()


def test_back_office_can_add_a_customer(admin_client_for, back_office_user):
    client = admin_client_for(back_office_user)
    response = client.post(
        reverse("admin:customers_customer_add"),
        {
            "name": "Kystbyg ApS",
            "external_reference": "CUS-NEW",
            "type": "CONTRACTOR",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "customfields-customfieldvalue-content_type-object_id-TOTAL_FORMS": "0",
            "customfields-customfieldvalue-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert type(factories.customer()).objects.filter(external_reference="CUS-NEW").exists()
