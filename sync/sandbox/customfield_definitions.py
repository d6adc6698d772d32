"""Custom-field definition bodies: which properties each type takes, and what a definition must obey.

Property names and their types come from guides/sdk-docs/save-data-from-your-app/defining-a-custom-field.md
(the only documented property list); `key` is optional ("The Definition key (if specified) must be unique",
api-docs/custom-field-intro.md), and type, key and entityType never change. A definition is stored and
answered with every property of its own type, null where unset; another type's properties are refused.
"""

import re
from collections.abc import Mapping
from typing import Any

from sync.sandbox import spec
from sync.sandbox.customfield_values import check_value, pattern_problem

COMMON = ("key", "type", "entityType", "translations", "uiVisible", "uiEditable", "scopeType")
TYPE_PROPERTIES = {
    "NUMBER": ("minimum", "maximum", "unitSi", "unitUs", "isInteger"),
    "MONETARY": ("currency", "minimum", "maximum"),
    "STRING": ("minimumLength", "maximumLength", "pattern", "defaultStringValue"),
    "DROPDOWN": ("allValues", "multiSelect"),
}
DEFAULTS = {
    "uiVisible": True,
    "uiEditable": True,
    "scopeType": "ACCOUNT",
    "isInteger": False,
    "multiSelect": False,
}
IMMUTABLE = ("key", "type", "entityType")
# Limits a PATCH may lift by sending null.
CLEARABLE = (
    "minimum",
    "maximum",
    "unitSi",
    "unitUs",
    "minimumLength",
    "maximumLength",
    "pattern",
    "defaultStringValue",
)
# working-with-custom-fields.md (and the older defining page) write the English title flat and call
# allValues `options`: both spellings are documented, so both are taken; answers use translations/allValues.
TITLE = "title"
ALIASES = {"options": "allValues"}
# The replacement map's two documented names (the types table and the properties table disagree).
REPLACEMENTS = ("dropDownValueReplacements", "valueReplacements")
# [A] no key format is documented: the examples are camelCase, one standard key has a hyphen.
KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,99}")
LANGUAGE = re.compile(r"[a-z]{2}(-[A-Z]{2})?")  # [A] only "en" is shown
UNIT_MAX = 40  # [A] unit spellings are not documented
DESCRIPTION_MAX = 1000  # [A]
_TYPE_ONLY = {name for names in TYPE_PROPERTIES.values() for name in names} | set(ALIASES) | set(REPLACEMENTS)


def _canonical(name: str) -> str:
    """The answer's spelling of a property the body may name by its documented alias."""
    return ALIASES.get(name, name)


def read_create(body: Any) -> tuple[dict[str, Any], list[spec.Violation]]:
    """The definition a POST body describes (without id; key may still be None) and what is wrong with it."""
    if not isinstance(body, Mapping):
        return {}, spec.object_body(body)
    checker = spec.Checker(body)
    checker.enum("type", spec.FIELD_TYPES, required=True)
    field_type = body.get("type") if body.get("type") in spec.FIELD_TYPES else None
    _members(checker, field_type, patch=False)
    own = TYPE_PROPERTIES.get(field_type, ()) if field_type is not None else ()
    record: dict[str, Any] = {name: None for name in (*COMMON, *own)}
    record.update({k: v for k, v in DEFAULTS.items() if k in record})
    record.update({_canonical(k): v for k, v in body.items() if v is not None and _canonical(k) in record})
    _apply_title(checker, record)
    _check_record(checker, record)
    return record, checker.violations


def read_patch(body: Any, current: Mapping[str, Any]) -> tuple[dict[str, Any], dict, list[spec.Violation]]:
    """The definition after a PATCH, the dropdown replacement map it carries, and what is wrong."""
    if not isinstance(body, Mapping):
        return {}, {}, spec.object_body(body)
    checker = spec.Checker(body)
    _members(checker, current["type"], patch=True)
    for name in IMMUTABLE:
        if name in body and body[name] != current[name]:
            checker.fail(name, "cannot be changed after creation")
    for name, value in body.items():
        if value is None and name not in (*CLEARABLE, *REPLACEMENTS, *IMMUTABLE):
            checker.fail(name, "must not be null")
    record = dict(current)
    record.update(
        {
            _canonical(k): v
            for k, v in body.items()
            if _canonical(k) in current and k not in IMMUTABLE and (v is not None or k in CLEARABLE)
        }
    )
    _apply_title(checker, record)
    named = [name for name in REPLACEMENTS if body.get(name) is not None]
    if len(named) > 1:
        checker.fail(named[1], f"give {named[0]} or {named[1]}, not both")
    replacements = body[named[0]] if named else {}
    if not (isinstance(replacements, Mapping) and all(isinstance(v, str) for v in replacements.values())):
        checker.fail(named[0], "must map each removed option to an option that stays")
        replacements = {}
    _check_record(checker, record)
    return record, dict(replacements), checker.violations


def _apply_title(checker: spec.Checker, record: dict[str, Any]) -> None:
    """A flat `title` sets the English translation's title, keeping the other languages."""
    if TITLE not in checker.body:
        return
    if "translations" in checker.body:
        checker.fail(TITLE, "give translations or title, not both")
        return
    translations = [dict(t) for t in record["translations"] or () if isinstance(t, Mapping)]
    english = next((t for t in translations if t.get("language") == "en"), None)
    if english is None:
        english = {"language": "en"}
        translations.insert(0, english)
    english["title"] = checker.body[TITLE]
    record["translations"] = translations


def _members(checker: spec.Checker, field_type: Any, *, patch: bool) -> None:
    """Writing is exact: another type's property is refused as such, anything else undocumented as unknown."""
    own = set(TYPE_PROPERTIES.get(field_type, ()))
    if "allValues" in own:
        own |= set(ALIASES)
        if patch:
            own |= set(REPLACEMENTS)
    for name in checker.body:
        if name in COMMON or name in own or name == TITLE:
            continue
        if name in REPLACEMENTS and not patch:
            checker.fail(name, "only replaces removed options when a DROPDOWN definition changes")
        elif name in _TYPE_ONLY and field_type in spec.FIELD_TYPES:
            checker.fail(name, f"is not a property of {field_type} definitions")
        elif name not in _TYPE_ONLY:
            checker.fail(name, "unknown field")
    if "allValues" in checker.body and "options" in checker.body:
        checker.fail("options", "give allValues or options, not both")


def _check_record(checker: spec.Checker, record: dict[str, Any]) -> None:
    """Every rule a whole definition obeys, reported under the body's field names."""
    full = spec.Checker(record, violations=checker.violations)
    full.matches("key", KEY, "a letter followed by up to 99 letters, digits, '_' or '-'")
    full.enum("entityType", spec.ENTITY_TYPES, required=True)
    full.enum("scopeType", spec.SCOPE_TYPES, required=True)
    for name in ("uiVisible", "uiEditable"):
        full.boolean(name)
    _translations(full)
    check = TYPE_CHECKS.get(record["type"]) if record["type"] in spec.FIELD_TYPES else None
    if check is not None:
        check(full)


def _translations(checker: spec.Checker) -> None:
    """[A] title required: a definition needs a name to show."""
    translations = checker.body.get("translations")
    if not isinstance(translations, list) or not translations:
        checker.fail("translations", "must be a non-empty list of {language, title, description}")
        return
    languages = []
    for index, item in enumerate(translations):
        if not isinstance(item, Mapping):
            checker.fail(f"translations[{index}]", "must be an object")
            continue
        entry = spec.Checker(item, f"translations[{index}].", checker.violations)
        entry.only(("language", "title", "description"))
        entry.matches("language", LANGUAGE, "a language code such as en", required=True)
        entry.text("title", required=True)
        entry.text("description", max_length=DESCRIPTION_MAX)
        if item.get("language") in languages:
            entry.fail("language", "is given twice")
        languages.append(item.get("language"))


def _limits(checker: spec.Checker) -> None:
    checker.number("minimum")
    checker.number("maximum")
    low, high = checker.body.get("minimum"), checker.body.get("maximum")
    if spec.is_number(low) and spec.is_number(high) and low > high:
        checker.fail("minimum", f"must not be above maximum {high}")


def _number(checker: spec.Checker) -> None:
    _limits(checker)
    checker.text("unitSi", max_length=UNIT_MAX)
    checker.text("unitUs", max_length=UNIT_MAX)
    checker.boolean("isInteger")
    if checker.body.get("isInteger") is True and (checker.body.get("unitSi") or checker.body.get("unitUs")):
        checker.fail("isInteger", "can't be true if unitSi or unitUs is specified")


def _monetary(checker: spec.Checker) -> None:
    checker.matches("currency", spec.CURRENCY, "an ISO 4217 code such as EUR", required=True)
    _limits(checker)


def _string(checker: spec.Checker) -> None:
    before = len(checker.violations)
    checker.whole("minimumLength", 0, None)
    checker.whole("maximumLength", 1, None)
    shortest, longest = checker.body.get("minimumLength"), checker.body.get("maximumLength")
    if (
        len(checker.violations) == before
        and shortest is not None
        and longest is not None
        and shortest > longest
    ):
        checker.fail("minimumLength", f"must not be above maximumLength {longest}")
    checker.text("pattern", max_length=DESCRIPTION_MAX)
    if len(checker.violations) == before and checker.body.get("pattern") is not None:
        problem = pattern_problem(checker.body["pattern"])
        if problem:
            checker.fail("pattern", problem)
    checker.text("defaultStringValue", max_length=spec.TEXT_MAX, blank=True)
    default = checker.body.get("defaultStringValue")
    if len(checker.violations) == before and isinstance(default, str):
        problem = check_value(checker.body, default)
        if problem:
            checker.fail("defaultStringValue", problem)


def _dropdown(checker: spec.Checker) -> None:
    options = checker.body.get("allValues")
    if not isinstance(options, list) or not options:
        checker.fail("allValues", "must be a non-empty list of options")
    elif not all(isinstance(o, str) and o.strip() and len(o) <= spec.TEXT_MAX for o in options):
        checker.fail("allValues", f"every option must be a non-blank string of at most {spec.TEXT_MAX}")
    elif len(set(options)) != len(options):
        checker.fail("allValues", "options must be unique")
    checker.boolean("multiSelect")


TYPE_CHECKS = {"NUMBER": _number, "MONETARY": _monetary, "STRING": _string, "DROPDOWN": _dropdown}


def generate_key(record: Mapping[str, Any], taken: set[str]) -> str:
    """[A] A key for a definition created without one: its English (else first) title in camelCase."""
    translations = record["translations"]
    title = next((t["title"] for t in translations if t["language"] == "en"), translations[0]["title"])
    words = re.findall(r"[A-Za-z0-9]+", title) or ["field"]
    base = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    base = base if base[0].isalpha() else f"field{base}"
    key, number = base[:95], 2
    while key in taken:
        key, number = f"{base[:95]}{number}", number + 1
    return key
