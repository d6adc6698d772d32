"""Walking Trackunit's three kinds of lists one page at a time, so memory stays flat on big accounts.

Each iterator takes a `fetch` callable that performs one request through the client, so pages are rate
limited, retried and audited like any other call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sync.trackunit import wire

JsonObject = dict[str, Any]


def iter_pages(
    fetch: Callable[[Mapping[str, Any]], JsonObject],
    params: Mapping[str, Any] | None = None,
    *,
    size: int = wire.PAGE_SIZE_MAX,
) -> Iterator[JsonObject]:
    """Items of a page-based list (`page` from 0, `size`; the answer says `totalPages`)."""
    page = 0
    while True:
        answer = fetch({**(params or {}), "page": page, "size": size})
        content = answer.get("content") or []
        yield from content
        page += 1
        # An empty page ends the walk even if totalPages is stale (records deleted meanwhile).
        if not content or page >= int(answer.get("totalPages") or 0):
            return


def iter_cursor(
    fetch: Callable[[Mapping[str, Any]], JsonObject],
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = wire.PAGE_SIZE_MAX,
) -> Iterator[JsonObject]:
    """Items of a cursor-based list (`limit`, `after`); the answer's `after` points at the next page."""
    after: str | None = None
    while True:
        query = {**(params or {}), "limit": limit}
        if after:
            query["after"] = after
        answer = fetch(query)
        content = answer.get("content") or []
        yield from content
        next_after = answer.get("after")
        if not content or not next_after or next_after == after:
            return
        after = next_after


def iter_links(
    fetch: Callable[[str], Any], first: str, next_of: Callable[[Any], str | None]
) -> Iterator[Any]:
    """Pages of a list that links to its next page (ISO 15143-3 `Links` rel="next").

    `fetch` takes a URL and returns a parsed page; `next_of` reads the next page's URL from it, or None
    on the last page. A link that points back to a page already seen ends the walk instead of looping.
    """
    url: str | None = first
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        page = fetch(url)
        yield page
        url = next_of(page)
