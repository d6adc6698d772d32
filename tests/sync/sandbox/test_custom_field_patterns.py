"""The sandbox checks `pattern` as Trackunit documents it: RE2 syntax, whole value, in linear time."""

import subprocess
import sys

import pytest

from sync.sandbox.customfield_values import check_value, pattern_problem

HANG_GUARD_S = 60


def string_field(pattern: str) -> dict:
    return {"type": "STRING", "pattern": pattern}


def test_a_catastrophic_pattern_answers_at_once():
    # In a child process: a backtracking engine holds the GIL, so a timeout in this process would wait too.
    script = (
        "from sync.sandbox.customfield_values import check_value\n"
        "print(check_value({'type': 'STRING', 'pattern': '(a+)+'}, 'a' * 59 + '!'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=HANG_GUARD_S, check=True
    )
    assert done.stdout.strip() == "must match the pattern (a+)+"


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("[[:upper:]]+", "ABC", None),
        ("[[:upper:]]+", "ABC1", "must match the pattern [[:upper:]]+"),
        (r"\pL+", "Kåre", None),
    ],
)
def test_values_are_matched_whole_in_re2_syntax(pattern, value, expected):
    assert check_value(string_field(pattern), value) == expected


def test_a_pattern_re2_cannot_compile_is_named_not_raised():
    assert "RE2 syntax" in pattern_problem("(?=a)b")
    assert pattern_problem("[a-z]+") is None
    assert check_value(string_field("(?=a)b"), "ab").startswith("cannot be checked: the field's pattern")
