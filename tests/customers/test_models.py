import pytest
from django.db import IntegrityError, transaction

from customers.models import Customer, CustomerContact
from tests import factories

pytestmark = pytest.mark.django_db


def test_external_reference_is_unique_in_the_database():
    factories.customer(external_reference="CUS-1")
    with pytest.raises(IntegrityError, match="external_reference"):
        Customer.objects.create(name="Copy", external_reference="CUS-1")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"external_reference": ""}, "customer_external_reference_not_blank"),
        ({"name": ""}, "customer_name_not_blank"),
        ({"type": "PARTNER"}, "customer_type_valid"),
    ],
)
def test_database_refuses_invalid_customers(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Customer.objects.create(**{"name": "Acme", "external_reference": "CUS-9", **fields})


def test_trackunit_id_is_optional_but_unique():
    first = factories.customer(trackunit_id="7b0a4c52-6f3e-4bfc-9d43-3b1f0b7f2e11")
    factories.customer()  # many customers without an id yet
    with pytest.raises(IntegrityError):
        factories.customer(trackunit_id=first.trackunit_id)


def test_contact_names_are_unique_per_customer_only():
    a, b = factories.customer(), factories.customer()
    CustomerContact.objects.create(customer=a, name="Service desk", role="Call centre")
    CustomerContact.objects.create(customer=b, name="Service desk")
    with pytest.raises(IntegrityError, match="contact_unique_name_per_customer"):
        CustomerContact.objects.create(customer=a, name="Service desk")


def test_address_line_joins_the_parts_present():
    customer = factories.customer(street="Industrivej 4", postal_code="8000", city="Aarhus C", country="DK")
    assert customer.address_line == "Industrivej 4, 8000 Aarhus C, DK"
    assert factories.customer(city="Vejle").address_line == "Vejle"
