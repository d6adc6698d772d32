"""Parsers that turn one CSV cell into a model value, or raise CellError naming the rule it broke.

One parser is built per column from the model field (type, blank/null, choices, validators), so the CSV
obeys the same rules as the admin forms and the database. Parsers are pure and memoised by the engine:
a 100,000-row file typically holds a few hundred distinct dates and enum values.

Dates are read day-first, as European ERPs and Excel write them: 2026-12-31, 31/12/2026, 31.12.2026,
31-12-2026, 31/12/26 (two-digit years are 20xx), 20261231, optionally followed by a midnight time that
Excel adds ("31.12.2026 00:00"). A plain whole number from 20000 to 80000 is read as an Excel serial date
(1954 to 2119, 1900 date system), because Excel writes that when a date column is formatted as "General";
numbers outside that window are refused rather than turned into implausible dates.
Decimals accept a decimal comma ("1234,50") as well as a point; a thousands separator is dropped when both
appear ("1.234,50", "1,234.50").
"""

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

Parser = Callable[[str], Any]

TRUE_TEXTS = frozenset({"1", "true", "yes", "y", "x"})
FALSE_TEXTS = frozenset({"0", "false", "no", "n"})
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIALS = range(20000, 80001)
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})$")
_MIDNIGHT = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


class CellError(ValueError):
    """A cell broke a rule; `rule` is a short name (bad_date, choices, required...), `message` explains."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def parse_date(text: str) -> date:
    """Read a date as ERPs and Excel write it (see the module docstring); raise CellError otherwise."""
    text = _MIDNIGHT.sub("", text)
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if text.isdigit():
            if len(text) == 8:
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if int(text) in _EXCEL_SERIALS:
                return _EXCEL_EPOCH + timedelta(days=int(text))
        elif match := _DAY_FIRST.match(text):
            day, month, year = match.groups()
            return date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        elif match := _YEAR_FIRST.match(text):
            year, month, day = match.groups()
            return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError("bad_date", f"{text!r} is not a valid date ({exc})") from None
    raise CellError(
        "bad_date", f"{text!r} is not a date; use 2026-12-31, 31/12/2026 or 31.12.2026 (day first)"
    )


def parse_decimal(text: str) -> Decimal:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        thousands = "," if cleaned.rfind(",") < cleaned.rfind(".") else "."
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError("bad_number", f"{text!r} is not a number") from None
    if not number.is_finite():
        raise CellError("bad_number", f"{text!r} is not a finite number")
    return number


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in TRUE_TEXTS:
        return True
    if lowered in FALSE_TEXTS:
        return False
    raise CellError("bad_boolean", f"{text!r} is not yes/no (also accepted: true/false, 1/0)")


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CellError("bad_json", f"not valid JSON: {exc.msg} at character {exc.pos}") from None


def choices_parser(choices: list[tuple[str, str]]) -> Parser:
    """Accept a choice's value or its label, in any case; say which values are allowed otherwise."""
    known = {}
    for value, label in choices:
        known[str(value).lower()] = value
        known[str(label).lower()] = value
    allowed = ", ".join(str(value) for value, _ in choices)

    def parse(text: str) -> str:
        try:
            return known[text.lower()]
        except KeyError:
            raise CellError("choices", f"{text!r} is not one of: {allowed}") from None

    return parse


def _converter(field: models.Field) -> Parser:
    if field.choices:
        return choices_parser(list(field.flatchoices))
    if isinstance(field, models.DateTimeField):
        raise TypeError(f"{field.name}: date-times are read-only in imports")
    if isinstance(field, models.DateField):
        return parse_date
    if isinstance(field, models.DecimalField):
        return parse_decimal
    if isinstance(field, models.FloatField):
        return lambda text: float(parse_decimal(text))
    if isinstance(field, models.IntegerField):
        return _parse_integer
    if isinstance(field, models.BooleanField):
        return parse_bool
    if isinstance(field, models.JSONField):
        return parse_json
    return str


def _parse_integer(text: str) -> int:
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raise CellError("bad_number", f"{text!r} is not a whole number")
    return int(number)


def field_parser(field: models.Field) -> Parser:
    """A parser for a model field: blank handling, conversion, then the field's own validators."""
    convert = _converter(field)
    validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    max_length = field.max_length if isinstance(field, models.CharField | models.TextField) else None
    blank_value = (
        None if field.null else ("" if isinstance(field, models.CharField | models.TextField) else None)
    )
    blank_allowed = field.blank

    def parse(text: str) -> Any:
        text = text.strip()
        if not text:
            # A blank cell in a column with a default means the default (an ERP leaves out what it lacks).
            if field.has_default():
                return field.get_default()
            if not blank_allowed:
                raise CellError("required", "a value is required")
            return blank_value
        if max_length is not None and len(text) > max_length:
            raise CellError("max_length", f"{len(text)} characters, at most {max_length} allowed")
        value = convert(text)
        for validator in validators:
            try:
                validator(value)
            except ValidationError as exc:
                raise CellError("format", " ".join(exc.messages)) from None
        return value

    return parse


def text_parser(*, required: bool = False, max_length: int | None = None) -> Parser:
    """For columns that are not a model field of their own (references, custom-field values)."""

    def parse(text: str) -> str:
        text = text.strip()
        if required and not text:
            raise CellError("required", "a value is required")
        if max_length is not None and len(text) > max_length:
            raise CellError("max_length", f"{len(text)} characters, at most {max_length} allowed")
        return text

    return parse
