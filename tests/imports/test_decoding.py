"""Files as they arrive from ERPs and Excel: what is read, and what is refused with which message."""

import codecs

import pytest

from rentalbridge.imports.decoding import FileRefused, read_table


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
