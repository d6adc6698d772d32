"""Iterators walk every page of the sandbox's lists."""

from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi


def test_list_assets_walks_all_pages(sandbox, make_client):
    api = TrackunitApi(make_client(), page_size=100)
    walked = list(api.list_assets())
    assert len(walked) == len(sandbox.state()["assets"]) > 100
    assert len({asset["id"] for asset in walked}) == len(walked)
    pages = [e["query"]["page"] for e in sandbox.requests() if e["path"] == "/api" + wire.ASSETS]
    assert pages == [str(n) for n in range(len(pages))]


def test_filters_and_small_pages_on_contacts(sandbox, make_client):
    api = TrackunitApi(make_client(), page_size=2)
    customer = api.create_customer(
        wire.customer_body(name="Paging Ltd", type="OTHER", external_reference="PG-1")
    )
    for n in range(5):
        api.create_contact(customer["id"], wire.contact_body(name=f"Contact {n}", type="PERSON"))
    assert [c["name"] for c in api.list_contacts(customer["id"])] == [f"Contact {n}" for n in range(5)]
    assert [c["id"] for c in api.list_customers(externalReference="PG-1")] == [customer["id"]]
    assert list(api.list_customers(externalReference="nobody")) == []
