"""The fast grid reader (crm.importer.xlsxgrid) gives exactly what openpyxl's read-only
`iter_rows(values_only=True)` gives: for workbooks written by XlsxWriter (shared strings) and by
openpyxl (inline strings), for hand-written parts with the quirks other producers write, and
for random grids. What it is not sure of goes to openpyxl; XML with a DTD is refused first."""

from __future__ import annotations

import io
import pyexpat
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from crm.importer import xlsx as xlsx_module
from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from crm.importer.readers import read_upload
from crm.importer.xlsxgrid import NotSure
from tests.importer_files import BILLION_LAUGHS, part, rezip, xlsx

LIMITS = ImportLimits(max_bytes=20 * 2**20, max_rows=100_000)
Typed = list[tuple[int, tuple[tuple[str, Any], ...]]]


# --- the two readers, side by side ---------------------------------------------------------------


def _typed(rows: Iterator[tuple[int, tuple[Any, ...]]]) -> Typed:
    """Rows with each value's type name beside it: 1 == 1.0 == True, but they are not the same
    value to the importer."""
    return [(n, tuple((type(v).__name__, v) for v in values)) for n, values in rows]


def openpyxl_rows(data: bytes) -> Typed:
    """What the importer read before the grid reader: openpyxl, read-only, values only (the
    rows without cells, which the importer skips anyway, left out)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.active
        sheet.reset_dimensions()
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        return _typed((n, tuple(values)) for n, values in rows if values)
    finally:
        book.close()


def grid_rows(data: bytes) -> Typed:
    """The grid reader, through the importer's own plumbing; NotSure propagates."""
    book, strings_path = xlsx_module._open_workbook(data)
    try:
        sheet = xlsx_module._pick_sheet(book, None)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _typed(xlsx_module._grid_rows(zf, book, sheet, strings_path))
    finally:
        book.close()


def assert_same(data: bytes) -> Typed:
    expected = openpyxl_rows(data)
    assert expected, "the workbook should have rows"
    assert grid_rows(data) == expected
    return expected


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets read_xlsx handed to openpyxl because the grid reader was not sure."""
    calls: list[str] = []
    original = xlsx_module._openpyxl_rows

    def spy(data: bytes, title: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        calls.append(title)
        return original(data, title)

    monkeypatch.setattr(xlsx_module, "_openpyxl_rows", spy)
    return calls


# --- hand-written parts ---------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# cell styles: 0 General, 1 built-in date (14), 2 yyyy-mm-dd, 3 [h]:mm:ss (a duration), 4 h:mm:ss
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts><fonts count="1"><font/></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="5">{first}<xf numFmtId="14"/>'
    '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="21"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def package(
    sheet: str,
    *,
    strings: str | None = None,
    date1904: bool = False,
    style0_is_date: bool = False,
) -> bytes:
    """A minimal workbook around hand-written sheet (and shared-string) XML."""
    types = [
        ("/xl/workbook.xml", f"{CT}.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{CT}.worksheet+xml"),
        ("/xl/styles.xml", f"{CT}.styles+xml"),
    ]
    relations = [(f"{REL}/worksheet", "worksheets/sheet1.xml"), (f"{REL}/styles", "styles.xml")]
    if strings is not None:
        types.append(("/xl/sharedStrings.xml", f"{CT}.sharedStrings+xml"))
        relations.append((f"{REL}/sharedStrings", "sharedStrings.xml"))
    overrides = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in types)
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"/>'
        for i, (t, target) in enumerate(relations, start=1)
    )
    workbook_pr = '<workbookPr date1904="1"/>' if date1904 else ""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}<sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}">{links}</Relationships>',
        "xl/styles.xml": STYLES.format(first='<xf numFmtId="14"/>' if style0_is_date else "<xf/>"),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return out.getvalue()


def sheet(rows: str, prefix: str = "", after: str = "") -> str:
    """Sheet XML around `rows`; with a prefix, the main namespace is bound to it (x:row...)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<{p}worksheet {xmlns}="{MAIN}" xmlns:r="{REL}"><{p}dimension ref="A1"/>'
        f"<{p}sheetData>{rows}</{p}sheetData>{after}</{p}worksheet>"
    )


def sst(items: str, prefix: str = "") -> str:
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    p = f"{prefix}:" if prefix else ""
    return f'<{p}sst {xmlns}="{MAIN}">{items}</{p}sst>'


# --- workbooks written by XlsxWriter and openpyxl ------------------------------------------------


def xlsxwriter_book(rows: list[list[Any]], **options: Any) -> bytes:
    """Typed cells the way the importer's users' tools write them, with XlsxWriter (which writes
    inline strings in constant_memory mode, and that mode only through temporary files)."""
    buffer = io.BytesIO()
    in_memory = not options.get("constant_memory")
    book = xlsxwriter.Workbook(buffer, {"in_memory": in_memory, **options})
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "time": book.add_format({"num_format": "hh:mm:ss"}),
    }
    ws = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            write_value(ws, formats, r, c, value)
    book.close()
    return buffer.getvalue()


def write_value(ws: Any, formats: dict[str, Any], r: int, c: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, formats["datetime"])
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime.combine(value, time()), formats["date"])
    elif isinstance(value, time):
        ws.write_datetime(r, c, value, formats["time"])
    else:
        ws.write_string(r, c, value)


MIXED = [
    ["회사명", "금액", "비율", "설립일", "일시", "시각", "참", "비고"],
    [
        "빛고을에이아이",
        1200000,
        0.125,
        date(2020, 5, 1),
        datetime(2021, 3, 4, 5, 6, 7),
        time(9, 30),
    ],
    ["  앞뒤 공백  ", -3, 1e300, date(1900, 1, 1), datetime(1900, 2, 28, 12), time(0, 0), True],
    ["x_x000D_y", 10**15, 5e-324, date(1900, 3, 1), None, time(23, 59, 59), False, "줄\n바꿈"],
    [None, None, None, None, None, None, None, None, None, None, "멀리"],
    [],
    ["탭\t문자", 0, -0.0, date(9999, 12, 31), datetime(2022, 1, 3, 0, 0, 0, 500000)],
]


@pytest.mark.parametrize("inline", [False, True], ids=["shared-strings", "inline-strings"])
@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_xlsxwriter_workbook_reads_as_openpyxl_reads_it(inline: bool, date1904: bool) -> None:
    data = xlsxwriter_book(MIXED, constant_memory=inline, date_1904=date1904)
    assert (b't="inlineStr"' in part(data, "xl/worksheets/sheet1.xml")) is inline
    rows = assert_same(data)
    assert rows[1][1][3] == ("datetime", datetime(2020, 5, 1))
    assert rows[2][1][6] == ("bool", True)


def test_xlsxwriter_formulas_merges_and_rich_strings() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["회사명", "합계", "문자", "참", "오류"])
    ws.write_rich_string(1, 0, "빛고을", bold, "에이아이", " 주식회사")
    ws.write_formula(1, 1, "=SUM(1,2)", None, 3)
    ws.write_formula(1, 2, '=CONCAT("a","b")', None, "ab")
    ws.write_formula(1, 3, "=TRUE()", None, True)
    ws.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 5, "=A1")  # no saved value: XlsxWriter writes 0
    ws.merge_range("A3:C4", "병합")
    ws.write_array_formula("D3:D4", "{=B2:B3*2}", None, 6)
    book.close()
    rows = assert_same(buffer.getvalue())
    assert rows[1][1][:5] == (
        ("str", "빛고을에이아이 주식회사"),
        ("int", 3),
        ("str", "ab"),
        ("bool", True),
        ("str", "#DIV/0!"),
    )


def test_openpyxl_workbook_with_inline_and_rich_strings() -> None:
    book = openpyxl.Workbook(iso_dates=False)
    ws = book.active
    assert ws is not None
    rich = CellRichText("빛고을", TextBlock(InlineFont(b=True), " 에이아이"))
    ws.append(["회사명", "금액", "설립일", "기간", "시각", "수식"])
    ws.append([rich, 1.5, date(2020, 5, 1), timedelta(hours=30, seconds=1), time(6), "=A1"])
    ws.append(["  공백  ", 7, datetime(1900, 1, 1), timedelta(0), time(0, 0, 1), None])
    ws["H10"] = "멀리 떨어진 셀"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert b't="inlineStr"' in part(data, "xl/worksheets/sheet1.xml")
    rows = assert_same(data)
    assert rows[1][1][0] == ("str", "빛고을 에이아이")
    assert rows[1][1][3] == ("timedelta", timedelta(hours=30, seconds=1))
    assert rows[1][1][5] == ("NoneType", None)  # a formula openpyxl saved without a value


def test_openpyxl_iso_dates_are_read_as_openpyxl_reads_them() -> None:
    book = openpyxl.Workbook(iso_dates=True)
    ws = book.active
    assert ws is not None
    ws.append(["일시", "날짜", "시각"])
    ws.append([datetime(2021, 3, 4, 5, 6, 7), date(2020, 5, 1), time(12, 30)])
    buffer = io.BytesIO()
    book.save(buffer)
    assert b't="d"' in part(buffer.getvalue(), "xl/worksheets/sheet1.xml")
    assert_same(buffer.getvalue())


# --- hand-written quirks -------------------------------------------------------------------------


def test_rows_and_cells_without_references() -> None:
    rows = (
        '<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c><c/><c><v>2.5</v></c></row>'
        "<row/>"
        '<row><c r="C3"><v>3</v></c><c><v>4</v></c><c r=""><v>4.5</v></c></row>'
        '<row r="7"><c r="B7" t="b"><v>1</v></c><c r="A7" t="b"><v>0</v></c></row>'
        '<row><c r="A8" t="e"><v>#N/A</v></c><c r="A8" t="n"><v>8</v></c></row>'
        '<row r="5"><c><v>5</v></c></row>'  # numbered before row 8: openpyxl drops it
        "<row><c><v>6</v></c></row>"
        '<row r="12" spans="1:3" ht="20" customHeight="1"><c r="B12"><v>12</v></c></row>'
    )
    read = assert_same(package(sheet(rows)))
    assert [n for n, _ in read] == [1, 3, 7, 8, 12]
    assert read[0][1] == (("str", "a"), ("int", 1), ("NoneType", None), ("float", 2.5))
    assert read[1][1] == (("NoneType", None),) * 2 + (("int", 3), ("int", 4), ("float", 4.5))
    assert read[4][1] == (("NoneType", None), ("int", 12))
    assert read[2][1] == (("bool", False),)  # as wide as its last cell (A7)
    assert read[3][1] == (("int", 8),)  # the later cell of a column wins


def test_prefixed_namespace_and_shared_strings() -> None:
    rows = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="C1" s="2"><x:v>43831</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="s"><x:v>-1</x:v></x:c></x:row>'  # openpyxl: the last string
    )
    strings = sst(
        '<x:si><x:t>회사명</x:t></x:si><x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">'
        "굵게 </x:t></x:r><x:r><x:t>보통</x:t></x:r></x:si>",
        prefix="x",
    )
    read = assert_same(package(sheet(rows, prefix="x"), strings=strings))
    assert read[0][1] == (
        ("str", "회사명"),
        ("str", "굵게 보통"),
        ("datetime", datetime(2020, 1, 1)),
    )
    assert read[1][1] == (("str", "굵게 보통"),)


def test_text_cells_as_openpyxl_reads_them() -> None:
    strings = sst(
        "<si><t>plain_x000D_escape</t></si>"
        "<si><t>double_x005F_x000D_escape</t></si>"
        '<si><t xml:space="preserve">  spaced  </t></si>'
        "<si><t/></si>"
        "<si><r><t>run</t></r><rPh sb='0' eb='1'><t>phonetic</t></rPh><phoneticPr fontId='1'/></si>"
        "<si><t>a&#13;&#10;b&amp;c&lt;d</t></si>"
        "<si><t><![CDATA[<!DOCTYPE not a dtd>]]></t></si>"
    )
    rows = (
        '<row r="1">'
        + "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDEFG"))
        + "</row>"
        '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> in_x0041_line </t></is></c>'
        '<c r="B2" t="inlineStr"><is><r><rPr><i/></rPr><t>ri</t></r><r><t>ch</t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></is></c>'
        '<c r="C2" t="inlineStr"><is><t/></is></c>'
        '<c r="D2" t="inlineStr"/>'
        '<c r="E2" t="inlineStr"><v>ignored</v></c>'
        '<c r="F2" t="str"><f>CONCAT("a","b")</f><v>ab</v></c>'
        '<c r="G2" t="str"><f>""</f><v></v></c>'
        '<c r="H2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="I2" t="b"><v>2</v></c>'
        "</row>"
    )
    read = assert_same(package(sheet(rows), strings=strings))
    assert read[0][1][:2] == (("str", "plain_x000D_escape"), ("str", "double_x000D_escape"))
    assert read[0][1][5] == ("str", "a\r\nb&c<d")
    assert read[1][1][:4] == (
        ("str", " in_x0041_line "),
        ("str", "rich"),
        ("str", ""),
        ("NoneType", None),
    )


def test_numbers_as_openpyxl_casts_them() -> None:
    texts = [
        "1E+308",
        "1.7976931348623157E+308",
        "4.9E-324",
        "-0",
        "007",
        "1e5",
        "-12",
        "0.1",
        "123456789012345678901234567890",
        "1E400",
        " 5 ",
        "2.0",
    ]
    cells = "".join(f"<c><v>{text}</v></c>" for text in texts)
    read = assert_same(package(sheet(f"<row>{cells}<c/><c><v></v></c></row>")))
    assert read[0][1][:3] == (
        ("float", 1e308),
        ("float", 1.7976931348623157e308),
        ("float", 5e-324),
    )
    assert read[0][1][4] == ("int", 7)


SERIALS = ["0", "0.5", "1", "1.5", "59", "60", "61", "43831.75", "0.999999999", "-1"]
LAST_DAY = {False: "2958465", True: "2957003"}  # 9999-12-31 in each date system


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_date_styled_numbers_with_the_1900_leap_year_bug(date1904: bool) -> None:
    rows = "".join(
        f'<row><c s="{style}"><v>{serial}</v></c><c s="{style}"><v>{serial}</v></c></row>'
        for serial in [*SERIALS, LAST_DAY[date1904]]
        for style in (1, 2, 3, 4)
    )
    iso = (
        '<row><c t="d"><v>2020-01-02T03:04:05Z</v></c><c t="d"><v>2020-01-02</v></c>'
        '<c t="d"><v>12:30:00</v></c><c s="2" t="n"><v>44000</v></c><c s=""><v>44000</v></c>'
        '<c s="2" t="s"><v>0</v></c></row>'
    )
    data = package(sheet(rows + iso), strings=sst("<si><t>문자</t></si>"), date1904=date1904)
    read = assert_same(data)
    kinds = {kind for _, values in read for kind, _value in values}
    assert kinds == {"datetime", "time", "timedelta", "date", "int", "str"}
    if not date1904:
        assert read[0][1][0] == ("time", time(0, 0))
        assert read[SERIALS.index("59") * 4][1][0] == ("datetime", datetime(1900, 2, 28))
        assert read[SERIALS.index("61") * 4][1][0] == ("datetime", datetime(1900, 3, 1))


def test_a_workbook_whose_default_style_is_a_date() -> None:
    rows = "<row><c><v>44000</v></c><c s='0'><v>1</v></c><c s=''><v>5</v></c></row>"
    assert assert_same(package(sheet(rows), style0_is_date=True))[0][1] == (
        ("datetime", datetime(2020, 6, 18)),
        ("datetime", datetime(1900, 1, 1)),
        ("int", 5),
    )


def test_formulas_with_and_without_saved_values() -> None:
    rows = (
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>A1</f></c>'
        '<c r="C1"><f t="shared" ref="C1:C2" si="0">A1*2</f><v>4</v></c>'
        '<c r="D1"><f t="array" ref="D1">SUM(A1:C1)</f><v>6.5</v></c></row>'
        '<row r="2"><c r="C2"><f t="shared" si="0"/><v>8</v></c></row>'
    )
    read = assert_same(package(sheet(rows)))
    assert read[0][1] == (("int", 2), ("NoneType", None), ("int", 4), ("float", 6.5))


def test_sparse_rows_and_columns() -> None:
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="F1"><v>6</v></c></row>'
        '<row r="40"><c r="Z40"><v>26</v></c></row>'
        '<row r="1000"><c r="XFD1000"><v>16384</v></c></row>'
        '<row r="1048576"><c r="ZZZ1048576"><v>18278</v></c></row>'
    )
    read = assert_same(package(sheet(rows)))
    assert [(n, len(values)) for n, values in read] == [
        (1, 6),
        (40, 26),
        (1000, 16384),
        (1048576, 18278),
    ]


def test_pretty_printed_xml_with_comments_and_instructions() -> None:
    rows = """
      <!-- a comment -->
      <row r="1">
        <c r="A1" t="s">
          <v>0</v>
        </c>
        <?some instruction?>
        <c r="B1" t="str"><v>  text with spaces  </v></c>
        <c r="C1" t="b"><v>1</v></c>
      </row>
    """
    read = assert_same(package(sheet(rows), strings=sst("\n  <si>\n <t>x</t>\n  </si>\n")))
    assert read == [(1, (("str", "x"), ("str", "  text with spaces  "), ("bool", True)))]


# --- not sure: openpyxl reads the sheet ----------------------------------------------------------

UNSURE = {
    "unknown cell type": '<row><c r="A1" t="q"><v>1</v></c></row>',
    "element in a row": '<row r="1"><c r="A1"><v>1</v></c><extLst/></row>',
    "element in a cell": '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>',
    "lower-case reference": '<row r="1"><c r="b1"><v>1</v></c></row>',
    "row number with a point": '<row r="2.0"><c r="A2"><v>1</v></c></row>',
    "two values": '<row r="1"><c r="A1"><v>1</v><v>2</v></c></row>',
    "element in a value": '<row r="1"><c r="A1"><v>1<x/></v></c></row>',
    "row in an inline string": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t><row r="5"/></is></c></row>'
    ),
}


def _as_the_importer_keeps_them(rows: Typed) -> Typed:
    """Trailing empty cells cut, rows left empty dropped (read_xlsx's rule)."""
    kept: Typed = []
    for number, values in rows:
        cells = list(values)
        while cells and (cells[-1][1] is None or str(cells[-1][1]).strip() == ""):
            cells.pop()
        if cells:
            kept.append((number, tuple(cells)))
    return kept


@pytest.mark.parametrize("rows", UNSURE.values(), ids=UNSURE.keys())
def test_what_it_is_not_sure_of_goes_to_openpyxl(rows: str, fallbacks: list[str]) -> None:
    data = package(sheet(rows))
    with pytest.raises(NotSure):
        grid_rows(data)
    raw = read_upload(data, "quirk.xlsx", limits=LIMITS)
    assert fallbacks == ["Sheet1"]
    assert _typed(iter(raw.rows)) == _as_the_importer_keeps_them(openpyxl_rows(data))


ODD_STRING_TABLES = {
    "item inside another element": "<extLst><si><t>b</t></si></extLst><si><t>a</t></si>",
    "item inside an item": "<si><r><t>a</t></r><si><t>b</t></si></si>",
}


@pytest.mark.parametrize("items", ODD_STRING_TABLES.values(), ids=ODD_STRING_TABLES.keys())
def test_odd_string_tables_go_to_openpyxl(items: str, fallbacks: list[str]) -> None:
    """openpyxl takes every si element, wherever it is, as the next string: here "b" first."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    data = package(sheet(rows), strings=sst(items))
    with pytest.raises(NotSure):
        grid_rows(data)
    raw = read_upload(data, "quirk.xlsx", limits=LIMITS)
    assert _typed(iter(raw.rows)) == _as_the_importer_keeps_them(openpyxl_rows(data))
    assert raw.rows == [(1, ("b",))] and fallbacks == ["Sheet1"]


def test_rows_outside_sheet_data_go_to_openpyxl(fallbacks: list[str]) -> None:
    after = '<sheetData><row r="9"><c r="A9"><v>9</v></c></row></sheetData>'
    data = package(sheet('<row r="1"><c r="A1"><v>1</v></c></row>', after=after))
    with pytest.raises(NotSure):
        grid_rows(data)
    assert read_upload(data, "quirk.xlsx", limits=LIMITS).rows == [(1, (1,)), (9, (9,))]
    assert fallbacks == ["Sheet1"]


def test_a_date_out_of_range_reads_as_openpyxl_warns(fallbacks: list[str]) -> None:
    data = package(sheet('<row r="1"><c r="A1" s="2"><v>1E10</v></c><c r="B1"><v>1</v></c></row>'))
    with pytest.raises(NotSure):
        grid_rows(data)
    with pytest.warns(UserWarning, match="outside the limits for dates"):
        raw = read_upload(data, "quirk.xlsx", limits=LIMITS)
    assert raw.rows == [(1, ("#VALUE!", 1))]
    assert fallbacks == ["Sheet1"]


BROKEN = {
    "string index out of range": '<row><c t="s"><v>3</v></c></row>',
    "reference without a row number": '<row r="1"><c r="B"><v>1</v></c></row>',
    "style that is not a number": '<row r="1"><c r="A1" s="x"><v>1</v></c></row>',
}


@pytest.mark.parametrize("rows", BROKEN.values(), ids=BROKEN.keys())
def test_what_openpyxl_fails_on_is_refused_as_before(rows: str, fallbacks: list[str]) -> None:
    data = package(sheet(rows), strings=sst("<si><t>a</t></si>"))
    with pytest.raises(NotSure):
        grid_rows(data)
    assert _refusal(data).key == "importer.refused.unreadable"
    assert fallbacks == ["Sheet1"]


def test_plain_workbooks_do_not_fall_back(fallbacks: list[str]) -> None:
    raw = read_upload(xlsx([["회사명", "설립일"], ["빛고을", date(2020, 5, 1)]]), "a.xlsx")
    assert raw.rows == [(1, ("회사명", "설립일")), (2, ("빛고을", datetime(2020, 5, 1)))]
    assert fallbacks == []


# --- random grids --------------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUES = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(["_x000D_", "_x005F_", "  ", "0", "1.5", "=A1", "TRUE", "#N/A"]),
    st.integers(-(10**17), 10**17),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)),
    st.times(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.lists(st.lists(VALUES, max_size=7), min_size=1, max_size=8),
    inline=st.booleans(),
    date1904=st.booleans(),
)
def test_random_grids_read_as_openpyxl_reads_them(
    grid: list[list[Any]], inline: bool, date1904: bool
) -> None:
    data = xlsxwriter_book(grid, constant_memory=inline, date_1904=date1904)
    assert grid_rows(data) == openpyxl_rows(data)


# --- XML with a DTD never reaches a parser -------------------------------------------------------


def test_expat_limits_entity_amplification() -> None:
    """The grid reader parses without defusedxml once the prolog check passed; Python's expat
    also stops entity expansion since 2.4.1 (a second line of defence)."""
    assert pyexpat.version_info >= (2, 4, 1)


DTD = BILLION_LAUGHS.split(b"?>", 1)[1]  # without its XML declaration


def _with_prolog(prolog: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    data = xlsx([["회사명"], ["빛고을"]])
    body = part(data, name)
    body = body[body.index(b"?>") + 2 :]
    return rezip(data, replace={name: prolog + body.replace(b"<v>", b"<v>&lol9;", 1)})


def _refusal(data: bytes) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        read_upload(data, "bomb.xlsx", limits=LIMITS)
    return refused.value


def test_a_dtd_after_comments_is_refused() -> None:
    prolog = b'<?xml version="1.0"?>\n<!--' + b" " * 20_000 + b"-->\n<?pi x?>" + DTD
    error = _refusal(_with_prolog(prolog))
    assert (error.key, error.params) == (
        "importer.refused.xml_entities",
        {"part": "xl/worksheets/sheet1.xml"},
    )
    assert "DTD" in error.message("en")


def test_a_prolog_longer_than_the_limit_is_refused() -> None:
    prolog = b'<?xml version="1.0"?>\n<!--' + b" " * 70_000 + b"-->" + DTD
    error = _refusal(_with_prolog(prolog))
    assert error.key == "importer.refused.xml_prolog"
    assert error.params == {"part": "xl/worksheets/sheet1.xml"}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_dtd_in_utf16_is_refused(codec: str) -> None:
    data = xlsx([["회사명"], ["빛고을"]])
    body = part(data, "xl/sharedStrings.xml").decode()
    body = body.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    body = body.replace("?>", "?>" + DTD.decode(), 1)
    bombed = rezip(data, replace={"xl/sharedStrings.xml": body.encode(codec)})
    error = _refusal(bombed)
    assert (error.key, error.params["part"]) == (
        "importer.refused.xml_entities",
        "xl/sharedStrings.xml",
    )


def test_markup_that_only_looks_like_a_dtd_after_the_root_is_read() -> None:
    strings = sst("<si><t><![CDATA[<!DOCTYPE x [<!ENTITY y 'z'>]>]]></t></si>")
    data = package(sheet('<row><c t="s"><v>0</v></c></row>'), strings=strings)
    raw = read_upload(data, "cdata.xlsx", limits=LIMITS)
    assert raw.rows == [(1, ("<!DOCTYPE x [<!ENTITY y 'z'>]>",))]


def test_a_bomb_in_the_string_table_is_stopped_without_the_prolog_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With our check switched off the grid reader's expat gives up on the expansion, and
    openpyxl (through defusedxml) refuses the file."""
    monkeypatch.setattr(xlsx_module, "_check_prolog", lambda zf, name: None)
    data = xlsx([["회사명"], ["빛고을"]])
    body = part(data, "xl/sharedStrings.xml")
    body = body[body.index(b"?>") + 2 :].replace(b"<t>", b"<t>&lol9;", 1)
    error = _refusal(rezip(data, replace={"xl/sharedStrings.xml": BILLION_LAUGHS + body}))
    assert (error.key, error.params) == (
        "importer.refused.xml_entities",
        {"part": "EntitiesForbidden"},
    )


def test_a_dtd_in_a_string_table_not_named_xml_is_refused() -> None:
    """The shared strings are found by their content type, so the part may be called anything;
    the grid reader parses it without defusedxml, so it is checked whatever its name."""
    data = xlsx([["회사명"], ["빛고을"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name, body = info.filename, source.read(info.filename)
            if name == "xl/sharedStrings.xml":
                name = "xl/sharedStrings.dat"
                head, rest = body.split(b"?>", 1)
                dtd = b'<!DOCTYPE sst [<!ENTITY e "EXPANDED">]>'
                body = head + b"?>" + dtd + rest.replace("빛고을".encode(), b"&e;")
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                body = body.replace(b"sharedStrings.xml", b"sharedStrings.dat")
            target.writestr(name, body)
    error = _refusal(out.getvalue())
    assert (error.key, error.params) == (
        "importer.refused.xml_entities",
        {"part": "xl/sharedStrings.dat"},
    )
