"""Fill a funder's .xlsx form in place with openpyxl: single cells, and tables that grow or shrink.

A table is a template row (the first data row, styled by the funder) and the rows the form gives it
(`row_count`, often a few numbered empty rows). Filling makes it exactly as many rows as there are
values (at least one): new rows copy the template row's styles, height, merged cells, per-row
formulas and validations; everything below moves with it; formulas, names, validations, merged
ranges, print areas and filters that point below the table or at its last row follow. Formulas'
cached values are written after saving (crm.funder.cached) so totals show before recalculation."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.translate import Translator
from openpyxl.styles import NamedStyle
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from crm.funder.cached import write_cached_values
from crm.funder.refs import RowShift, shift_formula, shift_reference, shift_sqref
from crm.reports.cells import clean_text, looks_like_formula


@dataclass(frozen=True)
class TableFill:
    """Values for one table: `rows[i][j]` goes to column `columns[j]` of the i-th table row."""

    sheet: str
    first_row: int
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    row_count: int = 1


@dataclass(frozen=True)
class Placed:
    """Where a table's rows landed after every resize: first..last."""

    sheet: str
    first_row: int
    last_row: int


@dataclass
class FillOutcome:
    content: bytes
    tables: list[Placed] = field(default_factory=list)


def load_template(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data), rich_text=True)


def write_value(cell: Any, value: Any) -> None:
    """A value as data: text that looks like a formula stays text (and shows as typed)."""
    if value is None or type(value) is int or type(value) is float:
        cell.value = value
        return
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        if looks_like_formula(text):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    if isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, int | float | date | datetime) or value is None:
        cell.value = value
        return
    cell.value = clean_text(str(value))


def _formulas(wb: Workbook, shift: RowShift) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.value = shift_formula(cell.value, shift, ws.title)


def _names(wb: Workbook, shift: RowShift) -> None:
    holders = [wb.defined_names, *(ws.defined_names for ws in wb.worksheets)]
    for names in holders:
        for name in names.values():
            text = name.attr_text
            if text and not text.startswith("#"):
                name.attr_text = shift_formula(f"={text}", shift, None)[1:]


def _print_area(ws: Worksheet, shift: RowShift) -> None:
    area = ws.print_area
    if not area:
        return
    parts = [shift_reference(p, shift, ws.title) for p in str(area).split(",")]
    ws.print_area = [p.rpartition("!")[2].replace("$", "") for p in parts]


def _validations(ws: Worksheet, shift: RowShift) -> None:
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange(shift_sqref(str(dv.sqref), shift))


def _conditional_formats(ws: Worksheet, shift: RowShift) -> None:
    moved = ConditionalFormattingList()
    for formatting in ws.conditional_formatting:
        ranges = shift_sqref(str(formatting.sqref), shift)
        for rule in formatting.rules:
            moved.add(ranges, rule)
    ws.conditional_formatting = moved


def _heights(ws: Worksheet, shift: RowShift) -> None:
    saved = {
        r: (d.height, d.hidden) for r, d in list(ws.row_dimensions.items()) if r >= shift.first
    }
    for r in saved:
        del ws.row_dimensions[r]
    template = saved.get(shift.first)
    for r, (height, hidden) in saved.items():
        if shift.first <= r <= shift.old_last and r > shift.new_last:
            continue  # a row the shrunken table no longer has
        target = ws.row_dimensions[shift.row(r)]
        target.height, target.hidden = height, hidden
    if template is not None:
        for r in range(shift.old_last + 1, shift.new_last + 1):
            ws.row_dimensions[r].height = template[0]


def _merged(ws: Worksheet, shift: RowShift) -> list[CellRange]:
    """Take out the merged ranges on or below the table; they are put back where they land.
    (The placeholder cells inside them move with their rows.)"""
    affected = [r for r in ws.merged_cells.ranges if r.max_row >= shift.first]
    ws.merged_cells = MultiCellRange(set(ws.merged_cells.ranges) - set(affected))
    return [CellRange(r.coord) for r in affected]


def _merge_again(ws: Worksheet, shift: RowShift, ranges: list[CellRange]) -> None:
    """The ranges where they landed, the template row's on every table row. Added as one set:
    openpyxl's merge_cells checks each new range against every existing one, which is
    quadratic over a 10,000-row table with a merge per row."""
    coords: dict[str, None] = {}

    def merge(min_col: int, min_row: int, max_col: int, max_row: int) -> None:
        if (min_col, min_row) != (max_col, max_row):
            first, last = get_column_letter(min_col), get_column_letter(max_col)
            coords.setdefault(f"{first}{min_row}:{last}{max_row}")

    for r in ranges:
        in_table = shift.first <= r.min_row and r.max_row <= shift.old_last
        if in_table and r.min_row == r.max_row:
            if r.min_row == shift.first:  # the template row's merges, on every table row
                for row in range(shift.first, shift.new_last + 1):
                    merge(r.min_col, row, r.max_col, row)
            elif r.min_row <= shift.new_last:
                merge(r.min_col, r.min_row, r.max_col, r.max_row)
            continue
        top, bottom = shift.row(r.min_row), shift.row(r.max_row, is_end=True)
        if top <= bottom:
            merge(r.min_col, top, r.max_col, bottom)
    landed = [MergedCellRange(ws, coord) for coord in coords]
    ws.merged_cells = MultiCellRange(set(ws.merged_cells.ranges) | set(landed))
    for merged in landed:
        # Placeholder cells and edge borders, as merge_cells makes them; a new table row's cells
        # instead take the template row's cells' look (write_table), borders included.
        if not shift.old_last < merged.min_row <= shift.new_last:
            merged.format()


def resize_table(wb: Workbook, ws: Worksheet, first: int, row_count: int, rows: int) -> RowShift:
    """Make the table at `first` (with `row_count` rows in the form) `rows` rows long (min 1),
    moving everything below it and every reference to it."""
    old_last = first + max(row_count, 1) - 1
    shift = RowShift(ws.title, first, old_last, first + max(rows, 1) - 1)
    if shift.is_noop:
        return shift
    merged = _merged(ws, shift)
    _formulas(wb, shift)
    _names(wb, shift)
    if shift.delta > 0:
        ws.insert_rows(old_last + 1, shift.delta)
    else:
        ws.delete_rows(shift.new_last + 1, -shift.delta)
    _heights(ws, shift)
    _merge_again(ws, shift, merged)
    _validations(ws, shift)
    _conditional_formats(ws, shift)
    _print_area(ws, shift)
    if ws.auto_filter.ref:
        ws.auto_filter.ref = shift_reference(ws.auto_filter.ref, shift, ws.title)
    _tables_and_breaks(ws, shift)
    _hyperlinks(ws, shift)
    return shift


def _hyperlinks(ws: Worksheet, shift: RowShift) -> None:
    """A moved cell's link still names its old cell: set it again, which re-points it."""
    for row in ws.iter_rows(min_row=shift.new_last + 1, max_row=max(ws.max_row, shift.new_last)):
        for cell in row:
            if getattr(cell, "hyperlink", None) is not None:
                cell.hyperlink = cell.hyperlink


def _tables_and_breaks(ws: Worksheet, shift: RowShift) -> None:
    """Excel tables (ListObjects) over or below the rows, and manual page breaks below them."""
    for table in ws.tables.values():
        table.ref = shift_reference(table.ref, shift, ws.title)
        if table.autoFilter is not None and table.autoFilter.ref:
            table.autoFilter.ref = shift_reference(table.autoFilter.ref, shift, ws.title)
    for brk in ws.row_breaks.brk:
        if brk.id is not None and brk.id > shift.old_last:
            brk.id = brk.id + shift.delta


class _RowStyles:
    """The template row's look per column as named styles: openpyxl copies a named style onto a
    cell in one step, where six separate style attributes cost ten times as much. Columns that
    look alike share one style (a named style is found by name in a list on every use)."""

    def __init__(self, wb: Workbook, ws: Worksheet, row: int, last_col: int) -> None:
        self.styles: dict[int, str] = {}
        self.formulas: dict[int, str] = {}
        taken = set(wb.named_styles)
        made: dict[tuple[Any, ...], str] = {}
        for c in range(1, last_col + 1):
            source = ws.cell(row, c)
            if isinstance(source.value, str) and source.data_type == "f":
                self.formulas[c] = source.value
            if not source.has_style:
                continue
            look = (
                copy(source.font),
                copy(source.fill),
                copy(source.border),
                copy(source.alignment),
                source.number_format,
                copy(source.protection),
            )
            if look not in made:
                n = len(taken) + 1
                while f"funder form {n}" in taken:
                    n += 1
                made[look] = f"funder form {n}"
                taken.add(made[look])
                font, fill, border, alignment, number_format, protection = look
                wb.add_named_style(
                    NamedStyle(
                        name=made[look],
                        font=font,
                        fill=fill,
                        border=border,
                        alignment=alignment,
                        number_format=number_format,
                        protection=protection,
                    )
                )
            self.styles[c] = made[look]


def write_table(
    wb: Workbook, ws: Worksheet, table: TableFill, placed: Placed, template_rows: int
) -> None:
    """The values into rows placed.first_row..last_row; rows past the form's own get the template
    row's styles and its per-row formulas (moved to their row)."""
    first = placed.first_row
    own_last = first + max(template_rows, 1) - 1
    targets = [column_index_from_string(c) for c in table.columns]
    last_col = max([ws.max_column, *targets])
    looks = _RowStyles(wb, ws, first, last_col) if placed.last_row > own_last else None
    cell = ws.cell
    for i in range(placed.last_row - first + 1):
        r = first + i
        values = table.rows[i] if i < len(table.rows) else ()
        if looks is not None and r > own_last:
            for c, name in looks.styles.items():
                cell(r, c).style = name
            for c, formula in looks.formulas.items():
                origin = f"{get_column_letter(c)}{first}"
                destination = f"{get_column_letter(c)}{r}"
                cell(r, c).value = Translator(formula, origin=origin).translate_formula(destination)
        for c, value in zip(targets, values, strict=False):
            write_value(cell(r, c), value)
        if i >= len(table.rows):  # the one row left of an empty table: blank, not template text
            for c in targets:
                ws.cell(r, c).value = None


def fill_workbook(
    template: bytes,
    cells: Mapping[tuple[str, str], Any],
    tables: Sequence[TableFill],
) -> FillOutcome:
    """The template with `cells` ({(sheet, 'C4'): value}) and `tables` written, as .xlsx bytes."""
    wb = load_template(template)
    for (sheet, coord), value in cells.items():
        write_value(wb[sheet][coord], value)
    # Bottom-up, so a table's resize moves the tables below it already placed, never pending ones.
    order = sorted(range(len(tables)), key=lambda i: (tables[i].sheet, -tables[i].first_row))
    placed: dict[int, Placed] = {}
    for i in order:
        table = tables[i]
        ws = wb[table.sheet]
        shift = resize_table(wb, ws, table.first_row, table.row_count, len(table.rows))
        for j, other in placed.items():
            if other.sheet == table.sheet and other.first_row > shift.old_last:
                placed[j] = replace(
                    other,
                    first_row=other.first_row + shift.delta,
                    last_row=other.last_row + shift.delta,
                )
        placed[i] = Placed(table.sheet, table.first_row, shift.new_last)
    for i, table in enumerate(tables):
        write_table(wb, wb[table.sheet], table, placed[i], table.row_count)
    wb.calculation.fullCalcOnLoad = True
    buffer = io.BytesIO()
    wb.save(buffer)
    content = write_cached_values(wb, buffer.getvalue())
    return FillOutcome(content, [placed[i] for i in range(len(tables))])
