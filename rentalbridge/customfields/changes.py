"""What a changed definition does to the values it already holds, as Trackunit documents it.

api-docs/custom-field-intro.md ("Changing definitions"): a removed dropdown option becomes its replacement
(without a duplicate in a multi-select value); going from multi- to single-select clears values holding
more than one option; values outside a narrowed minimum/maximum become null; values longer than a new
maximum length are truncated. A changed pattern (or minimum length, or whole-numbers rule) leaves values as
they are: "existing data can become uncompliant". Applying the same here keeps the local values equal to
what Trackunit now holds, so the next sync does not push values Trackunit would refuse.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from rentalbridge.customfields import rules
from rentalbridge.history import CHANGED, current_source, record_bulk

if TYPE_CHECKING:
    from rentalbridge.customfields.models import CustomFieldDefinition


def adapted(new: rules.FieldRules, value: Any, replacements: Mapping[str, str]) -> Any:
    """The value as Trackunit keeps it under the definition's new rules."""
    if value is None:
        return None
    if new.type == rules.DROPDOWN:
        return _dropdown(new, value, replacements)
    if new.type in (rules.NUMBER, rules.MONETARY):
        return _in_range(new, value)
    if new.type == rules.STRING and new.max_length is not None and isinstance(value, str):
        return value[: new.max_length]
    return value


def _dropdown(new: rules.FieldRules, value: Any, replacements: Mapping[str, str]) -> Any:
    chosen = value if isinstance(value, list) else [value]
    mapped = list(dict.fromkeys(replacements.get(option, option) for option in chosen))
    if new.multi_select:
        return mapped
    if len(mapped) > 1:
        return None
    return mapped[0] if mapped else None


def _in_range(new: rules.FieldRules, value: Any) -> Any:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    if (new.minimum is not None and number < new.minimum) or (
        new.maximum is not None and number > new.maximum
    ):
        return None
    return value


def adapt_values(definition: "CustomFieldDefinition", replacements: Mapping[str, str]) -> int:
    """Rewrite the definition's stored values under its new rules; returns how many changed.

    bulk_update sends no signals, so the rewritten values get their history rows in bulk, in the same
    transaction, saying the definition change did it (and who made that change, when known).
    """
    changed = []
    now = timezone.now()
    for stored in definition.values.all().only("pk", "value"):
        value = adapted(definition.rules, stored.value, replacements)
        if value != stored.value:
            stored.value, stored.updated_at = value, now
            changed.append(stored)
    if not changed:
        return 0
    source = current_source()
    model = definition.values.model
    with transaction.atomic():
        model.objects.bulk_update(changed, ["value", "updated_at"], batch_size=1000)
        record_bulk(
            model,
            [stored.pk for stored in changed],
            CHANGED,
            reason=f"definition {definition.key} changed ({source.reason})",
            user=source.user,
        )
    return len(changed)
