from django.db import migrations


def apply(apps, schema_editor):
    from rentalbridge.roles.definitions import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    """The Trackunit asset report joins the roles: every role reads it."""

    dependencies = [
        ("roles", "0003_sync_permissions"),
        ("sync", "0004_remote_assets"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
