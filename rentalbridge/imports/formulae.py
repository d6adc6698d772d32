"""Cells a spreadsheet would evaluate: made inert in every file RentalBridge writes, read back on import.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage
return, whatever follows) as a formula: `=HYPERLINK(...)` sends data elsewhere, `=cmd|...` starts programs.
Following OWASP's CSV-injection guidance, such a cell gets a leading apostrophe, which spreadsheets show as
text. The importer takes exactly one apostrophe off again, so an export imports back to what was stored; a
value that itself starts with apostrophes before such a character gets one more, so it survives too.

A plain negative number ("-12.50") is left alone: it is no formula, and it must stay a number.
"""

import re
from typing import Any

_TRIGGERED = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:\.\d+)?")


def neutralise(value: Any) -> Any:
    """The cell as written to a CSV/XLSX file: text a spreadsheet would evaluate gets an apostrophe."""
    if isinstance(value, str) and _TRIGGERED.match(value) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def may_hold_escapes(text: str) -> bool:
    """False when no cell of a whole file can be escaped: its cells need no `restore`, which saves time."""
    return "'" in text and _ESCAPED.search(text) is not None


def restore(text: str) -> str:
    """The cell as imported: the one apostrophe `neutralise` put in front is taken off."""
    return text[1:] if text[:1] == "'" and _ESCAPED.match(text) else text
