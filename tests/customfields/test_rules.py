import subprocess
import sys
from decimal import Decimal

import pytest

from rentalbridge.customfields import rules
from rentalbridge.customfields.rules import (
    FieldRules,
    RuleViolation,
    check_definition,
    check_value,
    from_text,
)


def field(type_: str, **settings) -> FieldRules:
    return FieldRules(key="f", type=type_, **settings)


@pytest.mark.parametrize(
    ("rules_", "value", "expected"),
    [
        (field(rules.BOOLEAN), True, True),
        (field(rules.DATE), "2026-05-01", "2026-05-01"),
        (field(rules.DROPDOWN, options=("red", "blue")), "red", "red"),
        (field(rules.DROPDOWN, options=("red", "blue"), multi_select=True), ["blue", "red"], ["blue", "red"]),
        (field(rules.EMAIL), "ops@example.com", "ops@example.com"),
        (field(rules.MONETARY, currency="EUR"), "12.499", 12.5),
        (field(rules.MONETARY, currency="EUR"), "12", 12),
        (field(rules.NUMBER, minimum=Decimal(0), maximum=Decimal(10)), "7", 7),
        (field(rules.NUMBER), 2.5, 2.5),
        # defining-a-custom-field.md: "Phone number stored in E.164 format".
        (field(rules.PHONE_NUMBER), "+45 70 20 30 40", "+4570203040"),
        (field(rules.PHONE_NUMBER), "+1 (555) 010-9999", "+15550109999"),
        (field(rules.NUMBER, is_integer=True), "4", 4),
        (field(rules.STRING, min_length=2, max_length=3), "AB", "AB"),
        (field(rules.JSON), {"axles": [1, 2]}, {"axles": [1, 2]}),
        (field(rules.STRING, max_length=5, pattern="[A-Z]+"), "ABC", "ABC"),
        (field(rules.WEB_ADDRESS), "https://trackunit.com", "https://trackunit.com"),
        (field(rules.STRING), None, None),
    ],
)
def test_valid_values_come_back_in_canonical_form(rules_, value, expected):
    assert check_value(rules_, value) == expected


@pytest.mark.parametrize(
    ("rules_", "value", "rule", "text"),
    [
        (field(rules.BOOLEAN), "maybe", "type", "not true or false"),
        (field(rules.DATE), "01/05/2026", "type", "not a date"),
        (field(rules.DROPDOWN, options=("red",)), "green", "options", "'green' is not one of: red"),
        (field(rules.DROPDOWN, options=("red", "blue")), ["red", "blue"], "multi_select", "only one option"),
        (field(rules.EMAIL), "ops@", "format", "not an e-mail"),
        (field(rules.NUMBER, minimum=Decimal(1)), 0, "minimum", "below the minimum 1"),
        (field(rules.NUMBER, maximum=Decimal(10)), "11", "maximum", "above the maximum 10"),
        (field(rules.NUMBER), "ten", "type", "not a number"),
        (field(rules.NUMBER), True, "type", "not a number"),
        (field(rules.PHONE_NUMBER), "call me", "format", "not an international phone number"),
        (field(rules.PHONE_NUMBER), "70 20 30 40", "format", "+ country code"),
        (field(rules.NUMBER, is_integer=True), 2.5, "is_integer", "not a whole number"),
        (field(rules.STRING, min_length=3), "AB", "min_length", "shorter than 3"),
        (field(rules.JSON), float("nan"), "type", "not a JSON value"),
        (field(rules.STRING, max_length=3), "ABCD", "max_length", "longer than 3"),
        (field(rules.STRING, pattern="[0-9]+"), "12a", "pattern", "does not match"),
        (field(rules.WEB_ADDRESS), "ftp://x.org", "format", "not a web address"),
    ],
)
def test_invalid_values_name_the_rule_broken(rules_, value, rule, text):
    with pytest.raises(RuleViolation) as caught:
        check_value(rules_, value)
    assert caught.value.rule == rule
    assert text in caught.value.message
    assert str(caught.value).startswith("f: ")


@pytest.mark.parametrize(
    ("rules_", "rule"),
    [
        (field("COLOUR"), "type"),
        (field(rules.DROPDOWN), "options"),
        (field(rules.DROPDOWN, options=("a", "a")), "options"),
        (field(rules.NUMBER, minimum=Decimal(5), maximum=Decimal(1)), "minimum"),
        (field(rules.MONETARY, currency="euro"), "currency"),
        (field(rules.STRING, pattern="("), "pattern"),
        # defining-a-custom-field.md: isInteger "Can't be true if unitSi or unitUs is specified".
        (field(rules.NUMBER, is_integer=True, unit_si="L"), "is_integer"),
        (field(rules.STRING, min_length=5, max_length=2), "min_length"),
    ],
)
def test_contradictory_definitions_are_refused(rules_, rule):
    with pytest.raises(RuleViolation) as caught:
        check_definition(rules_)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("rules_", "text", "expected"),
    [
        (field(rules.BOOLEAN), "Yes", True),
        (field(rules.BOOLEAN), "0", False),
        (field(rules.DROPDOWN, options=("a", "b"), multi_select=True), "a, b", ["a", "b"]),
        (field(rules.NUMBER), " 3 ", 3),
        (field(rules.STRING), "   ", None),
        (field(rules.JSON), '{"axles": ["front", "rear"]}', {"axles": ["front", "rear"]}),
        (field(rules.JSON), '["a", "b"]', ["a", "b"]),
    ],
)
def test_text_as_staff_type_it_is_read_by_the_definition(rules_, text, expected):
    assert from_text(rules_, text) == expected
    assert from_text(rules_, rules.to_text(expected, rules_.type)) == expected


# A value that (a+)+ does not match: a backtracking engine tries every way to split the a's (2^n), which is
# 27 s at 30 characters with Python's re; RE2 answers in microseconds.
CATASTROPHIC_VALUE = "a" * 59 + "!"
HANG_GUARD_S = 60


def test_a_catastrophic_pattern_cannot_stall_the_check():
    # In a child process: a regex engine holding the GIL would also hold up a timeout in this one.
    script = (
        "from rentalbridge.customfields.rules import FieldRules, RuleViolation, check_value\n"
        "rules = FieldRules(key='serial', type='STRING', pattern='(a+)+')\n"
        "assert check_value(rules, 'a' * 60) == 'a' * 60\n"
        "try:\n"
        f"    check_value(rules, {CATASTROPHIC_VALUE!r})\n"
        "except RuleViolation as exc:\n"
        "    print(exc.rule)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=HANG_GUARD_S, check=True
    )
    assert done.stdout.strip() == "pattern"


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        # RE2 syntax, as Trackunit documents it: POSIX classes and Unicode classes Python's re lacks.
        ("[[:upper:]]{3}-[[:digit:]]+", "ABC-12"),
        (r"\pL+", "Kåre"),
        ("(?i)flt-[0-9]{5}", "FLT-00001"),
    ],
)
def test_patterns_are_read_as_re2(pattern, value):
    rules_ = field(rules.STRING, pattern=pattern)
    check_definition(rules_)
    assert check_value(rules_, value) == value
    with pytest.raises(RuleViolation) as caught:
        check_value(rules_, value + " ")
    assert caught.value.rule == "pattern"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(?=FLT)[A-Z]+", "invalid perl operator"),  # look-ahead: Python's re has it, RE2 does not
        (r"(a)\1", "invalid escape sequence"),  # back-reference
        ("[A-Z", "missing ]"),
    ],
)
def test_a_pattern_re2_cannot_compile_is_refused_naming_the_field(pattern, reason):
    with pytest.raises(RuleViolation) as caught:
        check_definition(FieldRules(key="serial_code", type=rules.STRING, pattern=pattern))
    assert caught.value.rule == "pattern"
    assert str(caught.value).startswith("serial_code: ")
    assert f"pattern {pattern!r} is not a regular expression in RE2 syntax" in caught.value.message
    assert reason in caught.value.message


def test_a_stored_pattern_re2_cannot_compile_refuses_values_with_a_message_not_a_traceback():
    # Definitions saved before patterns were RE2 may hold a look-ahead; checking a value names the rule.
    stored = FieldRules(key="serial_code", type=rules.STRING, pattern="(?=FLT)[A-Z]+")
    with pytest.raises(RuleViolation) as caught:
        from_text(stored, "FLT")
    assert caught.value.rule == "pattern"
    assert "RE2" in caught.value.message


def test_text_re2_cannot_read_is_refused_as_text():
    with pytest.raises(RuleViolation) as caught:
        check_value(field(rules.STRING, pattern="[a-z]+"), "\ud800")
    assert caught.value.rule == "type"
