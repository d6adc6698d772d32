from datetime import UTC, datetime, timedelta

import pytest

from sync.models import AempRequestLog
from sync.trackunit.aemp_quota import DatabaseAempGuard
from sync.trackunit.errors import AempQuotaUsed

URL = "https://iris.test/public/api/aemp/v2/15143/-3/Fleet/1"


@pytest.mark.django_db
def test_one_request_per_url_per_interval():
    now = [datetime(2025, 1, 1, 8, 0, tzinfo=UTC)]
    guard = DatabaseAempGuard(timedelta(minutes=15), now=lambda: now[0])
    guard.claim(URL)
    now[0] += timedelta(minutes=14)
    with pytest.raises(AempQuotaUsed) as caught:
        guard.claim(URL)
    assert caught.value.retry_at == datetime(2025, 1, 1, 8, 15, tzinfo=UTC)
    guard.claim(URL.replace("/1", "/2"))
    now[0] += timedelta(minutes=1)
    guard.claim(URL)
    assert AempRequestLog.objects.get(url=URL).last_requested_at == now[0]
