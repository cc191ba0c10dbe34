"""Typed, streamed tables on XlsxWriter worksheets: formats, header, rows, totals, widths, printing.

Rows are written in order (the workbook is in constant-memory mode), each cell with the typed call
for its column: user text always through `write_string`, so no typed text becomes a formula."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from crm.reports.cells import clean_text, display_width, looks_like_formula

WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
HEADER_WIDTH_CAP = 16  # longer headers wrap onto more lines instead of widening the column
MAX_WIDTH = 60
ROW_HEIGHT = 15
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


class Cell(StrEnum):
    TEXT = "text"
    ID = "id"
    INT = "int"
    DECIMAL = "decimal"
    KRW = "krw"
    DATE = "date"
    DATETIME = "datetime"
    PCT = "pct"


class Total(StrEnum):
    NONE = "none"
    SUM = "sum"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    header: str
    cell: Cell = Cell.TEXT
    total: Total = Total.NONE
    min_width: int = 6
    wrap: bool = False


_NUMBER_FORMATS = {
    Cell.ID: "0",
    Cell.INT: "#,##0",
    Cell.DECIMAL: "#,##0.0",
    Cell.KRW: "#,##0",
    Cell.DATE: DATE_FORMAT,
    Cell.DATETIME: DATETIME_FORMAT,
    Cell.PCT: "0.0%",
}
_FIXED_WIDTHS = {Cell.DATE: 10, Cell.DATETIME: 16, Cell.PCT: 7}


class Formats:
    """One set of cell formats per workbook (Excel stores each distinct format once)."""

    def __init__(self, workbook: Workbook) -> None:
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.section = add({"bold": True, "font_size": 12})
        self.header = add(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "top",
            }
        )
        self.text: Format | None = None
        self.quoted = add({"quote_prefix": True})
        self.wrapped = add({"text_wrap": True, "valign": "top"})
        self.cells = {cell: add({"num_format": f}) for cell, f in _NUMBER_FORMATS.items()}
        total = {"bold": True, "top": 1, "bg_color": "#F2F2F2"}
        self.total_label = add(total)
        self.total_blank = add(total)
        self.totals = {cell: add({**total, "num_format": f}) for cell, f in _NUMBER_FORMATS.items()}


def excel_datetime(value: date) -> date:
    """Excel has no time zones: aware timestamps are shown in UTC."""
    if isinstance(value, datetime) and value.tzinfo:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


# Rich text that XlsxWriter's constant-memory mode would copy into the sheet's XML unescaped.
_RICH_TEXT_START, _RICH_TEXT_END = "<r>", "</r>"
_NUMBER_CELLS = frozenset({Cell.ID, Cell.INT, Cell.DECIMAL, Cell.KRW, Cell.PCT})
_DATE_CELLS = frozenset({Cell.DATE, Cell.DATETIME})
CellWriter = Callable[[int, int, Any], None]
_TEXT_CACHE_SIZE = 50_000  # distinct texts remembered per table (names and labels repeat)


def finite_number(value: Any) -> int | float | None:
    """An int or finite float for a number cell (Decimal sums from PostgreSQL included), else
    None (text, NaN, infinity, bool)."""
    kind = type(value)
    if kind is Decimal:
        if not value.is_finite():
            return None
        value = int(value) if value == value.to_integral_value() else float(value)
        kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        return value
    return None


class TableWriter:
    """A header row, then data rows, then an optional totals row, starting at row `top`.

    Each column gets its typed XlsxWriter call once (`write_number`, `write_datetime` or
    `write_string`, with the column's format); a row then hands each value to its column."""

    def __init__(
        self,
        worksheet: Worksheet,
        formats: Formats,
        columns: Sequence[Column],
        *,
        top: int = 0,
        divisor: int = 1,
    ) -> None:
        self.ws = worksheet
        self.formats = formats
        self.columns = list(columns)
        self.cells = [c.cell for c in columns]
        self.text_formats = [formats.wrapped if c.wrap else formats.text for c in columns]
        self.divisor = divisor
        self.header_row = top
        self.first_data_row = top + 1
        self.row = top
        self.widths = [
            max(
                c.min_width,
                _FIXED_WIDTHS.get(c.cell, 0),
                min(display_width(c.header), HEADER_WIDTH_CAP),
            )
            for c in columns
        ]
        self.sums: list[Any] = [0] * len(columns)
        self.counts = [0] * len(columns)
        self.largest: list[Any] = [0] * len(columns)
        self.data_rows = 0
        self._writers: dict[tuple[Cell, ...], list[CellWriter]] = {}
        self._texts: dict[str, tuple[str, bool, int]] = {}

    @property
    def last_data_row(self) -> int:
        """The last data row (the first data row when there is none, for valid ranges)."""
        return self.first_data_row + max(self.data_rows - 1, 0)

    def write_header(self) -> None:
        lines = max(
            math.ceil(display_width(c.header) / w)
            for c, w in zip(self.columns, self.widths, strict=True)
        )
        if lines > 1:
            self.ws.set_row(self.header_row, ROW_HEIGHT * lines)
        for c, column in enumerate(self.columns):
            self.ws.write_string(self.header_row, c, column.header, self.formats.header)
        self.row = self.first_data_row

    def write_row(self, values: Sequence[Any], cells: Sequence[Cell] | None = None) -> None:
        """One data row; None leaves a cell empty. KRW values are won, shown in the unit.
        `cells` overrides the columns' cell types for this row (tables of mixed measures).
        Anything that is not a finite number in a number column, or a date in a date column, is
        written as text."""
        kinds = tuple(cells) if cells else tuple(self.cells)
        writers = self._writers.get(kinds) or self._column_writers(kinds)
        r = self.row
        for c, value in enumerate(values):
            if value is not None:
                writers[c](r, c, value)
        self.row = r + 1
        self.data_rows += 1

    def _column_writers(self, kinds: tuple[Cell, ...]) -> list[CellWriter]:
        writers = [self._writer_for(kind) for kind in kinds]
        self._writers[kinds] = writers
        return writers

    def _writer_for(self, kind: Cell) -> CellWriter:
        """The one call a column's values go through, chosen once per column."""
        cell_format = self.formats.cells.get(kind)
        if kind in _NUMBER_CELLS:
            return self._number_writer(cell_format, self.divisor if kind is Cell.KRW else 1)
        if kind in _DATE_CELLS:
            return self._date_writer(cell_format)
        return self._any_as_text

    def _number_writer(self, cell_format: Format | None, divisor: int) -> CellWriter:
        write_number = self.ws.write_number
        sums, counts, largest = self.sums, self.counts, self.largest

        def number(r: int, c: int, value: Any) -> None:
            if type(value) is not int:  # ints, the common case, need no checks
                checked = finite_number(value)
                if checked is None:
                    self._any_as_text(r, c, value)
                    return
                value = checked
            write_number(r, c, value / divisor if divisor != 1 else value, cell_format)
            sums[c] += value
            counts[c] += 1
            if value > largest[c]:
                largest[c] = value

        return number

    def _date_writer(self, cell_format: Format | None) -> CellWriter:
        write_datetime = self.ws.write_datetime

        def day(r: int, c: int, value: Any) -> None:
            if isinstance(value, date):
                write_datetime(r, c, excel_datetime(value), cell_format)
            else:
                self._any_as_text(r, c, value)

        return day

    def _any_as_text(self, r: int, c: int, value: Any) -> None:
        self._text(r, c, value if type(value) is str else str(value))

    def _text(self, r: int, c: int, value: str) -> None:
        """User text, always through `write_string`: formula-like text gets a quote prefix, and
        text shaped like rich-text XML is split into plain runs so that it stays literal text.
        Repeated values (names, labels) are prepared once."""
        prepared = self._texts.get(value)
        if prepared is None:
            prepared = self._prepare(value)
        text, quoted, width = prepared
        if not text:
            return
        cell_format = self.formats.quoted if quoted else self.text_formats[c]
        if text.startswith(_RICH_TEXT_START) and text.endswith(_RICH_TEXT_END):
            # XlsxWriter needs three runs at least; they join back into the same text.
            runs = (text[:1], text[1:2], text[2:])
            self.ws.write_rich_string(r, c, *runs, *([cell_format] if cell_format else []))
        else:
            self.ws.write_string(r, c, text, cell_format)
        if width > self.widths[c]:
            self.widths[c] = width

    def _prepare(self, value: str) -> tuple[str, bool, int]:
        if len(self._texts) >= _TEXT_CACHE_SIZE:
            self._texts.clear()
        text = clean_text(value)
        prepared = self._texts[value] = (text, looks_like_formula(text), display_width(text))
        return prepared

    def total_value(self, c: int) -> float | int:
        """What the totals row shows for column c (in the display unit)."""
        column = self.columns[c]
        if column.total is Total.COUNT:
            return self.counts[c]
        total = self.sums[c]
        if column.cell is Cell.KRW and self.divisor != 1:
            return total / self.divisor
        return total

    def column_range(self, c: int) -> str:
        first = xl_rowcol_to_cell(self.first_data_row, c)
        last = xl_rowcol_to_cell(self.last_data_row, c)
        return f"{first}:{last}"

    def write_totals(
        self,
        label: str,
        *,
        label_col: int = 0,
        values: dict[int, Any] | None = None,
        ratios: dict[int, tuple[int, int]] | None = None,
    ) -> int:
        """A totals row: SUM/COUNT formulas over the data rows, each with its computed value cached
        (readers that do not recalculate, and pandas, see the total). `values` are plain numbers
        (e.g. distinct counts, which no SUM gives); `ratios` are numerator/denominator columns
        of this row. Returns the row."""
        ws, r, f = self.ws, self.row, self.formats
        values, ratios = values or {}, ratios or {}
        cached: dict[int, float | int] = {}
        ws.write_string(r, label_col, label, f.total_label)
        for c, column in enumerate(self.columns):
            if c == label_col or c in ratios:
                continue
            total_format = f.totals.get(column.cell, f.total_blank)
            if c in values:
                cached[c] = values[c]
                ws.write_number(r, c, values[c], total_format)
            elif column.total is Total.NONE:
                ws.write_blank(r, c, None, f.total_blank)
            elif self.data_rows == 0:
                cached[c] = 0
                ws.write_number(r, c, 0, total_format)
            else:
                cached[c] = self.total_value(c)
                function = "SUM" if column.total is Total.SUM else "COUNT"
                ws.write_formula(
                    r, c, f"={function}({self.column_range(c)})", total_format, cached[c]
                )
        for c, (num, den) in ratios.items():
            top, bottom = xl_rowcol_to_cell(r, num), xl_rowcol_to_cell(r, den)
            share = cached.get(num, 0) / cached[den] if cached.get(den) else 0
            formula = f"=IF({bottom}=0,0,{top}/{bottom})"
            ws.write_formula(r, c, formula, f.totals.get(self.columns[c].cell), share)
        self.row = r + 1
        return r

    def final_widths(self, max_width: int = MAX_WIDTH) -> list[int]:
        out = []
        for c, column in enumerate(self.columns):
            width = self.widths[c]
            if column.cell in (Cell.INT, Cell.KRW, Cell.DECIMAL, Cell.ID):
                # The totals row shows the sum, so the column must fit it as well.
                biggest = max(
                    self.largest[c], abs(self.sums[c]) if column.total is not Total.NONE else 0
                )
                shown = biggest / (self.divisor if column.cell is Cell.KRW else 1)
                digits = len(f"{shown:,.0f}") + (2 if column.cell is Cell.DECIMAL else 0)
                width = max(width, digits + 1)
            out.append(min(width + 2, max_width))
        return out


def set_widths(worksheet: Worksheet, widths: Sequence[int]) -> None:
    for c, width in enumerate(widths):
        worksheet.set_column(c, c, width)


def print_setup(worksheet: Worksheet, *, header_row: int | None, title: str) -> None:
    """Landscape A4, one page wide, the header row on every page, page numbers in the footer."""
    worksheet.set_landscape()
    worksheet.set_paper(9)
    worksheet.fit_to_pages(1, 0)
    worksheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    worksheet.set_header("&L" + title.replace("&", "&&"))
    worksheet.set_footer("&C&P / &N")
    if header_row is not None:
        worksheet.repeat_rows(header_row)


def finish_table(
    worksheet: Worksheet, table: TableWriter, *, title: str, freeze_cols: int = 0
) -> None:
    """Frozen header, autofilter over the data rows, widths and print set-up for a detail sheet."""
    worksheet.freeze_panes(table.first_data_row, freeze_cols)
    worksheet.autofilter(table.header_row, 0, table.last_data_row, len(table.columns) - 1)
    set_widths(worksheet, table.final_widths())
    print_setup(worksheet, header_row=table.header_row, title=title)
