"""Turn uploaded bytes into a header and rows, the way files arrive from ERPs and Excel.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), Windows-1252 (Excel's
"CSV" on Western Windows); `,`, `;` or tab delimiters, sniffed from the header line; quoted newlines;
trailing empty rows. Anything else (UTF-32, UTF-16 without BOM, other code pages, binary data) is refused
with a FileRefused whose message a clerk can act on.

`read_header` applies the same checks to the first bytes only, so the web request can refuse a wrong file
at once without parsing a large one (the worker does that with `read_table`).

Row numbers are the ones Excel shows: the header is row 1, the first data row is row 2, and a record
with a quoted newline is still one row. Blank rows in the middle keep their number but carry no data.
"""

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from rentalbridge.imports.formulae import may_hold_escapes

_DELIMITERS = (",", ";", "\t")
_NO_HEADER = "The first row must be the header with the column names; it is empty."
HEAD_BYTES = 65536
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
# Control characters other than tab/CR/LF/FF do not occur in text files; a few per cent means binary.
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}


class FileRefused(ValueError):
    """The file as a whole cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str
    # Whether some cell may carry the apostrophe our exports put before formula-like text.
    escapes: bool


def decode(data: bytes, *, complete: bool = True) -> tuple[str, str]:
    """Return the text and the name of the encoding it was read with.

    `complete=False` reads the beginning of a file: a character cut at the end is left out, not refused.
    """
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRefused("The file is empty.")
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise FileRefused(
            "This is an Excel workbook, not a CSV file. In Excel use File > Save As > "
            "CSV UTF-8 (comma delimited) and upload that file."
        )
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise FileRefused("The file is UTF-32 text, which is not read. Save it as CSV UTF-8 and upload that.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = _decoded(data, "utf-16", complete)
        except UnicodeDecodeError:
            raise FileRefused("The file starts like UTF-16 text but is not valid UTF-16.") from None
        _refuse_binary([ord(char) for char in text[: HEAD_BYTES // 2]])
        return text, "utf-16"
    _refuse_utf16_without_bom(data[:HEAD_BYTES])
    _refuse_binary(data[:HEAD_BYTES])
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _decoded(data[len(codecs.BOM_UTF8) :], "utf-8", complete), "utf-8-sig"
        except UnicodeDecodeError as exc:
            position = exc.start + len(codecs.BOM_UTF8)
            raise FileRefused(f"The file says it is UTF-8 but byte {position} is not valid UTF-8.") from None
    try:
        return _decoded(data, "utf-8", complete), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"Unknown text encoding: byte 0x{data[exc.start]:02X} at position {exc.start} is neither "
            "UTF-8 nor Windows-1252. Save the file as CSV UTF-8 and upload it again."
        ) from None


def _decoded(data: bytes, encoding: str, complete: bool) -> str:
    return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)


def _refuse_binary(codes: Sequence[int]) -> None:
    """Refuse a sample (bytes, or a decoded text's code points) with a NUL or too many control characters."""
    if 0 in codes or sum(code in _CONTROL for code in codes) > len(codes) // 50:
        raise FileRefused("This is not a text (CSV) file: it contains binary data.")


def _refuse_utf16_without_bom(sample: bytes) -> None:
    """ASCII text in UTF-16 has a zero byte in every other position, and only there."""
    fewer, more = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    if more > len(sample) // 4 and fewer <= len(sample) // 50:
        raise FileRefused(
            "The file looks like UTF-16 text without a byte-order mark, which cannot be read reliably. "
            "Save it as CSV UTF-8 and upload that."
        )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns.

    Header names never contain a delimiter, so counting on the first line is reliable where
    csv.Sniffer, which guesses from the data, is thrown by decimal commas and addresses.
    """
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_header(data: bytes) -> list[str]:
    """The column names, read from the first bytes only: a wrong file is refused before anything is parsed."""
    head = data[:HEAD_BYTES]
    text, _ = decode(head, complete=len(head) == len(data))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise FileRefused(f"The header row cannot be read as CSV ({exc}); check its quotes.") from None
    if not any(header):
        raise FileRefused(_NO_HEADER)
    return header


def read_table(data: bytes) -> Table:
    """Decode and split a CSV file; refuse it when it has no header or no data rows."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileRefused(
            f"The file cannot be read as CSV near row {reader.line_num} ({exc}): a quote around a cell may "
            "not be closed. Save it again from Excel as CSV UTF-8."
        ) from None
    header = [name.strip() for name in records[0]] if records else []
    if not any(header):
        raise FileRefused(_NO_HEADER)
    rows, lines = [], []
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record):
            rows.append(record)
            lines.append(number)
    if not rows:
        raise FileRefused("The file has a header but no data rows.")
    return Table(header, rows, lines, encoding, delimiter, may_hold_escapes(text))
