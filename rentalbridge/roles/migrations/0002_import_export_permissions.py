from django.db import migrations


def apply(apps, schema_editor):
    from rentalbridge.roles.definitions import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    """The import_<model>/export_<model> permissions now exist: hand them to the roles that hold them."""

    dependencies = [
        ("roles", "0001_create_roles"),
        ("customers", "0002_alter_customer_options_alter_customercontact_options"),
        ("assets", "0002_alter_asset_options_alter_depot_options"),
        ("contracts", "0002_alter_contract_options_alter_contractitem_options"),
        ("customfields", "0002_alter_customfielddefinition_options_and_more"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
