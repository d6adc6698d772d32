"""The sandbox's in-memory data: one dict of records per kind, guarded by one lock, savable as JSON.

Records are stored exactly as the API returns them, so `/_sandbox/state` and the answers can never drift
apart. Telematics and the clock offset live here too, so a saved state replays the same readings.
"""

import copy
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

# Bumped when stored records change shape, so a state file written by an older sandbox is not replayed.
FORMAT = 2
KINDS = (
    "assets",
    "sites",
    "customers",
    "contacts",
    "customer_assets",
    "rental",
    "contracts",
    "contract_items",
    "custom_field_definitions",
    "custom_field_values",
)


class Store:
    """All records by kind and id. Callers hold `lock` for any read-modify-write sequence."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.telematics: dict[str, dict[str, Any]] = {}
        self.epoch: float = 0.0
        self.clock_offset: float = 0.0

    def kind(self, name: str) -> dict[str, dict[str, Any]]:
        return self.records[name]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": FORMAT,
                "records": copy.deepcopy(self.records),
                "telematics": copy.deepcopy(self.telematics),
                "epoch": self.epoch,
                "clockOffset": self.clock_offset,
            }

    def restore(self, snapshot: dict[str, Any]) -> None:
        with self.lock:
            records = copy.deepcopy(snapshot["records"])
            self.records = {kind: records.get(kind, {}) for kind in KINDS}
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
