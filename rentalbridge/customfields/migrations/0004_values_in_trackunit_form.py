"""Stored values in the form Trackunit takes them: amounts as JSON numbers, phone numbers in E.164."""

import re
from decimal import Decimal, InvalidOperation

from django.db import migrations

PUNCTUATION = re.compile(r"[ ()./-]")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _amount(value):
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return value
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _phone(value):
    compact = PUNCTUATION.sub("", value) if isinstance(value, str) else value
    # A number without its country code cannot be completed here: it stays as typed, and the next save
    # of that value asks for the international form.
    return compact if isinstance(compact, str) and E164.match(compact) else value


def forwards(apps, schema_editor):
    value_model = apps.get_model("customfields", "CustomFieldValue")
    for type_, convert in (("MONETARY", _amount), ("PHONE_NUMBER", _phone)):
        changed = []
        for value in value_model.objects.filter(definition__type=type_).exclude(value=None).iterator():
            new = convert(value.value)
            if new != value.value:
                value.value = new
                changed.append(value)
        value_model.objects.bulk_update(changed, ["value"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("customfields", "0003_trackunit_definition_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
