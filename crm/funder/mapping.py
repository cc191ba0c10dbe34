"""A template's mapping as data: which cell shows which named figure, which rows form a company
table and which field each of its columns shows. Stored as JSON with each mapping version.

Each mapped cell remembers the label next to it (its anchor) and each table its column headers,
so a new upload of the form keeps the entries whose labels are still there (moved with them when
the form gained rows or columns) and flags the others."""

from __future__ import annotations

import re
from copy import copy
from dataclasses import asdict, dataclass, field
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from crm.funder.figures import (
    COHORT_TOTALS,
    KIND_FIELDS,
    OUTCOME_FIELDS,
    PROGRAMME_FIELDS,
    STAGE_FIELDS,
    STAGES,
    TEXTS,
    TOTALS,
)
from crm.funder.tables import ROW_KINDS, SCOPES, SORTS, validate_fields

ANCHOR_COLUMNS, ANCHOR_ROWS = 6, 3
SEARCH_ROWS = 300
_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")


@dataclass
class CellMap:
    sheet: str
    cell: str
    figure: str
    anchor: str = ""
    anchor_at: str = ""


@dataclass
class ColumnMap:
    column: str
    field: str
    header: str = ""


@dataclass
class TableMap:
    sheet: str
    header_row: int
    first_row: int
    row_count: int = 1
    columns: list[ColumnMap] = field(default_factory=list)
    sort: str = "name"
    scope: str = "ytd"
    kind: str | None = None
    programme_id: int | None = None
    rows: str = "companies"


@dataclass
class Mapping:
    institution: str = ""
    cells: list[CellMap] = field(default_factory=list)
    tables: list[TableMap] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        return cls(
            institution=str(data.get("institution") or ""),
            cells=[CellMap(**c) for c in data.get("cells", [])],
            tables=[
                TableMap(
                    **{
                        **{k: v for k, v in t.items() if k != "columns"},
                        "columns": [ColumnMap(**c) for c in t.get("columns", [])],
                    }
                )
                for t in data.get("tables", [])
            ],
        )


def _index(letters: str) -> int:
    return column_index_from_string(letters)


def is_cell(text: str) -> bool:
    return bool(_CELL.match(text))


def text_of(ws: Worksheet, row: int, column: int) -> str:
    value = ws.cell(row, column).value
    if isinstance(value, str) and not value.startswith("="):
        return value.strip()
    return ""


def anchor_of(ws: Worksheet, coord: str) -> tuple[str, str]:
    """The label a cell belongs to: the nearest text to its left, else above it; and where."""
    letters, row = coordinate_from_string(coord)
    column = column_index_from_string(letters)
    for c in range(column - 1, max(column - ANCHOR_COLUMNS, 1) - 1, -1):
        if text := text_of(ws, row, c):
            return text, f"{get_column_letter(c)}{row}"
    for r in range(row - 1, max(row - ANCHOR_ROWS, 1) - 1, -1):
        if text := text_of(ws, r, column):
            return text, f"{letters}{r}"
    return "", ""


def anchored(wb: Workbook, cell: CellMap) -> CellMap:
    """The entry with the anchor its cell has in this workbook."""
    anchor, at = anchor_of(wb[cell.sheet], cell.cell)
    return CellMap(cell.sheet, cell.cell, cell.figure, anchor, at)


def headed(wb: Workbook, table: TableMap) -> TableMap:
    ws = wb[table.sheet]
    columns = [
        ColumnMap(
            c.column, c.field, text_of(ws, table.header_row, column_index_from_string(c.column))
        )
        for c in table.columns
    ]
    return TableMap(**{**asdict(table), "columns": columns})


def _offset(a: str, b: str) -> tuple[int, int]:
    (la, ra), (lb, rb) = coordinate_from_string(a), coordinate_from_string(b)
    return ra - rb, column_index_from_string(la) - column_index_from_string(lb)


def _find_text(ws: Worksheet, text: str) -> list[tuple[int, int]]:
    found = []
    for row in ws.iter_rows(max_row=min(ws.max_row, SEARCH_ROWS)):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == text:
                found.append((cell.row, cell.column))
    return found


def _rematch_cell(wb: Workbook, cell: CellMap) -> CellMap | None:
    if cell.sheet not in wb.sheetnames:
        return None
    ws = wb[cell.sheet]
    if not cell.anchor:
        return cell if not anchor_of(ws, cell.cell)[0] else None
    if anchor_of(ws, cell.cell)[0] == cell.anchor:
        return anchored(wb, cell)
    rows, cols = _offset(cell.cell, cell.anchor_at) if cell.anchor_at else (0, 1)
    places = _find_text(ws, cell.anchor)
    if len(places) != 1:
        return None
    r, c = places[0][0] + rows, places[0][1] + cols
    if r < 1 or c < 1:
        return None
    moved = CellMap(cell.sheet, f"{get_column_letter(c)}{r}", cell.figure)
    again = anchored(wb, moved)
    return again if again.anchor == cell.anchor else None


def _rematch_table(wb: Workbook, table: TableMap) -> TableMap | None:
    if table.sheet not in wb.sheetnames:
        return None
    ws = wb[table.sheet]
    headers = [c.header for c in table.columns]
    for row in [table.header_row, *range(1, min(ws.max_row, SEARCH_ROWS) + 1)]:
        texts = {text_of(ws, row, c): c for c in range(1, ws.max_column + 1) if text_of(ws, row, c)}
        if all(h in texts for h in headers if h):
            columns = [
                ColumnMap(get_column_letter(texts[c.header]) if c.header else c.column, c.field,
                          c.header)
                for c in table.columns
            ]  # fmt: skip
            gap = table.first_row - table.header_row
            return TableMap(
                **{**asdict(table), "header_row": row, "first_row": row + gap, "columns": columns}
            )
    return None


def rematch(mapping: Mapping, wb: Workbook) -> tuple[Mapping, list[dict[str, Any]]]:
    """The mapping for a new upload of the form: entries whose labels still match (moved with
    them), and the flagged entries that no longer match anything."""
    kept = Mapping(institution=mapping.institution)
    flagged: list[dict[str, Any]] = []
    for cell in mapping.cells:
        found = _rematch_cell(wb, cell)
        if found is None:
            flagged.append({"type": "cell", **asdict(cell)})
        else:
            kept.cells.append(found)
    for table in mapping.tables:
        found_table = _rematch_table(wb, table)
        if found_table is None:
            flagged.append({"type": "table", **asdict(table)})
        else:
            kept.tables.append(found_table)
    return kept, flagged


def form_rows(ws: Worksheet, first_row: int, columns: list[str]) -> int:
    """How many rows the form gives its table: the template row and the rows below it that look
    the same (same border, no text and no formula in the mapped columns; numbers are the form's
    own numbering)."""
    if not columns:
        return 1
    probe = column_index_from_string(columns[0])
    template = ws.cell(first_row, probe)
    count = 1
    for r in range(first_row + 1, min(ws.max_row, first_row + SEARCH_ROWS) + 1):
        if copy(ws.cell(r, probe).border) != copy(template.border):
            break
        values = [ws.cell(r, column_index_from_string(c)).value for c in columns]
        if any(isinstance(v, str) for v in values):
            break
        count += 1
    return count


def merged_anchor(ws: Worksheet, coord: str) -> str | None:
    """The top-left cell of the merged range `coord` lies inside but does not start, else None
    (only a merged range's top-left cell holds a value)."""
    letters, row = coordinate_from_string(coord)
    column = _index(letters)
    for merged in ws.merged_cells.ranges:
        inside = (
            merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col
        )
        if inside and (row, column) != (merged.min_row, merged.min_col):
            return f"{get_column_letter(merged.min_col)}{merged.min_row}"
    return None


def figure_code_known(code: str, kinds: set[str], programme_ids: set[int]) -> bool:
    parts = code.split(".")
    if len(parts) == 1:
        return (
            code in TEXTS
            or code == "executed_share"
            or code in COHORT_TOTALS
            or code in {c for c, _ in TOTALS}
        )
    head = parts[0]
    if head == "kind" and len(parts) == 3:
        return parts[1] in kinds and parts[2] in {f for f, _ in KIND_FIELDS}
    if head == "programme" and len(parts) == 3:
        return (
            parts[1].isdigit()
            and int(parts[1]) in programme_ids
            and parts[2] in {f for f, _ in PROGRAMME_FIELDS}
        )
    if head == "stage" and len(parts) == 3:
        return parts[1] in STAGES and parts[2] in STAGE_FIELDS
    if head == "move" and len(parts) == 3:
        return parts[1] in STAGES and parts[2] in STAGES and parts[1] != parts[2]
    if head == "outcomes" and len(parts) == 3:
        return parts[1] in ("q", "ytd") and parts[2] in {f for f, _ in OUTCOME_FIELDS}
    return False


def problems(
    mapping: Mapping, wb: Workbook, kinds: set[str], programme_ids: set[int]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, i18n key, values) for each entry that cannot be filled as saved."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    taken: set[tuple[str, str]] = set()
    if len(mapping.institution) > 200:
        found.append(("institution", "funder.error.institution", {}))
    for i, cell in enumerate(mapping.cells):
        where = f"cells.{i}"
        if cell.sheet not in wb.sheetnames:
            found.append((where, "funder.error.sheet", {"sheet": cell.sheet}))
        elif not is_cell(cell.cell):
            found.append((where, "funder.error.cell", {"cell": cell.cell}))
        elif not figure_code_known(cell.figure, kinds, programme_ids):
            found.append((where, "funder.error.figure", {"cell": cell.cell}))
        elif (cell.sheet, cell.cell) in taken:
            found.append((where, "funder.error.cell_twice", {"cell": cell.cell}))
        elif (anchor := merged_anchor(wb[cell.sheet], cell.cell)) is not None:
            found.append((where, "funder.error.merged", {"cell": cell.cell, "anchor": anchor}))
        taken.add((cell.sheet, cell.cell))
    for i, table in enumerate(mapping.tables):
        where = f"tables.{i}"
        if table.sheet not in wb.sheetnames:
            found.append((where, "funder.error.sheet", {"sheet": table.sheet}))
            continue
        if not (1 <= table.header_row < table.first_row) or table.row_count < 1:
            found.append((where, "funder.error.table_rows", {}))
        if not table.columns:
            found.append((where, "funder.error.table_columns", {}))
        letters = [c.column for c in table.columns]
        if len(set(letters)) != len(letters) or not all(is_cell(f"{c}1") for c in letters):
            found.append((where, "funder.error.table_columns", {}))
        if table.rows not in ROW_KINDS or validate_fields(
            [c.field for c in table.columns], table.rows
        ):
            found.append((where, "funder.error.table_field", {}))
        for c in table.columns:
            coord = f"{c.column}{table.first_row}"
            if is_cell(coord) and (anchor := merged_anchor(wb[table.sheet], coord)) is not None:
                found.append((where, "funder.error.merged", {"cell": coord, "anchor": anchor}))
        if table.sort not in SORTS or table.scope not in SCOPES:
            found.append((where, "funder.error.table_options", {}))
        if table.kind is not None and table.kind not in kinds:
            found.append((where, "funder.error.table_options", {}))
        if table.programme_id is not None and table.programme_id not in programme_ids:
            found.append((where, "funder.error.table_options", {}))
        last = table.first_row + table.row_count - 1
        for cell in mapping.cells:
            letters_, row = coordinate_from_string(cell.cell) if is_cell(cell.cell) else ("", 0)
            if cell.sheet == table.sheet and table.first_row <= row <= last and letters_ in letters:
                found.append((where, "funder.error.cell_in_table", {"cell": cell.cell}))
    return found
