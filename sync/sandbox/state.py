"""The sandbox's in-memory data: one indexed table of records per kind, guarded by one lock, savable as JSON.

Records are stored exactly as the API returns them, so `/_sandbox/state` and the answers can never drift
apart. Telematics and the clock offset live here too, so a saved state replays the same readings.
"""

import copy
import itertools
import json
import os
import tempfile
import threading
from collections.abc import ItemsView, Iterable, Iterator, ValuesView
from pathlib import Path
from typing import Any

# Bumped when stored records change shape, so a state file written by an older sandbox is not replayed.
FORMAT = 2
# The fields each kind is looked up by on the request paths (an asset by serial number or reference, a
# rental record by asset or by identifier, a contract's items...): indexed, so a lookup costs the same with
# 10 or 100,000 records instead of a scan.
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "assets": (("externalReference",), ("serialNumber",)),
    "sites": (("externalReference",),),
    "customers": (("externalReference",),),
    "contacts": (("customerId",),),
    "customer_assets": (("customerId",),),
    "rental": (("assetId",), ("identifierType", "identifier")),
    "contracts": (("externalReference",),),
    "contract_items": (("contractId",), ("rentalId",), ("contractId", "externalReference")),
    "custom_field_definitions": (),
    "custom_field_values": (),
}
KINDS = tuple(INDEXES)


class Table:
    """One kind's records by id, with indexes on chosen fields kept up to date by every write.

    Reads are a dict's (`get`, `values`, `in`, ...). Storing a record (`table[id] = record`) indexes it;
    a handler that changed indexed fields of a stored record in place stores it again (or calls `update`),
    and the entries it had are found by the keys remembered when it was indexed, not by its new values.
    """

    def __init__(
        self, indexes: tuple[tuple[str, ...], ...], records: dict[str, dict[str, Any]] | None = None
    ):
        self._records: dict[str, dict[str, Any]] = {}
        self._indexes: dict[tuple[str, ...], dict[tuple, dict[str, dict[str, Any]]]] = {
            fields: {} for fields in indexes
        }
        self._keys: dict[str, list[tuple]] = {}
        # When each record was first stored: lookups that gather several keys answer in table order.
        self._order: dict[str, int] = {}
        self._counter = itertools.count()
        for record_id, record in (records or {}).items():
            self[record_id] = record

    # --- reads ---------------------------------------------------------------------------------------------
    def __getitem__(self, record_id: str) -> dict[str, Any]:
        return self._records[record_id]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def get(self, record_id: str, default: Any = None) -> Any:
        return self._records.get(record_id, default)

    def values(self) -> ValuesView[dict[str, Any]]:
        return self._records.values()

    def items(self) -> ItemsView[str, dict[str, Any]]:
        return self._records.items()

    def find(self, fields: tuple[str, ...], *values: Any) -> list[dict[str, Any]]:
        """The records whose `fields` hold `values`, oldest first."""
        return list(self._indexes[fields].get(values, {}).values())

    def find_keys(self, fields: tuple[str, ...], *values: Any) -> list[str]:
        return list(self._indexes[fields].get(values, {}))

    def first(self, fields: tuple[str, ...], *values: Any) -> dict[str, Any] | None:
        found = self._indexes[fields].get(values)
        return next(iter(found.values())) if found else None

    def in_table_order(self, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(records, key=lambda record: self._order[record["id"]])

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return self._records

    # --- writes --------------------------------------------------------------------------------------------
    def __setitem__(self, record_id: str, record: dict[str, Any]) -> None:
        old_keys = self._keys.get(record_id)
        self._records[record_id] = record
        self._order.setdefault(record_id, next(self._counter))
        keys = []
        for position, (fields, index) in enumerate(self._indexes.items()):
            key = tuple(record.get(name) for name in fields)
            keys.append(key)
            if old_keys is not None and old_keys[position] == key:
                index[key][record_id] = record
                continue
            if old_keys is not None:
                self._drop(index, old_keys[position], record_id)
            index.setdefault(key, {})[record_id] = record
        self._keys[record_id] = keys

    def __delitem__(self, record_id: str) -> None:
        self._unindex(record_id)
        del self._records[record_id]

    def update(self, record_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change fields of a stored record, indexes included; returns the record."""
        record = self._records[record_id]
        record.update(changes)
        self[record_id] = record
        return record

    def _unindex(self, record_id: str) -> None:
        self._order.pop(record_id, None)
        for index, key in zip(self._indexes.values(), self._keys.pop(record_id, ()), strict=False):
            self._drop(index, key, record_id)

    @staticmethod
    def _drop(index: dict[tuple, dict[str, dict[str, Any]]], key: tuple, record_id: str) -> None:
        entries = index[key]
        del entries[record_id]
        if not entries:
            del index[key]


class Store:
    """All records by kind and id. Callers hold `lock` for any read-modify-write sequence."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.records: dict[str, Table] = {kind: Table(INDEXES[kind]) for kind in KINDS}
        self.telematics: dict[str, dict[str, Any]] = {}
        self.epoch: float = 0.0
        self.clock_offset: float = 0.0

    def kind(self, name: str) -> Table:
        return self.records[name]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": FORMAT,
                "records": {kind: copy.deepcopy(table.as_dict()) for kind, table in self.records.items()},
                "telematics": copy.deepcopy(self.telematics),
                "epoch": self.epoch,
                "clockOffset": self.clock_offset,
            }

    def restore(self, snapshot: dict[str, Any]) -> None:
        with self.lock:
            records = copy.deepcopy(snapshot["records"])
            self.records = {kind: Table(INDEXES[kind], records.get(kind, {})) for kind in KINDS}
            self.telematics = copy.deepcopy(snapshot["telematics"])
            self.epoch = float(snapshot["epoch"])
            self.clock_offset = float(snapshot.get("clockOffset", 0.0))

    def public_state(self) -> dict[str, list[dict[str, Any]]]:
        """Every kind as a list of records, as `/_sandbox/state` shows them."""
        with self.lock:
            return {kind: copy.deepcopy(list(self.records[kind].values())) for kind in KINDS}

    def save(self, path: Path) -> None:
        """Write atomically, so a sandbox killed mid-write leaves the previous file intact."""
        data = json.dumps(self.snapshot(), separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as fh:
            fh.write(data)
        os.replace(tmp, path)

    @staticmethod
    def load(path: Path) -> dict[str, Any]:
        with path.open() as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or "records" not in data or "telematics" not in data:
            raise ValueError(f"{path} is not a sandbox state file")
        return data
