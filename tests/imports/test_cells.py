from datetime import date
from decimal import Decimal

import pytest

from rentalbridge.imports.cells import CellError, parse_date, parse_decimal


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-31",
        "31/12/2026",
        "31.12.2026",
        "31-12-2026",
        "31/12/26",
        "20261231",
        "46387",
        "31.12.2026 00:00",
    ],
)
def test_dates_as_erps_and_excel_write_them(text):
    assert parse_date(text) == date(2026, 12, 31)


@pytest.mark.parametrize("text", ["31/02/2026", "12/31/2026", "tomorrow", "45", "2026-13-01"])
def test_bad_dates_are_refused_as_bad_date(text):
    with pytest.raises(CellError) as caught:
        parse_date(text)
    assert caught.value.rule == "bad_date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234,50", "1234.50"), ("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("7", "7")],
)
def test_decimals_with_a_decimal_comma_or_point(text, expected):
    assert parse_decimal(text) == Decimal(expected)
