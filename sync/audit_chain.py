"""The hash chain over the audit trail: how each attempt is sealed to the one before it, and how to check.

Each SyncAttempt stores the SHA-256 of its bodies, the hash of the row before it (`previous_hash`) and its
own `chain_hash` = sha256(previous_hash + digest of its content). Changing any recorded field changes the
row's content digest, and deleting or inserting a row breaks the link of the row after it, so someone with
database rights who edits the trail behind the application's back is found by `verify` (unless they
rewrite every later row as well, which comparing with an earlier verification's head hash exposes).

The bodies themselves are covered through their digests only, so retention may blank old bodies
(sync/audit_retention.py) and the chain still verifies. These are plain functions over mappings of field
values; the database side is in SyncAttempt.save and sync/audit_verification.py.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

# What a row's chain hash covers, in this order; keys are the model's attribute names.
CONTENT_FIELDS = (
    "created_at",
    "run_id",
    "operation_id",
    "kind",
    "key",
    "action",
    "method",
    "url",
    "status_code",
    "duration_ms",
    "attempt",
    "outcome",
    "error_code",
    "error_message",
    "triggered_by",
    "request_sha256",
    "response_sha256",
)


def body_digest(body: str) -> str:
    """Hex SHA-256 of a body as stored (UTF-8)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _canonical(name: str, value: Any) -> Any:
    """One JSON-safe spelling per value, whether it came from Python or back from the database."""
    if value is None:
        return None
    if name == "created_at":
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"created_at must be an aware datetime, got {value!r}")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if name == "duration_ms":
        return repr(float(value))  # 12 and 12.0 are the same duration; repr round-trips a double exactly
    if name in ("run_id", "operation_id", "status_code", "attempt"):
        return int(value)
    return str(value)


def content_digest(row: Mapping[str, Any]) -> str:
    """Hex SHA-256 over the canonical JSON of the row's CONTENT_FIELDS."""
    content = [[name, _canonical(name, row[name])] for name in CONTENT_FIELDS]
    text = json.dumps(content, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def link(previous_hash: str, row: Mapping[str, Any]) -> str:
    """The chain hash of `row` when it follows the row whose chain hash is `previous_hash`."""
    return hashlib.sha256((previous_hash + content_digest(row)).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_hash: str
    broken_id: int | None = None
    broken_created_at: datetime | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Walk rows in id order and report the first one that does not hold.

    Each row needs `id`, `chain_hash`, `previous_hash`, `bodies_pruned_at`, the CONTENT_FIELDS, and
    `request_body_sha256` / `response_body_sha256`: the digests of the bodies as they are now (computed
    by the database, so bodies need not be streamed here). Bodies already pruned are not compared.
    """
    previous = GENESIS
    checked = 0
    for row in rows:
        problem = _problem_of(row, previous)
        if problem:
            return ChainReport(checked, previous, row["id"], row["created_at"], problem)
        previous = row["chain_hash"]
        checked += 1
    return ChainReport(checked, previous)


def _problem_of(row: Mapping[str, Any], previous: str) -> str:
    if row["previous_hash"] != previous:
        return "chain broken: previous hash does not match"
    if link(previous, row) != row["chain_hash"]:
        return "content changed"
    if row["bodies_pruned_at"] is None and (
        row["request_body_sha256"] != row["request_sha256"]
        or row["response_body_sha256"] != row["response_sha256"]
    ):
        return "content changed: a body does not match its digest"
    return ""
