"""`gh api` for Trackunit: one call (or a walk over all pages) through the real client, for people.

The management command `trackunit_api` is a thin shell over `call`; so is anything else that wants to
poke Trackunit by hand with the same auth, budgets, retries and audit as the sync engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urljoin

import requests

from sync.trackunit import aemp as aemp_format
from sync.trackunit import wire
from sync.trackunit.client import TrackunitClient
from sync.trackunit.pagination import iter_links, iter_pages

AEMP_PATH_PREFIX = "/Fleet"


def call(
    client: TrackunitClient,
    method: str,
    path: str,
    *,
    data: Any = None,
    all_pages: bool = False,
    aemp: bool = False,
) -> Any:
    """Trackunit's decoded answer. With `all_pages`, a page-based list comes back as one list of items
    and an ISO 15143-3 fleet as the list of its pages, followed by their `next` links.

    Paths starting with /Fleet (or any path with `aemp`) go to the ISO 15143-3 export, which allows one
    request per URL per 15 minutes.
    """
    if not path.startswith("/"):
        path = "/" + path
    if all_pages and method.upper() != "GET":
        raise ValueError("--all-pages only makes sense with GET")
    if aemp or path.startswith(AEMP_PATH_PREFIX):
        if method.upper() != "GET":
            raise ValueError("the ISO 15143-3 export only answers GET")
        return _aemp_pages(client, path) if all_pages else _decoded(client.aemp(path))
    if all_pages:
        base, _, query = path.partition("?")

        def fetch(page_params: Mapping[str, Any]) -> Any:
            return client.request_json("GET", base, params=page_params)

        return list(iter_pages(fetch, dict(parse_qsl(query)), size=wire.PAGE_SIZE_MAX))
    return client.request_json(method, path, json=data)


def _aemp_pages(client: TrackunitClient, path: str) -> list[Any]:
    first = client.config.aemp_url.rstrip("/") + path
    answers: list[tuple[str, requests.Response]] = []

    def fetch(url: str) -> requests.Response:
        answers.append((url, client.aemp(url)))
        return answers[-1][1]

    def next_of(response: requests.Response) -> str | None:
        following = aemp_format.parse_document(response.content).next_href
        return urljoin(answers[-1][0], following) if following else None

    return [_decoded(response) for response in iter_links(fetch, first, next_of)]


def _decoded(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
