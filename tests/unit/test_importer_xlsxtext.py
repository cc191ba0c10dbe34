"""The text reader (crm.importer.xlsxtext) reads sheets and string tables in the common shape
exactly as openpyxl does, across chunk boundaries; whatever is not in that shape, or is not
well-formed XML, it leaves to the element reader (NotSure), and the importer's result is still
openpyxl's. It also finds merged ranges and formulas as the whole-sheet scan does."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.importer import xlsx as xlsx_module
from crm.importer import xlsxtext
from crm.importer.readers import read_upload
from crm.importer.xlsxgrid import NotSure, read_shared_strings
from tests.unit.test_importer_xlsxgrid import (
    LIMITS,
    MAIN,
    MIXED,
    VALUES,
    Typed,
    _as_the_importer_keeps_them,
    _refusal,
    _typed,
    openpyxl_rows,
    package,
    sheet,
    sst,
    xlsxwriter_book,
)


def text_rows(data: bytes) -> Typed:
    """The text reader alone, through the importer's plumbing; NotSure propagates."""
    book, strings_path = xlsx_module._open_workbook(data)
    try:
        worksheet = xlsx_module._pick_sheet(book, None)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            rows = xlsx_module._grid_rows(
                zf, book, worksheet, strings_path, reader=xlsxtext.iter_grid_text
            )
            return _typed(rows)
    finally:
        book.close()


def spy_element_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sheets the importer has the element reader (or openpyxl after it) read, from now on."""
    calls: list[str] = []
    original = xlsx_module.iter_grid

    def spy(*args: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
        calls.append("element")
        return original(*args)

    monkeypatch.setattr(xlsx_module, "iter_grid", spy)
    return calls


@pytest.fixture
def element_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return spy_element_reads(monkeypatch)


@pytest.fixture(params=[7, 64, 1024 * 1024], ids=["7-byte", "64-byte", "1-MB"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Read in chunks this small: rows, tags and UTF-8 characters split between chunks."""
    monkeypatch.setattr(xlsxtext, "_CHUNK", request.param)
    return int(request.param)


def test_xlsxwriter_workbooks_are_read_by_the_text_reader(
    chunk: int, element_reads: list[str]
) -> None:
    for date1904 in (False, True):
        data = xlsxwriter_book(MIXED, date_1904=date1904)
        expected = openpyxl_rows(data)
        assert text_rows(data) == expected
        raw = read_upload(data, "mixed.xlsx", limits=LIMITS)
        assert _typed(iter(raw.rows)) == _as_the_importer_keeps_them(expected)
    assert element_reads == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.lists(st.lists(VALUES, max_size=7), min_size=1, max_size=8),
    date1904=st.booleans(),
    chunk=st.sampled_from([5, 13, 100, 1024 * 1024]),
)
def test_random_grids_read_by_the_text_reader_as_openpyxl_reads_them(
    grid: list[list[Any]], date1904: bool, chunk: int
) -> None:
    data = xlsxwriter_book(grid, date_1904=date1904)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsxtext, "_CHUNK", chunk)
        assert text_rows(data) == openpyxl_rows(data)


def test_merged_ranges_found_outside_the_rows(element_reads: list[str]) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    ws.merge_range("A1:C1", "2022년 입주기업 현황")
    ws.write_row(1, 0, ["회사명", "담당", "설립일"])
    ws.merge_range("A3:A4", "빛고을에이아이")
    ws.write_row(2, 1, ["김담당"])
    ws.write_row(3, 1, ["이담당"])
    book.close()
    data = buffer.getvalue()
    raw = read_upload(data, "merged.xlsx", limits=LIMITS)
    assert element_reads == []
    assert raw.rows[2:] == [(3, ("빛고을에이아이", "김담당")), (4, ("빛고을에이아이", "이담당"))]
    assert [(n.key, n.params) for n in raw.notes] == [("importer.note.merged", {"count": 2})]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        whole = xlsx_module._scan(xlsx_module._windows(zf, "xl/worksheets/sheet1.xml"))
    assert whole == (set(), ["A1:C1", "A3:A4"])


# --- the common shape with a trap: the text reader declines, the result is still openpyxl's ------

ROW = '<row r="1"><c r="A1"><v>1</v></c></row>'
DECLINED = {
    "an entity in a value": '<row r="1"><c r="A1" t="str"><v>a&amp;b</v></c></row>',
    "a character reference in a value": '<row r="1"><c r="A1"><v>&#49;</v></c></row>',
    "an inline string": '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>',
    "a formula": '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>',
    "whitespace between rows": f"{ROW}\n  {ROW.replace('1', '2')}",
    "attributes in another order": '<row r="1"><c t="n" r="A1"><v>1</v></c></row>',
    "single quotes": "<row r='1'><c r='A1'><v>1</v></c></row>",
    "a row without a number": '<row><c r="A1"><v>1</v></c></row>',
    "a cell without a reference": '<row r="1"><c><v>1</v></c></row>',
    "an empty style": '<row r="1"><c r="A1" s=""><v>1</v></c></row>',
    "a comment between rows": f"{ROW}<!-- x -->",
    "a row declaring a namespace": '<row r="1" xmlns="urn:other"><c r="A1"><v>1</v></c></row>',
    "an unknown cell type": '<row r="1"><c r="A1" t="q"><v>1</v></c></row>',
}


@pytest.mark.parametrize("rows", DECLINED.values(), ids=DECLINED.keys())
def test_what_is_not_in_the_common_shape_is_left_to_the_element_reader(rows: str) -> None:
    data = package(sheet(rows))
    with pytest.raises(NotSure):
        text_rows(data)
    raw = read_upload(data, "quirk.xlsx", limits=LIMITS)
    assert _typed(iter(raw.rows)) == _as_the_importer_keeps_them(openpyxl_rows(data))


def test_rows_after_the_sheet_data_are_not_missed(element_reads: list[str]) -> None:
    after = '<sheetData><row r="9"><c r="A9"><v>9</v></c></row></sheetData>'
    data = package(sheet(ROW, after=after))
    with pytest.raises(NotSure):
        text_rows(data)
    assert read_upload(data, "quirk.xlsx", limits=LIMITS).rows == [(1, (1,)), (9, (9,))]
    assert element_reads == ["element"]


SHEET_TRAPS = {
    "sheetData named in a comment first": (
        f'<worksheet xmlns="{MAIN}"><!-- <sheetData> --><sheetData>{ROW}</sheetData></worksheet>'
    ),
    "an empty sheetData first": (
        f'<worksheet xmlns="{MAIN}"><sheetData a="1"/><sheetData>{ROW}</sheetData></worksheet>'
    ),
    "sheetData in another namespace": (
        f'<worksheet xmlns="urn:other"><sheetData>{ROW}</sheetData></worksheet>'
    ),
    "another encoding declared": (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        f'<worksheet xmlns="{MAIN}"><sheetData>{ROW}</sheetData>'
        "</worksheet>"
    ),
}


@pytest.mark.parametrize("part", SHEET_TRAPS.values(), ids=SHEET_TRAPS.keys())
def test_a_sheet_data_that_is_not_the_worksheets_own_is_declined(part: str) -> None:
    with pytest.raises(NotSure):
        list(xlsxtext.iter_grid_text(io.BytesIO(part.encode("latin-1")), [], _formats()))


def _formats() -> Any:
    from crm.importer.xlsxgrid import CellFormats

    return CellFormats(datetime(1899, 12, 30), frozenset(), frozenset())


NOT_XML = {
    "a control character int() takes for white space": '<c r="A1"><v>\x1c12</v></c>',
    "]]> in text": '<c r="A1" t="str"><v>a]]>b</v></c>',
    "a noncharacter": '<c r="A1" t="str"><v>a\uffffb</v></c>',
}


@pytest.mark.parametrize("cell", NOT_XML.values(), ids=NOT_XML.keys())
def test_text_xml_refuses_is_refused_as_before(cell: str) -> None:
    data = package(sheet(f'<row r="1">{cell}</row>'))
    with pytest.raises(NotSure):
        text_rows(data)
    assert _refusal(data).key == "importer.refused.unreadable"


def test_a_part_that_is_not_well_formed_after_its_rows_is_refused_as_before(
    element_reads: list[str],
) -> None:
    part = f'<worksheet xmlns="{MAIN}"><sheetData>{ROW}</sheetData><mergeCells></worksheet>'
    data = package(part)
    with pytest.raises(NotSure):
        text_rows(data)
    assert _refusal(data).key == "importer.refused.unreadable"
    assert element_reads == ["element"]


def test_a_row_longer_than_the_limit_goes_to_the_element_reader(
    monkeypatch: pytest.MonkeyPatch, element_reads: list[str]
) -> None:
    monkeypatch.setattr(xlsxtext, "_CHUNK", 16)
    monkeypatch.setattr(xlsxtext, "_LONGEST_ITEM", 40)
    cells = "".join(f'<c r="{col}1"><v>{i}</v></c>' for i, col in enumerate("ABCDEFGH"))
    data = package(sheet(f'<row r="1">{cells}</row>'))
    assert read_upload(data, "wide.xlsx", limits=LIMITS).rows == [(1, tuple(range(8)))]
    assert element_reads == ["element"]


# --- string tables --------------------------------------------------------------------------------

STRINGS = (
    "<si><t>회사명</t></si>"
    '<si><t xml:space="preserve">  앞뒤 공백  </t></si>'
    "<si><t/></si>"
    "<si><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</t></si>"
    "<si><t>&#13;&#10;&#x41;&#xAC00;&#128512;</t></si>"
    "<si><t>plain_x000D_escape double_x005F_x000D_escape</t></si>"
    "<si><t>줄\n바꿈\t탭</t></si>"
)


@pytest.mark.parametrize("size", [3, 50, 1024 * 1024])
def test_string_tables_read_as_the_element_reader_reads_them(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsxtext, "_CHUNK", size)
    part = ('<?xml version="1.0" encoding="UTF-8"?>\n' + sst(STRINGS)).encode()
    read = xlsxtext.read_shared_strings_text(io.BytesIO(part))
    assert read == read_shared_strings(io.BytesIO(part))
    assert read[3:5] == ["a & b <c> \"d\" 'e'", "\r\nA가😀"]
    assert read[5] == "plain_x000D_escape double_x000D_escape"


ODD_STRINGS = {
    "rich text": "<si><r><t>a</t></r><r><t>b</t></r></si>",
    "phonetic runs": "<si><t>漢</t><rPh sb='0' eb='1'><t>한</t></rPh></si>",
    "a reference to a character XML refuses": "<si><t>&#0;</t></si>",
    "an entity XML does not define": "<si><t>&nbsp;</t></si>",
    "pretty printed": "\n  <si><t>a</t></si>\n",
    "CDATA": "<si><t><![CDATA[a]]></t></si>",
}


@pytest.mark.parametrize("items", ODD_STRINGS.values(), ids=ODD_STRINGS.keys())
def test_other_string_tables_are_left_to_the_element_reader(items: str) -> None:
    part = sst(items).encode()
    with pytest.raises(NotSure):
        xlsxtext.read_shared_strings_text(io.BytesIO(part))


def test_a_workbook_with_odd_strings_still_reads_as_openpyxl_reads_it() -> None:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    strings = sst("<si><r><t>굵게 </t></r><r><t>보통</t></r></si><si><t>x</t></si>")
    data = package(sheet(rows), strings=strings)
    raw = read_upload(data, "rich.xlsx", limits=LIMITS)
    assert raw.rows == [(1, ("굵게 보통", "x"))]
    assert _typed(iter(raw.rows)) == openpyxl_rows(data)


def test_dates_and_numbers_in_a_plain_sheet() -> None:
    data = xlsxwriter_book(
        [["설립일", "금액"], [date(2020, 5, 1), 1.5], [date(1900, 3, 1), 10**15]]
    )
    assert text_rows(data)[1:] == [
        (2, (("datetime", datetime(2020, 5, 1)), ("float", 1.5))),
        (3, (("datetime", datetime(1900, 3, 1)), ("int", 10**15))),
    ]


def test_rows_as_excel_writes_them_are_read_by_the_text_reader(element_reads: list[str]) -> None:
    """Excel writes spans and a prefixed attribute on every row, declared on the worksheet."""
    x14ac = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    rows = "".join(
        f'<row r="{n}" spans="1:2" x14ac:dyDescent="0.3"><c r="A{n}" t="s"><v>0</v></c>'
        f'<c r="B{n}" s="2"><v>4383{n}</v></c></row>'
        for n in (1, 2)
    )
    part = (
        f'<worksheet xmlns="{MAIN}" xmlns:mc="{mc}" mc:Ignorable="x14ac" xmlns:x14ac="{x14ac}">'
        f'<dimension ref="A1:B2"/><sheetData>{rows}</sheetData>'
        '<mergeCells count="1"><mergeCell ref="A1:A2"/></mergeCells></worksheet>'
    )
    data = package(part, strings=sst('<si><t xml:space="preserve">엑셀 </t></si>'))
    expected = openpyxl_rows(data)
    assert text_rows(data) == expected
    raw = read_upload(data, "excel.xlsx", limits=LIMITS)
    assert raw.rows == [(1, ("엑셀 ", datetime(2020, 1, 1))), (2, ("엑셀 ", datetime(2020, 1, 2)))]
    assert [n.key for n in raw.notes] == ["importer.note.merged"]
    assert element_reads == []
