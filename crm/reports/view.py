"""What the Reports page shows before download: the Summary's figures and tables as DataFrames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from crm.reports.details import report_kinds
from crm.reports.figures import ReportFigures
from crm.reports.options import ReportOptions
from crm.reports.summary import summary_tables, table_frame
from crm.reports.workbook import current_figures
from crm.services.quarters import ClosedQuarter


@dataclass(frozen=True)
class SummaryTableView:
    key: str
    title: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class SummaryView:
    figures: ReportFigures
    closed: ClosedQuarter | None
    tables: list[SummaryTableView]


def summary_view(session: Session, options: ReportOptions) -> SummaryView:
    """The same numbers, labels and unit as the workbook's Summary sheet (frozen if closed)."""
    figures, closed = current_figures(session, options)
    kind_names = {k.code: k.name for k in report_kinds(session, options.lang)}
    tables = [
        SummaryTableView(table.key, table.title, table_frame(table, options))
        for table in summary_tables(figures, options, kind_names)
    ]
    return SummaryView(figures, closed, tables)
