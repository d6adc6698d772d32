"""Small record helpers the API modules share: new ids, field defaults and reference uniqueness."""

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sync.sandbox import spec
from sync.sandbox.state import Table
from sync.sandbox.web import constraint_violation


def new_id() -> str:
    return str(uuid.uuid4())


def with_defaults(fields: Iterable[str], body: Mapping[str, Any], **fixed: Any) -> dict[str, Any]:
    """A full record: every field present (null when not given), as Trackunit answers."""
    record: dict[str, Any] = dict(fixed)
    record.update({name: body.get(name) for name in fields})
    return record


def ensure_unique(records: Table, reference: Any, own_id: str | None, what: str) -> None:
    """externalReference "has to be unique" (api-docs/rental-erp-api-intro.md); unset ("" or null) is not."""
    if reference in (None, ""):
        return
    for record in records.find(("externalReference",), reference):
        if record.get("id") != own_id:
            raise constraint_violation(
                [spec.violation("externalReference", f"{reference!r} is already used by another {what}")]
            )


def filtered(
    records: Iterable[dict[str, Any]], request_arg: Callable[[str], str | None], *names: str
) -> list[dict[str, Any]]:
    """Records whose fields equal the query parameters of the same name that were given."""
    wanted = {name: request_arg(name) for name in names if request_arg(name) is not None}
    return [r for r in records if all(str(r.get(k)) == v for k, v in wanted.items())]
