"""A form's sheet as a grid for the mapping page: Excel column letters, row numbers, cell text."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

MAX_ROWS, MAX_COLUMNS = 200, 30


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def sheet_grid(wb: Workbook, sheet: str) -> pd.DataFrame:
    """The sheet's cells as text (formulas as written), rows numbered from 1, columns A, B, ...;
    merged cells show their value in the top-left cell only, as Excel does."""
    ws = wb[sheet]
    rows = min(max(ws.max_row, 1), MAX_ROWS)
    columns = min(max(ws.max_column, 1), MAX_COLUMNS)
    data = [
        [_shown(v) for v in row]
        for row in ws.iter_rows(min_row=1, max_row=rows, max_col=columns, values_only=True)
    ]
    return pd.DataFrame(
        data,
        index=pd.Index(range(1, rows + 1), name="#"),
        columns=[get_column_letter(c) for c in range(1, columns + 1)],
    )


def header_columns(wb: Workbook, sheet: str, row: int) -> list[tuple[str, str]]:
    """(column letter, header text) of every non-empty cell in the header row."""
    ws = wb[sheet]
    out = []
    for c in range(1, min(ws.max_column, MAX_COLUMNS) + 1):
        value = ws.cell(row, c).value
        if value not in (None, ""):
            out.append((get_column_letter(c), _shown(value).strip()))
    return out
