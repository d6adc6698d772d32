from django.db import migrations


def apply(apps, schema_editor):
    from rentalbridge.roles.definitions import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    """Sync runs, operations, attempts and drift join the roles: operators run syncs, others read."""

    dependencies = [
        ("roles", "0002_import_export_permissions"),
        ("sync", "0002_sync_engine"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
