"""Durations read as a person says them: "2 min 5 s", "800 ms", "1 h 3 min" (issue 14, item 5)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from sync.durations import ago, humanize, humanize_ms


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (0.8, "800 ms"),
        (0.0004, "0 ms"),
        (2.46, "2.4 s"),
        (1, "1 s"),
        (0.9996, "1 s"),
        (10, "10 s"),
        (59.9, "59 s"),
        (125, "2 min 5 s"),
        (120, "2 min"),
        (3600, "1 h"),
        (3780, "1 h 3 min"),
        (3785, "1 h 3 min"),
        (timedelta(days=1, hours=3, seconds=5), "1 d 3 h"),
        (timedelta(minutes=2, seconds=5), "2 min 5 s"),
        (None, "—"),
        (-1, "—"),
    ],
)
def test_durations_keep_their_two_largest_units(duration, expected):
    assert humanize(duration) == expected


def test_attempt_durations_kept_in_milliseconds():
    assert humanize_ms(41.2) == "41 ms"
    assert humanize_ms(1500) == "1.5 s"
    assert humanize_ms(None) == "—"


def test_how_long_ago():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert ago(now - timedelta(minutes=3, seconds=20), now) == "3 min 20 s ago"
    assert ago(now - timedelta(hours=26), now) == "1 d 2 h ago"
    assert ago(now - timedelta(seconds=4.7), now) == "4 s ago"
    assert ago(now - timedelta(milliseconds=300), now) == "just now"
    assert ago(None, now) == ""


def test_template_filters():
    rendered = Template("{% load durations %}{{ took|duration }} · {{ ms|duration_ms }}").render(
        Context({"took": timedelta(seconds=125), "ms": 800})
    )
    assert rendered == "2 min 5 s · 800 ms"
