"""Small helpers for import tests: build CSV bytes the way users' tools write them."""

from rentalbridge.imports.engine import ImportReport, run_import
from rentalbridge.imports.registry import resource_for


def csv_bytes(*lines: str, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = "\r\n".join(line.replace(",", delimiter) if delimiter != "," else line for line in lines)
    return (text + "\r\n").encode(encoding)


def do_import(entity: str, data: bytes, **options) -> ImportReport:
    return run_import(resource_for(entity), data, actor="test", **options)


def error_for(report: ImportReport, line: int, column: str):
    matches = [e for e in report.errors if e.line == line and e.column == column]
    assert matches, f"no error on row {line}, column {column}: {[str(e) for e in report.errors]}"
    return matches[0]
