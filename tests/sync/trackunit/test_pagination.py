from sync.trackunit.pagination import iter_cursor, iter_links, iter_pages


def test_page_walk_reads_every_page_once():
    records = list(range(45))
    asked = []

    def fetch(params):
        asked.append(dict(params))
        start = params["page"] * params["size"]
        return {"content": records[start : start + params["size"]], "totalPages": 3}

    assert list(iter_pages(fetch, {"type": "RENTAL"}, size=20)) == records
    assert [a["page"] for a in asked] == [0, 1, 2]
    assert all(a["type"] == "RENTAL" for a in asked)


def test_page_walk_stops_on_an_empty_page_even_if_totalpages_is_stale():
    pages = [{"content": [1], "totalPages": 5}, {"content": [], "totalPages": 5}]
    assert list(iter_pages(lambda params: pages[params["page"]])) == [1]


def test_cursor_walk_follows_after_until_it_runs_out():
    pages = {None: ([1, 2], "c1"), "c1": ([3, 4], "c2"), "c2": ([5], None)}
    asked = []

    def fetch(params):
        asked.append(params.get("after"))
        content, after = pages[params.get("after")]
        return {"content": content, "after": after, "limit": params["limit"]}

    assert list(iter_cursor(fetch, limit=2)) == [1, 2, 3, 4, 5]
    assert asked == [None, "c1", "c2"]


def test_cursor_walk_does_not_loop_on_a_repeated_cursor():
    assert list(iter_cursor(lambda params: {"content": [1], "after": "same"})) == [1, 1]


def test_link_walk_follows_next_and_never_revisits():
    pages = {"/1": ("a", "/2"), "/2": ("b", "/3"), "/3": ("c", "/1")}
    walked = list(iter_links(lambda url: pages[url], "/1", lambda page: page[1]))
    assert [page[0] for page in walked] == ["a", "b", "c"]


def test_link_walk_ends_without_a_next_link():
    pages = {"/1": ("a", "/2"), "/2": ("b", None)}
    assert len(list(iter_links(lambda url: pages[url], "/1", lambda page: page[1]))) == 2
