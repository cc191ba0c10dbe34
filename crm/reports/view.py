"""What the Reports page shows before download: the Summary's figures and tables as DataFrames."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from crm.reports.details import report_kinds
from crm.reports.figures import ReportFigures
from crm.reports.options import ReportOptions
from crm.reports.summary import SummaryTable, summary_tables, table_frame
from crm.reports.workbook import current_figures
from crm.reports.writer import Cell
from crm.services.quarters import ClosedQuarter


@dataclass(frozen=True)
class SummaryTableView:
    key: str
    title: str
    frame: pd.DataFrame
    display: pd.DataFrame  # the same table as text for the screen: thousands, %, blanks


def _shown(value: Any, cell: Cell) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if cell is Cell.PCT:
        return f"{value * 100:.1f}%"
    if cell in (Cell.KRW, Cell.INT, Cell.ID, Cell.DECIMAL):
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display_frame(table: SummaryTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Format each cell by its type (rows of mixed measures carry their own types)."""
    column_cells = [c.cell for c in table.columns]
    row_cells = table.row_cells or []
    out = []
    for index, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = row_cells[index] if index < len(row_cells) else column_cells
        out.append([_shown(v, k) for v, k in zip(row, cells, strict=True)])
    return pd.DataFrame(out, columns=frame.columns)


@dataclass(frozen=True)
class SummaryView:
    figures: ReportFigures
    closed: ClosedQuarter | None
    tables: list[SummaryTableView]


def summary_view(session: Session, options: ReportOptions) -> SummaryView:
    """The same numbers, labels and unit as the workbook's Summary sheet (frozen if closed)."""
    figures, closed = current_figures(session, options)
    kind_names = {k.code: k.name for k in report_kinds(session, options.lang)}
    tables = []
    for table in summary_tables(figures, options, kind_names):
        frame = table_frame(table, options)
        tables.append(SummaryTableView(table.key, table.title, frame, display_frame(table, frame)))
    return SummaryView(figures, closed, tables)
