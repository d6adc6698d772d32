"""Page-based lists: 0-based pages, default 20 (api-docs/pagination.md), max 1000 (api-docs/rate-limit.md),
empty pages past the end."""

import pytest


def test_default_page_is_the_first_twenty(sandbox):
    body = sandbox.api("GET", "/asset/v1/assets").json()
    assert body["number"] == 0
    assert body["size"] == 20
    assert body["numberOfElements"] == 20
    assert body["totalElements"] == 520
    assert body["totalPages"] == 26


def test_pages_cover_every_record_once(sandbox):
    ids = []
    for page in range(3):
        body = sandbox.api("GET", "/asset/v1/assets", params={"page": page, "size": 200}).json()
        ids += [a["id"] for a in body["content"]]
    assert len(ids) == len(set(ids)) == 520


def test_page_past_the_end_is_empty(sandbox):
    body = sandbox.api("GET", "/asset/v1/assets", params={"page": 99, "size": 100}).json()
    assert body["content"] == []
    assert body["numberOfElements"] == 0
    assert body["totalElements"] == 520


def test_size_1000_is_allowed(sandbox):
    assert sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["numberOfElements"] == 520


@pytest.mark.parametrize(
    ("params", "field"), [({"size": 1001}, "size"), ({"size": 0}, "size"), ({"page": -1}, "page")]
)
def test_bad_page_parameters_are_constraint_violations(sandbox, params, field):
    answer = sandbox.api("GET", "/customer/v1/customers", params=params)
    assert answer.status_code == 400
    assert answer.json()["code"] == "constraint_violation"
    assert [v["field"] for v in answer.json()["violations"]] == [field]
