"""CSV columns of customers and their contacts, keyed by the customer's external reference."""

from customers.models import Customer, CustomerContact
from rentalbridge.imports.bulk_resource import BulkModelResource, reference_field


class CustomerResource(BulkModelResource):
    entity = "customers"
    required_columns = ("external_reference", "name")
    example_row = {
        "external_reference": "CUS-1001",
        "name": "Kystbyg ApS",
        "type": "CONTRACTOR",
        "street": "Havnegade 12",
        "postal_code": "6700",
        "city": "Esbjerg",
        "country": "DK",
        "phone": "+45 75 12 34 56",
        "email": "office@kystbyg.dk",
        "web_address": "https://kystbyg.dk",
    }

    class Meta:
        model = Customer
        fields = (
            "external_reference",
            "name",
            "type",
            "street",
            "postal_code",
            "city",
            "country",
            "phone",
            "email",
            "web_address",
        )
        import_id_fields = ("external_reference",)
        skip_unchanged = True
        report_skipped = True


class CustomerContactResource(BulkModelResource):
    """A contact is found again by its customer and its name (unique together)."""

    entity = "contacts"
    natural_key = ("customer_id", "name")
    required_columns = ("customer_reference", "name")
    example_row = {
        "customer_reference": "CUS-1001",
        "name": "Site office",
        "role": "Dispatch",
        "email": "site@kystbyg.dk",
        "phone": "+45 75 12 34 57",
    }

    customer = reference_field("customer", Customer)

    class Meta:
        model = CustomerContact
        fields = ("customer", "name", "role", "email", "phone")
        import_id_fields = ("customer", "name")
        skip_unchanged = True
        report_skipped = True
