"""Turn uploaded bytes into a header and rows, the way files arrive from ERPs and Excel.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), Windows-1252 (Excel's
"CSV" on Western Windows); `,`, `;` or tab delimiters, sniffed from the header line; quoted newlines;
trailing empty rows. Anything else is refused with a FileRefused whose message a clerk can act on.

Row numbers are the ones Excel shows: the header is row 1, the first data row is row 2, and a record
with a quoted newline is still one row. Blank rows in the middle keep their number but carry no data.
"""

import codecs
import csv
import io
from dataclasses import dataclass

_DELIMITERS = (",", ";", "\t")
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


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and the name of the encoding it was read with."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRefused("The file is empty.")
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise FileRefused(
            "This is an Excel workbook, not a CSV file. In Excel use File > Save As > "
            "CSV UTF-8 (comma delimited) and upload that file."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FileRefused("The file starts like UTF-16 text but is not valid UTF-16.") from None
    sample = data[:65536]
    if b"\x00" in sample or sum(byte in _CONTROL for byte in sample) > len(sample) // 50:
        raise FileRefused("This is not a text (CSV) file: it contains binary data.")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileRefused(f"The file says it is UTF-8 but byte {exc.start} is not valid UTF-8.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"Unknown text encoding: byte 0x{data[exc.start]:02X} at position {exc.start} is neither "
            "UTF-8 nor Windows-1252. Save the file as CSV UTF-8 and upload it again."
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns.

    Header names never contain a delimiter, so counting on the first line is reliable where
    csv.Sniffer, which guesses from the data, is thrown by decimal commas and addresses.
    """
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(data: bytes) -> Table:
    """Decode and split a CSV file; refuse it when it has no header or no data rows."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileRefused(f"The CSV is malformed near row {reader.line_num}: {exc}.") from None
    header = [name.strip() for name in records[0]] if records else []
    if not any(header):
        raise FileRefused("The first row must be the header with the column names; it is empty.")
    rows, lines = [], []
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record):
            rows.append(record)
            lines.append(number)
    if not rows:
        raise FileRefused("The file has a header but no data rows.")
    return Table(header, rows, lines, encoding, delimiter)
