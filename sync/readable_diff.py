"""Two payloads compared leaf by leaf, as an auditor reads them: `contractItems[RI-7].rentalRate.unitPrice`.

A whole before/after blob hides the one number that changed; a path to each changed leaf shows it. Items
of a list of objects are matched by the key that identifies them in Trackunit's payloads (an item moved in
the list is no change), by position only when they carry none. Text is shown as text (no \\u escapes), and
long lists are cut to their first items and a count, so a 500-asset list does not bury the page.
"""

import json
from dataclasses import dataclass
from typing import Any

IDENTIFYING_KEYS = ("id", "externalReference", "key", "definitionKey")
LIST_ITEMS_SHOWN = 10


class _Absent:
    """A side that has no value at a path (a key added or removed), distinct from JSON null."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT = _Absent()


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.path}: {render(self.before)} -> {render(self.after)}"


def changes(before: Any, after: Any, path: str = "") -> list[Change]:
    """Every leaf that differs between `before` and `after`, with its path from the top."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for name in [*before, *(name for name in after if name not in before)]:
            found += changes(before.get(name, ABSENT), after.get(name, ABSENT), _join(path, str(name)))
        return found
    if isinstance(before, list) and isinstance(after, list):
        return _list_changes(before, after, path)
    if before == after and type(before) is type(after):
        return []
    return [Change(path, before, after)]


def field_changes(fields: dict[str, Any]) -> list[Change]:
    """The leaf changes of a {field: [before, after]} mapping (SyncOperation.fields, drift sides)."""
    found = []
    for name, (before, after) in fields.items():
        found += changes(before, after, name)
    return found


def render(value: Any) -> str:
    """One side of a change as text: strings bare, everything else as compact JSON, long lists cut."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value
    return json.dumps(_shortened(value), ensure_ascii=False, default=str)


def _shortened(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _shortened(item) for name, item in value.items()}
    if isinstance(value, list):
        shown = [_shortened(item) for item in value[:LIST_ITEMS_SHOWN]]
        hidden = len(value) - len(shown)
        return shown + ([f"… and {hidden} more"] if hidden else [])
    return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _identifying_key(before: list, after: list) -> str | None:
    """The key every item on both sides carries, with values unique per side; None: match by index."""
    items = before + after
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in IDENTIFYING_KEYS:
        if all(key in item for item in items) and all(
            len({json.dumps(item[key], default=str) for item in side}) == len(side)
            for side in (before, after)
        ):
            return key
    return None


def _unique(items: list[dict], key: str) -> bool:
    return len({render(item[key]) for item in items}) == len(items)


def _list_changes(before: list, after: list, path: str) -> list[Change]:
    key = _identifying_key(before, after)
    if key is None:
        return [
            change
            for index in range(max(len(before), len(after)))
            for change in changes(
                before[index] if index < len(before) else ABSENT,
                after[index] if index < len(after) else ABSENT,
                f"{path}[{index}]",
            )
        ]
    old = {render(item[key]): item for item in before}
    new = {render(item[key]): item for item in after}
    found = []
    for identity in [*old, *(identity for identity in new if identity not in old)]:
        found += changes(old.get(identity, ABSENT), new.get(identity, ABSENT), f"{path}[{identity}]")
    return found
