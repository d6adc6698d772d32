"""The asset page in a real browser: the operating-hours chart draws the readings, the map link points at
the last position, and the changelist finds machines that went quiet."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from assets.models import Asset
from sync.telematics.store import Reading, store

pytestmark = pytest.mark.browser
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _readings(asset: Asset, hours: list[str]) -> None:
    for day, value in enumerate(hours):
        at = T0 + timedelta(days=day)
        store(
            [
                (
                    asset.pk,
                    Reading(
                        observed_at=at,
                        operating_hours=Decimal(value),
                        operating_hours_at=at,
                        latitude=Decimal("55.676098"),
                        longitude=Decimal("12.568337"),
                        location_at=at,
                    ),
                )
            ]
        )


def test_the_chart_and_the_map_link_show_the_readings(logged_in_page: Page, live_server):
    asset = Asset.objects.create(name="JCB 3CX #12", external_reference="FLT-12", pin="JCB3CX00000000012")
    _readings(asset, ["100.0", "107.5", "115.25", "9.0"])  # the last one went down: kept, flagged
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/assets/asset/{asset.pk}/change/")
    expect(page.locator("#hours-chart")).to_be_visible()
    drawn = page.evaluate("Chart.getChart('hours-chart').data.datasets[0].data")
    assert drawn == [100.0, 107.5, 115.25, 9.0]
    colours = page.evaluate("Chart.getChart('hours-chart').data.datasets[0].pointBackgroundColor")
    assert colours[-1] != colours[0]  # the flagged reading stands out
    link = page.locator("#asset-map-link")
    expect(link).to_contain_text("55.676098, 12.568337")
    href = link.get_attribute("href")
    assert "mlat=55.676098" in href
    assert "mlon=12.568337" in href


def test_an_asset_without_readings_says_so(logged_in_page: Page, live_server):
    asset = Asset.objects.create(name="New machine", external_reference="FLT-13")
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/assets/asset/{asset.pk}/change/")
    expect(page.locator("#hours-chart-empty")).to_be_visible()
    page.goto(f"{live_server.url}/admin/assets/asset/?no_reading_for=never")
    expect(page.locator("#result_list")).to_contain_text("New machine")
