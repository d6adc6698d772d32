"""A definition change rewrites the values it holds in bulk (custom-field-intro.md, "Changing definitions");
each rewritten value still gets its history row: old -> new, the definition change as the reason, the user."""

import pytest
from django.contrib.contenttypes.models import ContentType

from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.history import recorded_as
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_value_rewritten_by_a_definition_change_is_recorded_old_to_new(back_office_user):
    definition = CustomFieldDefinition.objects.create(
        entity_type="ASSET", key="siteNote", title="Site note", type="STRING", max_length=10
    )
    asset_type = ContentType.objects.get_for_model(factories.asset())
    long_note = CustomFieldValue.objects.create(
        definition=definition, content_type=asset_type, object_id=1, value="abcdefghij"
    )
    short_note = CustomFieldValue.objects.create(
        definition=definition, content_type=asset_type, object_id=2, value="abc"
    )

    with recorded_as("admin form", user=back_office_user):
        definition.max_length = 4  # Trackunit truncates longer values to the new maximum
        definition.save()

    latest, created = long_note.history.order_by("-history_date", "-history_id")[:2]
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        back_office_user,
        "definition siteNote changed (admin form)",
    )
    assert {c.field: (c.old, c.new) for c in latest.diff_against(created).changes} == {
        "value": ("abcdefghij", "abcd")
    }
    # A value the change left as it was gets no row.
    assert list(short_note.history.values_list("history_type", flat=True)) == ["+"]
