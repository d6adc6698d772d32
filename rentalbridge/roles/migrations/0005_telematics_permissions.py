from django.db import migrations


def apply(apps, schema_editor):
    from rentalbridge.roles.definitions import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    """Telematics pulls join the roles: operators pull, everyone reads."""

    dependencies = [
        ("roles", "0004_remote_asset_permissions"),
        ("sync", "0007_telematics_pulls"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
