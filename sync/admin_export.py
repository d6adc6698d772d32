"""The sync attempt list as CSV, streamed row by row from exactly the queryset the changelist shows.

Streaming keeps memory flat on a year of attempts; every cell passes the spreadsheet-formula guard, since
URLs, error messages and keys come from outside and an auditor opens the file in Excel.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from rentalbridge.imports.formulae import neutralise
from sync.models import SyncAttempt
from sync.timestamps import precise

HEADER = [
    "time",
    "run",
    "kind",
    "key",
    "action",
    "method",
    "url",
    "HTTP status",
    "outcome",
    "error code",
    "error message",
    "duration ms",
    "attempt",
    "triggered by",
]


def attempt_row(attempt: SyncAttempt) -> list[Any]:
    return [
        precise(attempt.created_at),
        attempt.run_id or "",
        attempt.kind,
        attempt.key,
        attempt.action,
        attempt.method,
        attempt.url,
        attempt.status_code or "",
        attempt.outcome,
        attempt.error_code,
        attempt.error_message,
        round(attempt.duration_ms, 1),
        attempt.attempt,
        attempt.triggered_by,
    ]


class _Echo:
    """A file-like object whose write hands the line back, so csv.writer feeds a stream."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def attempts_csv(attempts: QuerySet, filename: str = "sync-attempts.csv") -> StreamingHttpResponse:
    """A streamed CSV download of `attempts` (bodies are left out: they are read on the detail page)."""
    rows = (attempt_row(attempt) for attempt in attempts.iterator(chunk_size=2000))
    response = StreamingHttpResponse(csv_lines(_with_header(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_header(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield HEADER
    yield from rows
