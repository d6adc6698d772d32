"""Seeded fault injection: slow, failing, hanging and dropped answers, and 429 storms.

Every request draws from one seeded random generator in arrival order, so the same seed and the same
sequence of requests give the same faults: a flaky-network test can be replayed exactly.
"""

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

RATES = ("error_rate", "hang_rate", "drop_rate", "storm_429_rate")


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: int = 0
    error_rate: float = 0.0
    hang_rate: float = 0.0
    hang_ms: int = 30_000
    drop_rate: float = 0.0
    storm_429_rate: float = 0.0
    rate_limit_per_s: int = 20
    seed: int = 1

    def updated(self, changes: dict[str, Any]) -> "FaultSettings":
        """A copy with `changes` applied; raises ValueError naming every bad key or value."""
        known = {f.name: f.type for f in fields(self)}
        problems = [f"unknown setting {k!r}" for k in changes if k not in known]
        for key, value in changes.items():
            if key not in known:
                continue
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            if key in RATES:
                if not (is_number and 0.0 <= value <= 1.0):
                    problems.append(f"{key} must be a number between 0 and 1")
            elif not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                problems.append(f"{key} must be a whole number >= 0")
        if problems:
            raise ValueError("; ".join(problems))
        # Checked above, key by key, so the mixed value type is sound.
        checked: dict[str, Any] = {k: (float(v) if k in RATES else v) for k, v in changes.items()}
        return replace(self, **checked)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Fault:
    """What happens to one request: extra latency, then at most one failure."""

    latency_s: float
    action: str | None  # "drop", "hang", "error", "storm_429" or None
    status: int = 0


class Faults:
    def __init__(self, startup: FaultSettings) -> None:
        self.startup = startup
        self._lock = threading.Lock()
        self.settings = startup
        self._random = random.Random(startup.seed)

    def set(self, changes: dict[str, Any]) -> FaultSettings:
        with self._lock:
            self.settings = self.settings.updated(changes)
            if "seed" in changes:
                self._random = random.Random(self.settings.seed)
            return self.settings

    def reset(self) -> None:
        with self._lock:
            self.settings = self.startup
            self._random = random.Random(self.startup.seed)

    def draw(self) -> Fault:
        """Draw the same number of random numbers for every request, so one fault never shifts the others."""
        with self._lock:
            s = self.settings
            rolls = [self._random.random() for _ in range(5)]
        action, status = None, 0
        if rolls[0] < s.drop_rate:
            action = "drop"
        elif rolls[1] < s.hang_rate:
            action = "hang"
        elif rolls[2] < s.error_rate:
            action, status = "error", (500 if rolls[4] < 0.5 else 503)
        elif rolls[3] < s.storm_429_rate:
            action, status = "storm_429", 429
        return Fault(s.latency_ms / 1000.0, action, status)
