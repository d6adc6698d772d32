"""Field-by-field differences between two payloads, as operators read them: {"field": [before, after]}."""

from typing import Any


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Nested objects are compared field by field ("owningDepot.externalReference"); lists as a whole."""
    before, after = before or {}, after or {}
    changes: dict[str, list[Any]] = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changes.update({f"{name}.{sub}": pair for sub, pair in field_changes(old, new).items()})
        else:
            changes[name] = [old, new]
    return changes
