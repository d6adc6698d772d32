"""The rules a custom-field value must obey, as plain functions.

Trackunit validates a value against its definition (api-docs/custom-field-definitions.md and the type table
of defining-a-custom-field.md); RentalBridge applies the same rules before a value is saved, so a value
Trackunit would refuse is refused locally first, naming the field and the rule. Free of models and HTTP,
they serve the admin, the importer and the sync alike. (The sandbox keeps its own reading of the docs.)
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import re2
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

BOOLEAN = "BOOLEAN"
DATE = "DATE"
DROPDOWN = "DROPDOWN"
EMAIL = "EMAIL"
MONETARY = "MONETARY"
NUMBER = "NUMBER"
PHONE_NUMBER = "PHONE_NUMBER"
STRING = "STRING"
WEB_ADDRESS = "WEB_ADDRESS"
JSON = "JSON"
FIELD_TYPES = (BOOLEAN, DATE, DROPDOWN, EMAIL, MONETARY, NUMBER, PHONE_NUMBER, STRING, WEB_ADDRESS, JSON)

# Trackunit stores phone numbers in E.164 ("+4512345678"): a plus, a country code, at most 15 digits.
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_PUNCTUATION = re.compile(r"[ ()./-]")
_CURRENCY = re.compile(r"^[A-Z]{3}$")

# Staff type `pattern`: RE2 matches in time linear in the value, so no pattern (say `(a+)+`) can hold a
# request or a worker for minutes as a backtracking engine would; it is also the syntax Trackunit documents.
_PATTERN_OPTIONS = re2.Options()
_PATTERN_OPTIONS.log_errors = False  # a refused pattern is the user's error message, not stderr noise


@dataclass(frozen=True)
class FieldRules:
    """What a definition says about its values, independent of where the definition is stored."""

    key: str
    type: str
    options: tuple[str, ...] = ()
    multi_select: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str = ""
    currency: str = ""
    is_integer: bool = False
    unit_si: str = ""
    unit_us: str = ""


class RuleViolation(ValueError):
    """A value broke one rule of its definition; `rule` names the rule, the message says how."""

    def __init__(self, key: str, rule: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.rule = rule
        self.message = message


def check_definition(rules: FieldRules) -> None:
    """Refuse a definition whose own settings contradict each other."""
    if rules.type not in FIELD_TYPES:
        raise RuleViolation(
            rules.key, "type", f"unknown type {rules.type!r}; allowed: {', '.join(FIELD_TYPES)}"
        )
    if rules.type == DROPDOWN and not rules.options:
        raise RuleViolation(rules.key, "options", "a dropdown needs at least one option")
    if len(set(rules.options)) != len(rules.options):
        raise RuleViolation(rules.key, "options", "dropdown options must be unique")
    if rules.minimum is not None and rules.maximum is not None and rules.minimum > rules.maximum:
        raise RuleViolation(
            rules.key, "minimum", f"minimum {_plain(rules.minimum)} is above maximum {_plain(rules.maximum)}"
        )
    if rules.is_integer and (rules.unit_si or rules.unit_us):
        raise RuleViolation(rules.key, "is_integer", "a whole-number field cannot also have a unit")
    if rules.min_length is not None and rules.max_length is not None and rules.min_length > rules.max_length:
        raise RuleViolation(
            rules.key, "min_length", f"minimum length {rules.min_length} is above maximum {rules.max_length}"
        )
    if rules.type == MONETARY and not _CURRENCY.match(rules.currency or ""):
        raise RuleViolation(rules.key, "currency", f"currency {rules.currency!r} is not an ISO 4217 code")
    if rules.pattern:
        _pattern(rules)


def check_value(rules: FieldRules, value: Any) -> Any:
    """Return the value in its canonical JSON form, or raise RuleViolation naming the rule broken.

    None clears a value and is always allowed.
    """
    if value is None:
        return None
    checker = _CHECKERS[rules.type]
    return checker(rules, value)


def _fail(rules: FieldRules, rule: str, message: str) -> RuleViolation:
    return RuleViolation(rules.key, rule, message)


def _boolean(rules: FieldRules, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(rules, "type", f"{value!r} is not true or false")
    return value


def _date(rules: FieldRules, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _fail(rules, "type", f"{value!r} is not a date (YYYY-MM-DD)") from None


def _dropdown(rules: FieldRules, value: Any) -> str | list[str]:
    chosen = value if isinstance(value, list) else [value]
    if not rules.multi_select and isinstance(value, list):
        raise _fail(rules, "multi_select", "only one option may be chosen")
    unknown = [v for v in chosen if v not in rules.options]
    if unknown:
        raise _fail(rules, "options", f"{unknown[0]!r} is not one of: {', '.join(rules.options)}")
    return list(chosen) if rules.multi_select else chosen[0]


def _email(rules: FieldRules, value: Any) -> str:
    try:
        EmailValidator()(str(value))
    except ValidationError:
        raise _fail(rules, "format", f"{value!r} is not an e-mail address") from None
    return str(value)


def _decimal(rules: FieldRules, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _fail(rules, "type", f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _fail(rules, "type", f"{value!r} is not a number") from None
    if not number.is_finite():
        raise _fail(rules, "type", f"{value!r} is not a finite number")
    if rules.minimum is not None and number < rules.minimum:
        raise _fail(rules, "minimum", f"{value} is below the minimum {_plain(rules.minimum)}")
    if rules.maximum is not None and number > rules.maximum:
        raise _fail(rules, "maximum", f"{value} is above the maximum {_plain(rules.maximum)}")
    return number


def _plain(number: Decimal) -> str:
    """500.000000 as 500: limits read back from the database carry its scale."""
    return format(number.normalize(), "f")


def _monetary(rules: FieldRules, value: Any) -> int | float:
    """An amount in the definition's currency, to the cent, as a JSON number."""
    amount = _decimal(rules, value).quantize(Decimal("0.01"))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _number(rules: FieldRules, value: Any) -> int | float:
    number = _decimal(rules, value)
    whole = number == number.to_integral_value()
    if rules.is_integer and not whole:
        raise _fail(rules, "is_integer", f"{value} is not a whole number")
    return int(number) if whole else float(number)


def _phone(rules: FieldRules, value: Any) -> str:
    """An international number, returned in E.164 ("+45 12 34-56 78" -> "+4512345678")."""
    compact = _PHONE_PUNCTUATION.sub("", value) if isinstance(value, str) else ""
    if not _E164.match(compact):
        raise _fail(
            rules, "format", f"{value!r} is not an international phone number (+ country code and number)"
        )
    return compact


def _string(rules: FieldRules, value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(rules, "type", f"{value!r} is not text")
    if rules.max_length is not None and len(value) > rules.max_length:
        raise _fail(rules, "max_length", f"{len(value)} characters is longer than {rules.max_length}")
    if rules.min_length is not None and len(value) < rules.min_length:
        raise _fail(rules, "min_length", f"{len(value)} characters is shorter than {rules.min_length}")
    if rules.pattern and not _matches(rules, value):
        raise _fail(rules, "pattern", f"{value!r} does not match {rules.pattern}")
    return value


def _matches(rules: FieldRules, value: str) -> bool:
    try:
        return _pattern(rules).fullmatch(value) is not None
    except UnicodeEncodeError:  # a lone surrogate (json.loads makes them) is no text RE2 can read
        raise _fail(rules, "type", f"{value!r} is not valid text") from None


def _pattern(rules: FieldRules) -> Any:
    """The definition's pattern compiled by RE2 (re2 caches it), or RuleViolation naming the field.

    A definition stored before patterns were RE2 (a look-ahead, a back-reference) is refused the same way
    when a value is checked, instead of failing with a traceback.
    """
    try:
        return re2.compile(rules.pattern, _PATTERN_OPTIONS)
    except (re2.error, UnicodeEncodeError) as exc:
        reason = exc.args[0] if isinstance(exc, re2.error) and exc.args else exc
        if isinstance(reason, bytes):  # the binding hands RE2's message over as bytes
            reason = reason.decode("utf-8", "replace")
        raise RuleViolation(
            rules.key,
            "pattern",
            f"pattern {rules.pattern!r} is not a regular expression in RE2 syntax "
            f"(the syntax Trackunit uses): {reason}",
        ) from None


def _web_address(rules: FieldRules, value: Any) -> str:
    try:
        URLValidator(schemes=["http", "https"])(str(value))
    except ValidationError:
        raise _fail(rules, "format", f"{value!r} is not a web address (http:// or https://)") from None
    return str(value)


def _json(rules: FieldRules, value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise _fail(rules, "type", f"{value!r} is not a JSON value") from None
    return value


_CHECKERS = {
    BOOLEAN: _boolean,
    DATE: _date,
    DROPDOWN: _dropdown,
    EMAIL: _email,
    MONETARY: _monetary,
    NUMBER: _number,
    PHONE_NUMBER: _phone,
    STRING: _string,
    WEB_ADDRESS: _web_address,
    JSON: _json,
}


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def from_text(rules: FieldRules, text: str) -> Any:
    """Read a value as staff type it (an admin form, a CSV cell) and check it; blank clears it.

    Multi-select dropdowns take their options separated by commas.
    """
    text = text.strip()
    if not text:
        return None
    value: Any = text
    if rules.type == BOOLEAN:
        lowered = text.lower()
        if lowered not in _TRUE | _FALSE:
            raise _fail(rules, "type", f"{text!r} is not yes or no")
        value = lowered in _TRUE
    elif rules.type == DROPDOWN and rules.multi_select:
        value = [part.strip() for part in text.split(",") if part.strip()]
    elif rules.type == JSON:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise _fail(rules, "type", f"{text!r} is not JSON: {exc}") from None
    return check_value(rules, value)


def to_text(value: Any, field_type: str = "") -> str:
    """The inverse of from_text, for forms and CSV export; JSON fields are written as JSON."""
    if value is None:
        return ""
    if field_type == JSON or isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
