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
