from django.db import migrations


def apply(apps, schema_editor):
    from rentalbridge.roles.definitions import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0001_initial"),
        ("assets", "0001_initial"),
        ("contracts", "0001_initial"),
        ("customfields", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
