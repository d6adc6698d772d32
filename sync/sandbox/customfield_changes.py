"""What a definition change does to the values already stored, as api-docs/custom-field-intro.md and
api-docs/custom-field-changing-definitions.md describe it:

- a removed dropdown option needs a replacement; values holding it take the replacement, and "If the
  replacement value is already selected, a duplicate value will not be created";
- multi-select to single-select: "any value with more than one option will be cleared";
- numbers "outside the new min/max range will be set to null";
- strings "longer than the new maximum length" are truncated;
- in each case "The existing value will be saved for retrieval in the API in the lastIncompatibleValue
  field"; a changed pattern (or minimumLength, isInteger) leaves values as they are: "existing data can
  become uncompliant".
"""

from collections.abc import Iterable, Mapping
from typing import Any

from sync.sandbox import spec
from sync.sandbox.customfield_values import in_range


def replacement_violations(
    old: Mapping[str, Any], new: Mapping[str, Any], replacements: Mapping[str, str], name: str
) -> list[spec.Violation]:
    """Each removed option needs a replacement among the new options; nothing else may be replaced."""
    if old["type"] != "DROPDOWN":
        return []
    removed = [o for o in old["allValues"] if o not in new["allValues"]]
    violations = [
        spec.violation(name, f"option {option!r} is removed: map it to an option that stays")
        for option in removed
        if option not in replacements
    ]
    for option, replacement in replacements.items():
        if option not in removed:
            violations.append(spec.violation(f"{name}.{option}", "is not an option this change removes"))
        elif replacement not in new["allValues"]:
            violations.append(
                spec.violation(f"{name}.{option}", f"{replacement!r} is not one of the new options")
            )
    return violations


def adapt(
    new: Mapping[str, Any], values: Iterable[dict[str, Any]], replacements: Mapping[str, str]
) -> list[tuple[dict[str, Any], Any, bool]]:
    """(value record, its new value, whether the old one was incompatible) for each value that changes."""
    changes = []
    for record in values:
        current = record["value"]
        if current is None:
            continue
        adapted, incompatible = _adapt_one(new, current, replacements)
        if adapted != current:
            changes.append((record, adapted, incompatible))
    return changes


def _adapt_one(new: Mapping[str, Any], value: Any, replacements: Mapping[str, str]) -> tuple[Any, bool]:
    kind = new["type"]
    if kind == "DROPDOWN":
        return _dropdown(new, value, replacements)
    if kind in ("NUMBER", "MONETARY") and spec.is_number(value) and not in_range(new, value):
        return None, True
    longest = new.get("maximumLength")
    if kind == "STRING" and isinstance(value, str) and longest is not None and len(value) > longest:
        return value[:longest], True
    return value, False


def _dropdown(new: Mapping[str, Any], value: Any, replacements: Mapping[str, str]) -> tuple[Any, bool]:
    chosen = value if isinstance(value, list) else [value]
    replaced = list(dict.fromkeys(replacements.get(option, option) for option in chosen))
    incompatible = replaced != chosen
    if new["multiSelect"]:
        return replaced, incompatible
    if len(replaced) > 1:
        return None, True
    # [A] a one-option list of a field that became single-select reads as that option.
    return replaced[0], incompatible
