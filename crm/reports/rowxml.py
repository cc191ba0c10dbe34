"""Rows streamed straight into a constant-memory XlsxWriter worksheet, one write per row.

XlsxWriter spends ~4 µs on every cell (argument checks, a cell tuple, attribute lists, several
small file writes); over the report's ~750,000 cells that was most of its build time. In
constant-memory mode it writes each finished row as `<row>` XML to a temporary file, so a table
of plain numbers and text can write the same XML itself, in one string per row, after XlsxWriter
has flushed whatever row it held. The XML is byte-for-byte what XlsxWriter writes for the same
cells (tests/unit/test_report_rowxml.py compares the two for the installed XlsxWriter version);
anything this module does not handle goes through XlsxWriter's own calls instead."""

from __future__ import annotations

import re
from datetime import date

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# What XlsxWriter escapes in inline strings: literal "_xHHHH_" (Excel would decode it), the
# control characters XML cannot hold, U+FFFE/U+FFFF, and the XML specials & < >.
_NEEDS_ESCAPE = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff&<>]")
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE = re.compile(r"^\s")
_TRAILING_SPACE = re.compile(r"\s$")
_EXACT = 2**53  # ints below this are exact as floats
_MAX_UNITS = 32_767  # the most UTF-16 code units an Excel cell holds


def inline_text(value: str) -> tuple[str, bool]:
    """The text of a `<t>` element and whether it needs xml:space="preserve", escaped as
    XlsxWriter's constant-memory mode does (Excel's _xHHHH_ escapes first, then XML's)."""
    if not _NEEDS_ESCAPE.search(value):
        return value, bool(_LEADING_SPACE.search(value) or _TRAILING_SPACE.search(value))
    value = _LITERAL_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = bool(_LEADING_SPACE.search(value) or _TRAILING_SPACE.search(value))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


def can_stream(worksheet: Worksheet) -> bool:
    """Rows can be streamed only into constant-memory sheets of the Excel 2007 flavour (whose
    `<row>` element carries nothing but its number)."""
    return bool(worksheet.constant_memory) and worksheet.excel_version == 2007


class RowStream:
    """Collects one row's cells as XML, then appends the row to the worksheet's row file.

    Use: `begin(r)`, then `number`/`text`/`date` per cell in column order, then `end()`.
    A row must come after every row already written, as in constant-memory mode generally."""

    def __init__(self, worksheet: Worksheet) -> None:
        if not can_stream(worksheet):
            raise ValueError("rows can only be streamed into a constant_memory worksheet")
        self.ws = worksheet
        self._starts: dict[tuple[int, int], tuple[str, str]] = {}
        self._parts: list[str] = []
        self._ref = ""
        self._row = -1
        self._first = self._last = -1

    def usable_for(self, row: int) -> bool:
        """False for rows with their own height or format (set_row), which XlsxWriter writes."""
        return row not in self.ws.row_info

    def begin(self, row: int) -> None:
        """Start a row: XlsxWriter first writes out the row it holds (so that formats get their
        numbers in the order XlsxWriter itself would give them)."""
        ws = self.ws
        if row >= ws.xls_rowmax:
            raise ValueError(f"row {row} is beyond the worksheet's last row")
        if row > ws.previous_row:
            ws._write_single_row(row)
        elif row < ws.previous_row or ws.table.get(row):
            raise ValueError(f"row {row} comes before rows already written")
        self._row, self._ref = row, str(row + 1)
        self._parts = []
        self._first = self._last = -1

    def _cell_start(self, col: int, cell_format: Format | None) -> tuple[str, str]:
        """The column's letters and the cell's style attribute (cell format, else the column's,
        as XlsxWriter picks them), worked out once per column and format."""
        key = (col, id(cell_format))
        found = self._starts.get(key)
        if found is None:
            if cell_format is None:
                column = self.ws.col_info.get(col)
                cell_format = column.column_format if column is not None else None
            if col >= self.ws.xls_colmax:
                raise ValueError(f"column {col} is beyond the worksheet's last column")
            style = "" if cell_format is None else f' s="{cell_format._get_xf_index()}"'
            found = self._starts[key] = (xl_col_to_name(col), style)
        return found

    def _open_cell(self, col: int, cell_format: Format | None) -> str:
        """`<c r="B7" s="3"` for a cell of this row (the row's extent noted on the way)."""
        if not self._parts:
            self._first = col
        self._last = col
        letters, style = self._starts.get((col, id(cell_format))) or self._cell_start(
            col, cell_format
        )
        return f'<c r="{letters}{self._ref}"{style}'

    def number(self, col: int, value: float, cell_format: Format | None) -> None:
        """A finite int or float (the caller checks), as `write_number` stores it."""
        # XlsxWriter formats with ".16G" (through float); for an int below 2**53 that is its
        # decimal digits, which str() gives faster.
        shown = str(value) if type(value) is int and -_EXACT < value < _EXACT else f"{value:.16G}"
        self._parts.append(f"{self._open_cell(col, cell_format)}><v>{shown}</v></c>")

    def date(self, col: int, value: date, cell_format: Format | None) -> None:
        """A date or timestamp as its Excel serial number, as `write_datetime` stores it."""
        self.number(col, self.ws._convert_date_time(value), cell_format)

    def text(self, col: int, value: str, cell_format: Format | None) -> None:
        """Text as an inline string (constant-memory mode has no shared-string table), cut to
        Excel's 32,767 UTF-16 units as XlsxWriter cuts it."""
        if len(value) > _MAX_UNITS // 2 and len(value.encode("utf-16-le")) > 2 * _MAX_UNITS:
            value = value.encode("utf-16-le")[: 2 * _MAX_UNITS].decode("utf-16-le", "ignore")
        text, preserve = inline_text(value)
        space = ' xml:space="preserve"' if preserve else ""
        self._parts.append(
            f'{self._open_cell(col, cell_format)} t="inlineStr"><is><t{space}>{text}</t></is></c>'
        )

    def end(self) -> None:
        """Append the row and record its extent in the sheet's dimensions, as XlsxWriter's own
        cell calls do."""
        if not self._parts:
            return
        ws, row = self.ws, self._row
        ws._check_dimensions(row, self._first)
        ws._check_dimensions(row, self._last)
        ws.fh.write(f'<row r="{self._ref}">{"".join(self._parts)}</row>')
        self._parts = []
        # The row is written: XlsxWriter must now treat it as it treats its own written rows
        # (a later cell or set_row for it is refused), not as the row it still holds.
        ws.previous_row = row + 1
