"""The ISO 15143-3 export: all pages walked by their links, and the per-URL rule kept in the database."""

import pytest

from sync.models import AempRequestLog
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.errors import AempQuotaUsed, NotFound


@pytest.mark.django_db
def test_fleet_pages_are_walked_once_and_a_second_pull_is_refused_even_after_a_restart(sandbox, make_client):
    api = TrackunitApi(make_client())
    pages = list(api.iter_fleet_pages(add_metadata=True))
    owned = [a for a in sandbox.state()["assets"] if a["permissions"]["edit"]]
    assert sum(len(page.equipment) for page in pages) == len(owned)
    assert len(pages) == len(owned) // 100
    fleet = [e["path"].rsplit("/", 1)[-1] for e in sandbox.requests() if "/Fleet/" in e["path"]]
    assert fleet == [str(n) for n in range(1, len(pages) + 1)]
    assert AempRequestLog.objects.count() == len(pages)

    since = sandbox.requests()[-1]["id"]
    restarted = TrackunitApi(make_client())
    with pytest.raises(AempQuotaUsed) as caught:
        next(restarted.iter_fleet_pages(add_metadata=True))
    assert caught.value.url.endswith("/Fleet/1?addMetadata=true")
    assert sandbox.requests(since) == []


@pytest.mark.django_db
def test_a_failed_request_uses_the_quota_too(sandbox, make_client):
    api = TrackunitApi(make_client())
    with pytest.raises(NotFound):
        api.get_fleet_equipment("NO-SUCH-PIN")
    with pytest.raises(AempQuotaUsed):
        api.get_fleet_equipment("NO-SUCH-PIN")
    assert [e["status"] for e in sandbox.requests() if "/Fleet/" in e["path"]] == [404]
