"""Files as they arrive from ERPs and Excel: what is read, and what is refused with which message."""

import codecs
from pathlib import Path

import pytest

from rentalbridge.imports.decoding import HEAD_BYTES, FileRefused, read_header, read_table


def test_utf8_with_bom_and_semicolons_and_a_quoted_newline():
    data = codecs.BOM_UTF8 + 'ref;name;address\r\nA1;Bjørn;"Havnegade 1\nEsbjerg"\r\n'.encode()
    table = read_table(data)
    assert (table.header, table.delimiter, table.encoding) == (["ref", "name", "address"], ";", "utf-8-sig")
    assert table.rows == [["A1", "Bjørn", "Havnegade 1\nEsbjerg"]]


def test_windows_1252_is_read_when_the_file_is_not_utf8():
    table = read_table("ref,name\r\nA1,Müller €\r\n".encode("cp1252"))
    assert table.encoding == "windows-1252"
    assert table.rows == [["A1", "Müller €"]]


def test_utf16_with_bom_and_tabs_as_excel_unicode_text_writes_it():
    table = read_table("ref\tname\r\nA1\tÅse\r\n".encode("utf-16"))
    assert (table.delimiter, table.rows) == ("\t", [["A1", "Åse"]])


def test_row_numbers_are_excel_rows_blank_rows_keep_their_number_trailing_ones_are_dropped():
    table = read_table(b'ref,name\r\nA1,"two\nlines"\r\n,\r\nA2,x\r\n,\r\n\r\n , \r\n')
    assert table.lines == [2, 4]
    assert [row[0] for row in table.rows] == ["A1", "A2"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n  \r\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text (CSV) file"),
        (b"ref,name\r\nA1,\x81\x8d\xff\r\n", "Unknown text encoding: byte 0x81"),
        (b"ref,name\r\n", "has a header but no data rows"),
        (b",,\r\nA1,x\r\n", "The first row must be the header"),
    ],
    ids=["empty", "blank", "xlsx", "binary", "unknown-encoding", "header-only", "no-header"],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(FileRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(data)


def test_utf32_and_utf16_without_a_byte_order_mark_are_refused_with_what_to_do():
    with pytest.raises(FileRefused, match=r"UTF-32 text, which is not read\. Save it as CSV UTF-8"):
        read_table("ref,name\r\nA1,Åse\r\n".encode("utf-32"))
    with pytest.raises(FileRefused, match="UTF-16 text without a byte-order mark"):
        read_table("ref,name\r\nA1,Åse\r\n".encode("utf-16-le"))


def test_the_header_is_read_from_the_first_bytes_only_with_the_same_refusals():
    tail = b"".join(b"A%d,x\r\n" % n for n in range(20_000)) + b'"never closed'
    assert read_header(b"ref;name\r\n" + tail) == ["ref", "name"]
    assert read_header("ref\tnavn\r\nA1\tÅse\r\n".encode("utf-16")) == ["ref", "navn"]
    # A two-byte character cut by the end of the head (9 + odd) is not an encoding error.
    assert read_header(b"ref,name\n" + "ø".encode() * HEAD_BYTES) == ["ref", "name"]
    refused = [(b"PK\x03\x04\x14\x00", "Excel workbook"), (b",,\r\nA1,x\r\n", "must be the header")]
    for data, message in refused:
        with pytest.raises(FileRefused, match=message):
            read_header(data)


def readme_import_section() -> str:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Importing and exporting CSV", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())


SAMPLE = "ref,name\r\nA1,Åse Müller\r\n"


@pytest.mark.parametrize(
    ("phrase", "data"),
    [
        ("UTF-8 (with or without BOM)", SAMPLE.encode("utf-8")),
        ("UTF-8 (with or without BOM)", codecs.BOM_UTF8 + SAMPLE.encode("utf-8")),
        ("Windows-1252", SAMPLE.encode("cp1252")),
        ("UTF-16 with a byte-order mark", SAMPLE.encode("utf-16")),
    ],
)
def test_the_readme_names_each_encoding_that_is_read(phrase, data):
    read_part = readme_import_section().split(" are read;", 1)[0]
    assert phrase in read_part
    assert read_table(data).rows == [["A1", "Åse Müller"]]


@pytest.mark.parametrize(
    ("phrase", "data"),
    [
        ("UTF-32", SAMPLE.encode("utf-32")),
        ("UTF-16 without a byte-order mark", SAMPLE.encode("utf-16-le")),
        ("workbooks", b"PK\x03\x04\x14\x00\x06\x00"),
    ],
)
def test_the_readme_names_each_encoding_that_is_refused(phrase, data):
    refused_part = readme_import_section().split("anything else (", 1)[1].split(") is refused", 1)[0]
    assert phrase in refused_part
    with pytest.raises(FileRefused):
        read_table(data)
