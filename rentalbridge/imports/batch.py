"""The rows of one import while they are checked: column-wise values, and the errors found so far.

Column-wise (one list per attribute) because every check runs over a whole column at once; a row is only
assembled when it is written or handed back as rejected.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowError:
    """One broken rule, located as the user sees it in Excel: row number, column name, cell text."""

    line: int
    column: str
    value: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}, value {self.value!r}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class Batch:
    """All rows of the file. `values` is keyed by model attname (customer_id, on_rent_date...)."""

    lines: list[int]
    raw: dict[str, list[str]]
    values: dict[str, list[Any]] = field(default_factory=dict)
    # attname -> the CSV column it came from, for error messages.
    columns: dict[str, str] = field(default_factory=dict)
    errors: dict[int, list[RowError]] = field(default_factory=lambda: defaultdict(list))
    existing: list[int | None] = field(default_factory=list)
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lines)

    def reject(self, index: int, column: str, rule: str, message: str) -> None:
        value = self.raw[column][index] if column in self.raw else ""
        self.errors[index].append(RowError(self.lines[index], column, value, rule, message))

    def reject_attr(self, index: int, attname: str, rule: str, message: str) -> None:
        self.reject(index, self.columns.get(attname, attname), rule, message)

    def is_ok(self, index: int) -> bool:
        return index not in self.errors

    def ok_indexes(self) -> Iterator[int]:
        return (i for i in range(len(self.lines)) if i not in self.errors)

    def has(self, attname: str) -> bool:
        return attname in self.values

    def get(self, attname: str, index: int, default: Any = None) -> Any:
        column = self.values.get(attname)
        return default if column is None else column[index]

    def row(self, index: int, attnames: list[str]) -> dict[str, Any]:
        return {name: self.values[name][index] for name in attnames}

    def stored_record(self, index: int) -> dict[str, Any]:
        """The stored values of the record row `index` updates; a row that creates a record has none."""
        pk = self.existing[index]
        if pk is None:
            raise KeyError(f"row {index} creates a record: nothing is stored for it")
        return self.stored[pk]
