"""Fetch the rows whose key is among many values: the one lookup every import check is built on.

For a few values, chunked `IN (...)` queries. When the values are a good part of the table (a 100,000-row
file against a 100,000-row table), one pass over the table filtered in Python is several times faster:
psycopg binds every IN parameter in Python and both databases plan a huge IN list poorly.
"""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

CHUNK = 2000
_SCAN_SHARE = 4  # scan when the values are at least a quarter of the table


def rows_where_in(queryset: QuerySet, field: str, values: Iterable, *others: str) -> Iterator[tuple]:
    """Yield (field value, *others) for the rows of `queryset` whose `field` is one of `values`."""
    wanted = sorted(set(values) - {None, ""})
    if not wanted:
        return
    if len(wanted) > CHUNK and len(wanted) * _SCAN_SHARE >= queryset.count():
        wanted_set = set(wanted)
        for row in queryset.values_list(field, *others).iterator(chunk_size=10 * CHUNK):
            if row[0] in wanted_set:
                yield row
        return
    for start in range(0, len(wanted), CHUNK):
        yield from queryset.filter(**{f"{field}__in": wanted[start : start + CHUNK]}).values_list(
            field, *others
        )
