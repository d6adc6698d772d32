"""What a custom-field value must look like for its definition, one rule set per field type.

The types and their properties are guides/sdk-docs/save-data-from-your-app/defining-a-custom-field.md's;
the JSON form of each value is [A] (the REST value schema is not published): BOOLEAN true/false, DATE
"YYYY-MM-DD" ("stored in ISO8601 format"), DROPDOWN one option or (multiSelect) a list of options,
PHONE_NUMBER E.164 ("stored in E.164 format"), NUMBER and MONETARY JSON numbers, JSON any JSON value.
`null` is never checked here: it clears a value.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import re2

from sync.sandbox import spec

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
EMAIL_MAX = 254  # [A] RFC 5321's longest address
# Trackunit documents RE2 syntax for `pattern`; RE2 also runs in time linear in the value, so no pattern
# can stall the sandbox's request thread.
_PATTERN_OPTIONS = re2.Options()
_PATTERN_OPTIONS.log_errors = False

Rule = Callable[[Mapping[str, Any], Any], str | None]


def check_value(definition: Mapping[str, Any], value: Any) -> str | None:
    """None when `value` obeys `definition`; otherwise the broken rule, in words."""
    return RULES[definition["type"]](definition, value)


def in_range(definition: Mapping[str, Any], number: float) -> bool:
    low, high = definition.get("minimum"), definition.get("maximum")
    return (low is None or number >= low) and (high is None or number <= high)


def _boolean(definition: Mapping[str, Any], value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _date(definition: Mapping[str, Any], value: Any) -> str | None:
    if isinstance(value, str) and spec.parse_day(value) is not None:
        return None
    return "must be a date (YYYY-MM-DD)"


def _dropdown(definition: Mapping[str, Any], value: Any) -> str | None:
    options = definition["allValues"]
    if not definition["multiSelect"]:
        if not isinstance(value, str):
            return "must be one option (a string): the field is single-select"
        return None if value in options else f"{value!r} is not one of: {', '.join(options)}"
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return "must be a non-empty list of options: the field is multi-select"
    if len(set(value)) != len(value):
        return "must not name an option twice"
    unknown = [v for v in value if v not in options]
    return f"{', '.join(map(repr, unknown))} not among: {', '.join(options)}" if unknown else None


def _email(definition: Mapping[str, Any], value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= EMAIL_MAX and spec.EMAIL.fullmatch(value):
        return None
    return "must be an e-mail address"


def _phone(definition: Mapping[str, Any], value: Any) -> str | None:
    if isinstance(value, str) and E164.fullmatch(value):
        return None
    return "must be a phone number in E.164 format, such as +4512345678"


def _number(definition: Mapping[str, Any], value: Any) -> str | None:
    if not spec.is_number(value):
        return "must be a number"
    if definition.get("isInteger") and not float(value).is_integer():
        return "must be a whole number"
    if not in_range(definition, value):
        return f"must be between {definition.get('minimum')} and {definition.get('maximum')}"
    return None


def _string(definition: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    shortest, longest = definition.get("minimumLength"), definition.get("maximumLength")
    if (shortest is not None and len(value) < shortest) or (longest is not None and len(value) > longest):
        return f"length must be between {shortest or 0} and {longest if longest is not None else 'any'}"
    pattern = definition.get("pattern")
    if not pattern:
        return None
    problem = pattern_problem(pattern)
    if problem is not None:
        return f"cannot be checked: the field's {problem}"
    try:
        matched = re2.compile(pattern, _PATTERN_OPTIONS).fullmatch(value)
    except UnicodeEncodeError:
        return "must be text (a lone surrogate is none)"
    return None if matched is not None else f"must match the pattern {pattern}"


def pattern_problem(pattern: str) -> str | None:
    """None when RE2 compiles `pattern`; otherwise why not, in words."""
    try:
        re2.compile(pattern, _PATTERN_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        return f"pattern is not a regular expression in RE2 syntax: {reason}"
    except UnicodeEncodeError as exc:
        return f"pattern is not text: {exc}"
    return None


def _web_address(definition: Mapping[str, Any], value: Any) -> str | None:
    if isinstance(value, str) and not re.search(r"\s", value):
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname:
            return None
    return "must be a web address starting with http:// or https://"


def _json(definition: Mapping[str, Any], value: Any) -> str | None:
    return None


RULES: dict[str, Rule] = {
    "BOOLEAN": _boolean,
    "DATE": _date,
    "DROPDOWN": _dropdown,
    "EMAIL": _email,
    "MONETARY": _number,
    "NUMBER": _number,
    "PHONE_NUMBER": _phone,
    "STRING": _string,
    "WEB_ADDRESS": _web_address,
    "JSON": _json,
}
