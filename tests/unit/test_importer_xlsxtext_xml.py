"""The text reader (crm.importer.xlsxtext) and XML's own rules: it must never read what expat
would refuse or what openpyxl would not read. Declarations with another encoding, row
attributes expat refuses, a sheetData that is not the worksheet's own, and a long attribute
value (read in linear time: the attributes are left to the parser, not to a regex)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from typing import Any

import pytest
from openpyxl.reader.strings import read_string_table

from crm.importer import xlsxtext
from crm.importer.errors import ImportRefused
from crm.importer.readers import read_upload
from crm.importer.xlsxgrid import CellFormats, NotSure, read_shared_strings
from tests.unit.test_importer_xlsxgrid import (
    LIMITS,
    MAIN,
    _as_the_importer_keeps_them,
    _typed,
    openpyxl_rows,
    package,
    sheet,
    sst,
)
from tests.unit.test_importer_xlsxtext import text_rows

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """The package with one part's bytes replaced as given (no declaration added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == name else src.read(info))
    return out.getvalue()


def text_or_not_sure(data: bytes) -> Any:
    try:
        return text_rows(data)
    except NotSure:
        return "NotSure"


def imported(data: bytes) -> Any:
    try:
        return _typed(iter(read_upload(data, "review.xlsx", limits=LIMITS).rows))
    except ImportRefused as refused:
        return f"refused {refused.key}"


def openpyxl_as_imported(data: bytes) -> Any:
    try:
        return _as_the_importer_keeps_them(openpyxl_rows(data))
    except Exception:  # openpyxl fails on it: the importer refuses the file
        return "refused importer.refused.unreadable"


# --- the encoding declaration: `encoding = "..."` is legal XML -----------------------------------

LATIN1_DECLARATIONS = {
    "spaces around =": b'<?xml version="1.0" encoding = "ISO-8859-1"?>',
    "a tab before =": b"<?xml version='1.0' encoding\t='latin1'?>",
}
CELL_E_ACUTE = '<row r="1"><c r="A1" t="str"><v>\u00e9</v></c></row>'  # UTF-8 bytes C3 A9


@pytest.mark.parametrize("declaration", LATIN1_DECLARATIONS.values(), ids=LATIN1_DECLARATIONS)
def test_a_latin1_sheet_is_read_as_latin1(declaration: bytes) -> None:
    # expat honours the declaration: openpyxl and the element reader read "Ã©", never "é"
    body = sheet(CELL_E_ACUTE).encode()
    data = replace_part(package(sheet("")), SHEET, declaration + body)
    assert openpyxl_rows(data) == [(1, (("str", "\u00c3\u00a9"),))]
    assert text_or_not_sure(data) in ("NotSure", openpyxl_rows(data))
    assert imported(data) == openpyxl_as_imported(data)


@pytest.mark.parametrize("declaration", LATIN1_DECLARATIONS.values(), ids=LATIN1_DECLARATIONS)
def test_a_latin1_string_table_is_read_as_latin1(declaration: bytes) -> None:
    part = declaration + sst("<si><t>\u00e9</t></si>").encode()
    expected = list(read_string_table(io.BytesIO(part)))
    assert expected == ["\u00c3\u00a9"] == read_shared_strings(io.BytesIO(part))
    try:
        assert xlsxtext.read_shared_strings_text(io.BytesIO(part)) == expected
    except NotSure:
        pass
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    data = replace_part(package(sheet(rows), strings=sst("<si/>")), STRINGS, part)
    assert imported(data) == openpyxl_as_imported(data)


# --- encoding="utf8": expat maps it through Python's codec as a one-byte table, so any
# non-ASCII byte is "not well-formed" ----------------------------------------------------------

UTF8_ALIAS = b'<?xml version="1.0" encoding="utf8"?>'


def test_a_sheet_declared_utf8_with_non_ascii_text_is_refused_as_expat_refuses_it() -> None:
    body = sheet(CELL_E_ACUTE).encode()  # sheet() has a <dimension>: openpyxl opens the book
    data = replace_part(package(sheet("")), SHEET, UTF8_ALIAS + body)
    assert openpyxl_as_imported(data) == "refused importer.refused.unreadable"
    assert text_or_not_sure(data) == "NotSure"
    assert imported(data) == "refused importer.refused.unreadable"


def test_a_string_table_declared_utf8_with_non_ascii_text_is_refused_as_expat_refuses_it() -> None:
    part = UTF8_ALIAS + sst("<si><t>\u00e9</t></si>").encode()
    with pytest.raises(ET.ParseError):
        list(read_string_table(io.BytesIO(part)))  # what openpyxl does with it
    with pytest.raises(NotSure):
        read_shared_strings(io.BytesIO(part))
    with pytest.raises(NotSure):
        xlsxtext.read_shared_strings_text(io.BytesIO(part))


# --- row attributes: the parser judges them (probes in the emptied sheetData) ---------------

NOT_WELL_FORMED_ROW_ATTRIBUTES = {
    "a duplicate r hidden behind a value with a space": ' a="x y" r="2"',
    "a duplicate attribute hidden behind a value with a space": ' a="x y" a="z"',
    "an unbound prefix": ' foo:bar="1"',
    "a name character \\w takes and XML does not (U+00B2)": ' a\u00b2="1"',
    "two colons in a name": ' a:b:c="1"',
    "a control character in a value": ' spans="1:\x012"',
    "a noncharacter in a value": ' spans="1:\ufffe"',
}


@pytest.mark.parametrize(
    "attributes", NOT_WELL_FORMED_ROW_ATTRIBUTES.values(), ids=NOT_WELL_FORMED_ROW_ATTRIBUTES
)
def test_a_row_whose_attributes_expat_refuses_is_refused(attributes: str) -> None:
    data = package(sheet(f'<row r="1"{attributes}><c r="A1"><v>1</v></c></row>'))
    assert openpyxl_as_imported(data) == "refused importer.refused.unreadable"
    assert text_or_not_sure(data) == "NotSure"
    assert imported(data) == "refused importer.refused.unreadable"


# --- the sheetData read must be the one openpyxl reads -----------------------------------------

ROW = '<row r="1"><c r="A1"><v>1</v></c></row>'
OTHER_NAMESPACE_SHEET_DATA = {
    # the first <sheetData> in the text is in another namespace; a later, empty one in the main
    # namespace is the one openpyxl reads
    "root in another namespace": (
        f'<worksheet xmlns="urn:other" xmlns:m="{MAIN}"><m:dimension ref="A1"/>'
        f"<sheetData>{ROW}</sheetData><m:sheetData/></worksheet>"
    ),
    "nested in an element of another namespace": (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><extLst xmlns="urn:other">'
        f"<sheetData>{ROW}</sheetData></extLst><sheetData/></worksheet>"
    ),
}


@pytest.mark.parametrize(
    "part", OTHER_NAMESPACE_SHEET_DATA.values(), ids=OTHER_NAMESPACE_SHEET_DATA
)
def test_rows_of_a_sheet_data_openpyxl_does_not_read_are_not_read(part: str) -> None:
    data = package(part)
    assert openpyxl_rows(data) == []
    assert text_or_not_sure(data) in ("NotSure", [])
    assert imported(data) == []


# --- a long attribute value -------------------------------------------------------------------


def test_a_row_attribute_value_full_of_spaces_is_read() -> None:
    """Once quadratic (a regex over the attributes retried from every space)."""
    part = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1" a="'
        + " " * 300_000
        + '"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    formats = CellFormats(datetime(1899, 12, 30), frozenset(), frozenset())
    assert list(xlsxtext.iter_grid_text(io.BytesIO(part), [], formats)) == [(1, (1,))]


# --- pinned: behaviours that are right and easy to lose ----------------------------------------


@pytest.mark.parametrize("chunk", range(1, 21))
def test_utf8_split_across_chunks_with_a_bom_and_x005f(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsxtext, "_CHUNK", chunk)
    items = "<si><t>\u00e9\U0001f600x005F&#95;x000D_</t></si><si><t>]]</t></si><si><t>&gt;&#x10FFFF;</t></si>"
    part = b"\xef\xbb\xbf" + sst(items).encode()
    read = xlsxtext.read_shared_strings_text(io.BytesIO(part))
    assert (
        read == read_shared_strings(io.BytesIO(part)) == list(read_string_table(io.BytesIO(part)))
    )


def test_two_byte_order_marks_are_refused() -> None:
    part = b"\xef\xbb\xbf\xef\xbb\xbf" + sst("<si><t>a</t></si>").encode()
    with pytest.raises(NotSure):
        xlsxtext.read_shared_strings_text(io.BytesIO(part))
