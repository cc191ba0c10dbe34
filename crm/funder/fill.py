"""Fill a mapped form for a quarter: the named figures and the company tables, from one snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from crm.funder.engine import TableFill, fill_workbook
from crm.funder.figures import FillContext, NamedFigure, in_unit, named_figures
from crm.funder.mapping import Mapping
from crm.funder.tables import TableQuery, activity_table, company_table
from crm.reports.details import report_kinds
from crm.reports.figures import ReportFigures
from crm.reports.options import ReportOptions
from crm.reports.snapshot import read_snapshot
from crm.reports.workbook import current_figures
from crm.services.actor import Actor


@dataclass
class FilledForm:
    content: bytes
    figures: ReportFigures
    closed: bool
    values: dict[tuple[str, str], Any] = field(default_factory=dict)
    table_rows: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def fill_form(
    session: Session,
    actor: Actor,
    content: bytes,
    mapping: Mapping,
    options: ReportOptions,
    context: FillContext,
) -> FilledForm:
    """The form with every mapped cell and table filled for the quarter; figures as the quarterly
    workbook has them (frozen at the close for a closed quarter)."""
    divisor = options.unit.divisor
    with read_snapshot(session) as snap:
        figures, closed = current_figures(snap, options)
        kind_names = {k.code: k.name for k in report_kinds(snap, options.lang)}
        named: dict[str, NamedFigure] = {
            f.code: f for f in named_figures(figures, context, kind_names)
        }
        cells: dict[tuple[str, str], Any] = {}
        missing: list[str] = []
        for cell in mapping.cells:
            figure = named.get(cell.figure)
            if figure is None:  # e.g. a programme the quarter's year does not have
                missing.append(cell.cell)
                cells[(cell.sheet, cell.cell)] = None
                continue
            cells[(cell.sheet, cell.cell)] = in_unit(figure, divisor)
        tables = []
        for table in mapping.tables:
            query = TableQuery(
                fields=tuple(c.field for c in table.columns),
                scope=table.scope,
                sort=table.sort,
                kind=table.kind,
                programme_id=table.programme_id,
                rows=table.rows,
            )
            build = activity_table if table.rows == "activities" else company_table
            rows = build(snap, actor, options.period, query, options.lang, divisor)
            tables.append(
                TableFill(
                    sheet=table.sheet,
                    first_row=table.first_row,
                    columns=tuple(c.column for c in table.columns),
                    rows=rows,
                    row_count=table.row_count,
                )
            )
    outcome = fill_workbook(content, cells, tables)
    return FilledForm(
        content=outcome.content,
        figures=figures,
        closed=closed is not None,
        values=cells,
        table_rows=[len(t.rows) for t in tables],
        missing=missing,
    )


def figure_catalogue(session: Session, options: ReportOptions) -> list[NamedFigure]:
    """The named figures of a quarter with their labels (for picking one on the mapping page)."""
    with read_snapshot(session) as snap:
        figures, _ = current_figures(snap, options)
        kind_names = {k.code: k.name for k in report_kinds(snap, options.lang)}
    context = FillContext("", "", figures.period.end, options.lang)
    return named_figures(figures, context, kind_names)
