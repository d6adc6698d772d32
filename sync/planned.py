"""One operation of a plan while it is being built, before it is stored as a SyncOperation row.

A plain object rather than a model instance: a first plan builds hundreds of thousands of them, and the
planner writes them in bulk (sync/operation_store.py) without the ORM's per-field work.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class PlannedOperation:
    phase: int
    kind: str
    key: str
    action: str  # create, update or delete
    payload: dict[str, Any] | None = None
    payload_json: str | None = None  # the canonical JSON the hash was taken of, stored as it is
    payload_hash: str = ""
    source_version: datetime | None = None
    depends_on: tuple[str, ...] = ()
    fields: dict[str, list[Any]] = field(default_factory=dict)  # an update's; a create's is its payload
    status: str = "pending"
    error_code: str = ""
    error_message: str = ""
