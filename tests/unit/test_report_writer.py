"""The report writer on hand-built data: typed cells, safe text, cached totals, layout."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zipfile import ZipFile

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from xlsxwriter.workbook import Workbook

from crm.reports.cells import (
    clean_text,
    display_width,
    looks_like_formula,
    sheet_title,
    with_unit,
)
from crm.reports.writer import (
    WORKBOOK_OPTIONS,
    Cell,
    Column,
    Formats,
    TableWriter,
    Total,
    finish_table,
    finite_number,
)

INJECTION = '=HYPERLINK("http://x","y")'
COLUMNS = [
    Column("ID", Cell.ID),
    Column("기업명", Cell.TEXT),
    Column("시작일", Cell.DATE),
    Column("금액", Cell.KRW, Total.SUM),
    Column("시간", Cell.DECIMAL, Total.SUM),
    Column("건수", Cell.INT, Total.SUM),
    Column("기록 시각", Cell.DATETIME),
]
ROWS = [
    [1, "빛고을에이아이 (가상)", date(2022, 7, 1), 1_234_567, 2.5, 3, datetime(2022, 7, 1, 9, 30)],
    [2, INJECTION, date(2022, 8, 15), 2_000_000, 4.0, 1, datetime(2022, 8, 15, 0, 0, tzinfo=UTC)],
    [3, "A\x01B\x0bC\x1fD", date(2022, 9, 30), 500, None, 0, None],
    [4, "+82 10 0000", None, 0, 1.25, 2, None],
    [5, "-minus", None, 7, None, None, None],
    [6, "@at", None, 0, None, None, None],
    [7, "\tTabbed", None, 0, None, None, None],
]
TOTAL_WON = 1_234_567 + 2_000_000 + 500 + 7


def _build(path: Path, divisor: int = 1, rows: list[list[object]] = ROWS) -> TableWriter:
    workbook = Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("기업")
    table = TableWriter(sheet, Formats(workbook), COLUMNS, divisor=divisor)
    table.write_header()
    for row in rows:
        table.write_row(row)
    table.write_totals("합계")
    finish_table(sheet, table, title="기업", freeze_cols=1)
    workbook.close()
    return table


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "table.xlsx"
    _build(path, divisor=1_000)
    return path


def test_formula_like_text_is_written_as_text(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["기업"]
    cell = ws["B3"]
    assert cell.value == INJECTION
    assert cell.data_type == "s"
    assert cell.quotePrefix is True  # editing the cell in Excel keeps it text
    for ref, text in (("B5", "+82 10 0000"), ("B6", "-minus"), ("B7", "@at"), ("B8", "\tTabbed")):
        assert (ws[ref].value, ws[ref].data_type, ws[ref].quotePrefix) == (text, "s", True)
    assert ws["B2"].quotePrefix is False
    with ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    # The only formulas in the sheet are the totals row's.
    assert xml.count("<f>") == 3
    assert "HYPERLINK" not in xml.split("<f>", 1)[1]
    frame = pd.read_excel(book, sheet_name="기업")
    assert frame.loc[1, "기업명"] == INJECTION


def test_control_characters_removed(book: Path) -> None:
    assert openpyxl.load_workbook(book)["기업"]["B4"].value == "ABCD"
    assert clean_text("a\x00b\x08c\td\ne\rf\ud800g\uffff") == "abc\td\ne\rfg"


def test_totals_are_formulas_with_cached_values(book: Path) -> None:
    formulas = openpyxl.load_workbook(book)["기업"]
    cached = openpyxl.load_workbook(book, data_only=True)["기업"]
    assert formulas["A9"].value == "합계"
    assert formulas["D9"].value == "=SUM(D2:D8)"
    assert formulas["E9"].value == "=SUM(E2:E8)"
    assert formulas["F9"].value == "=SUM(F2:F8)"
    assert cached["D9"].value == pytest.approx(TOTAL_WON / 1_000)
    assert cached["E9"].value == pytest.approx(7.75)
    assert cached["F9"].value == 6
    # pandas reads the cached values (it never recalculates), and they equal the column sums.
    frame = pd.read_excel(book, sheet_name="기업")
    data, total = frame.iloc[:-1], frame.iloc[-1]
    assert total["ID"] == "합계"
    assert total["금액"] == pytest.approx(data["금액"].sum()) == pytest.approx(TOTAL_WON / 1_000)
    assert total["시간"] == pytest.approx(data["시간"].sum())
    assert total["건수"] == data["건수"].sum() == 6


def test_units_and_number_formats(tmp_path: Path) -> None:
    for divisor in (1, 1_000, 1_000_000):
        path = tmp_path / f"unit{divisor}.xlsx"
        _build(path, divisor=divisor)
        ws = openpyxl.load_workbook(path)["기업"]
        assert ws["D2"].value == pytest.approx(1_234_567 / divisor)
        assert ws["D2"].number_format == "#,##0"
        assert ws["F2"].number_format == "#,##0"
        assert ws["E2"].number_format == "#,##0.0"
        assert ws["A2"].number_format == "0"
    assert with_unit("집행액 (분기)", "천원") == "집행액 (분기, 천원)"
    assert with_unit("Budget", "KRW million") == "Budget (KRW million)"


def test_real_dates_and_utc_timestamps(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["기업"]
    assert ws["C2"].value == datetime(2022, 7, 1)
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["G2"].value == datetime(2022, 7, 1, 9, 30)
    assert ws["G3"].value == datetime(2022, 8, 15, 0, 0)  # aware UTC stored as UTC wall time
    assert ws["G2"].number_format == "yyyy-mm-dd hh:mm"
    frame = pd.read_excel(book, sheet_name="기업")
    assert frame.loc[0, "시작일"] == pd.Timestamp("2022-07-01")


def test_header_freeze_filter_widths_and_print_setup(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["기업"]
    header = ws["B1"]
    assert header.value == "기업명"
    assert header.font.b is True
    assert header.fill.fill_type == "solid"
    assert header.fill.fgColor.rgb == "FFDDEBF7"
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:G8"  # header and data, not the totals row
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, omitted by XlsxWriter
    assert ws.page_setup.fitToHeight == 0
    # "빛고을에이아이 (가상)": 9 Hangul (two columns each) + 3 narrow = 21 columns of text.
    assert display_width("빛고을에이아이 (가상)") == 21
    assert ws.column_dimensions["B"].width >= 21
    assert ws.column_dimensions["B"].width < 40


def test_empty_table_totals_are_zero(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    table = _build(path, rows=[])
    assert table.data_rows == 0
    ws = openpyxl.load_workbook(path)["기업"]
    assert ws["A2"].value == "합계"
    assert ws["D2"].value == 0
    assert ws.auto_filter.ref == "A1:G2"


def test_non_numeric_values_in_numeric_columns_become_text(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xlsx"
    table = _build(path, rows=[[1, "x", "2022-13-01", "lots", "=1+1", 2, None]])
    ws = openpyxl.load_workbook(path)["기업"]
    assert (ws["C2"].value, ws["D2"].value, ws["E2"].value) == ("2022-13-01", "lots", "=1+1")
    assert ws["E2"].data_type == "s"
    assert table.total_value(3) == 0


def test_helpers() -> None:
    assert looks_like_formula("=1") and looks_like_formula("\r") and not looks_like_formula("a=1")
    assert display_width("abc") == 3
    assert display_width("ＡＢ") == 4  # full-width Latin counts double too
    used: set[str] = set()
    assert sheet_title("a/b:c*d?[e]", used) == "a b c d  e"
    assert sheet_title("요약", used) == "요약"
    assert sheet_title("요약", used) == "요약 (2)"
    assert len(sheet_title("x" * 40, used)) == 31


def _one_sheet(path: Path, columns: list[Column], rows: list[list[object]]) -> None:
    workbook = Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("S")
    table = TableWriter(sheet, Formats(workbook), columns, divisor=1000)
    table.write_header()
    sheet.set_row(2, 30)  # a row with its own height goes through the same calls
    for row in rows:
        table.write_row(row)
    workbook.close()


def test_hostile_text_stays_literal_text(tmp_path: Path) -> None:
    """Text shaped like rich-text XML, like a formula or a link, and text past Excel's cell limit
    (32,767 UTF-16 units, emoji count two) reach the sheet as plain text, cut at the limit."""
    path = tmp_path / "hostile.xlsx"
    long_emoji, split_pair = "😀" * 20_000, "ab" + "😀" * 16_383
    rows: list[list[object]] = [
        ["<r><t>injected</t></r>"],
        ["<r></is></c></row><row r='9'></r>"],
        ["http://example.com"],
        [long_emoji],
        [split_pair],
        ["_x0041_ & <b>"],
    ]
    _one_sheet(path, [Column("text", Cell.TEXT)], rows)
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == "<r><t>injected</t></r>"
    assert ws["A3"].value == "<r></is></c></row><row r='9'></r>"
    assert ws["A4"].value == "http://example.com"
    assert ws["A4"].hyperlink is None
    assert len(ws["A5"].value.encode("utf-16-le")) == 2 * 32_766  # 16,383 whole pairs fit
    assert ws["A5"].value == "😀" * 16_383
    assert ws["A6"].value == "ab" + "😀" * 16_382  # the cut never splits a surrogate pair
    # openpyxl does not undo Excel's escape of a literal "_x0041_"; calamine (and Excel) do.
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[6] == [
        "_x0041_ & <b>"
    ]
    assert all(ws[f"A{r}"].data_type == "s" for r in range(2, 8))


def test_cells_keep_their_types_and_formats_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "typed.xlsx"
    columns = [
        Column("id", Cell.ID),
        Column("name", Cell.TEXT),
        Column("krw", Cell.KRW),
        Column("day", Cell.DATE),
    ]
    rows: list[list[object]] = [
        [1, "=1+1", 1_500_000, date(2022, 7, 1)],
        [2, " 가상 기업 ", 0, datetime(2022, 9, 30, 12, 0)],
        [3, None, float("nan"), "not a date"],
        [4, "이전", 5, date(1900, 1, 15)],  # before March 1900: Excel's leap-year bug applies
    ]
    _one_sheet(path, columns, rows)
    ws = openpyxl.load_workbook(path).active
    cells = [[(c.value, c.number_format) for c in row] for row in ws.iter_rows(min_row=2)]
    assert cells[0] == [
        (1, "0"),
        ("=1+1", "General"),
        (1500, "#,##0"),
        (datetime(2022, 7, 1), "yyyy-mm-dd"),
    ]
    assert ws["B2"].quotePrefix and ws["B2"].data_type == "s"
    assert cells[1][1] == (" 가상 기업 ", "General")
    assert cells[1][3] == (datetime(2022, 9, 30, 12, 0), "yyyy-mm-dd")
    assert cells[2][2] == ("nan", "General")  # not a finite number: kept, as text
    assert cells[2][3] == ("not a date", "General")
    assert cells[3][3] == (datetime(1900, 1, 15), "yyyy-mm-dd")
    assert ws.row_dimensions[3].height == 30


def test_number_cells_take_finite_numbers_only() -> None:
    assert finite_number(Decimal("1500")) == 1500 and type(finite_number(Decimal("1500"))) is int
    assert finite_number(Decimal("2.5")) == 2.5
    assert finite_number(7) == 7 and finite_number(0.5) == 0.5
    for refused in (Decimal("NaN"), float("nan"), float("inf"), True, "12", None):
        assert finite_number(refused) is None
