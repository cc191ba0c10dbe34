"""Build the quarterly workbook: figures first, then Summary, Companies, one sheet per kind, Stage
moves, Outcomes and About, each table streamed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from crm.errors import CRMError
from crm.i18n import t
from crm.models import utcnow
from crm.reports.about import Provenance, write_about
from crm.reports.cells import sheet_title
from crm.reports.details import (
    report_kinds,
    write_companies,
    write_kind,
    write_outcomes,
    write_stage_moves,
)
from crm.reports.figures import ReportFigures, compute_figures, data_as_of
from crm.reports.options import ReportOptions
from crm.reports.provenance import request_counts
from crm.reports.restatements import restatement_lines
from crm.reports.snapshot import read_snapshot
from crm.reports.summary import write_summary
from crm.reports.writer import WORKBOOK_OPTIONS, Formats
from crm.services.quarters import ClosedQuarter, closed_quarter, frozen_figures, list_restatements

ProgressCallback = Callable[[float, str], None]
# Share of the progress bar: the figures, the sheets' rows, then assembling the .xlsx file.
FIGURES_DONE, ROWS_DONE = 0.05, 0.85


class NoReportData(CRMError):
    key = "report.error.no_data"


@dataclass(frozen=True)
class BuiltReport:
    options: ReportOptions
    figures: ReportFigures
    closed: ClosedQuarter | None
    sheets: list[str]
    rows: dict[str, int]
    generated_at: datetime


def current_figures(
    session: Session, options: ReportOptions
) -> tuple[ReportFigures, ClosedQuarter | None]:
    """The Summary's figures: as stored at the close for a closed quarter, else computed now."""
    closed = closed_quarter(session, options.year, options.quarter)
    frozen = frozen_figures(session, options.year, options.quarter) if closed else None
    return (frozen or compute_figures(session, options.period)), closed


class _Progress:
    def __init__(self, callback: ProgressCallback | None, lang: str, total_rows: int) -> None:
        self.callback, self.lang = callback, lang
        self.total = max(total_rows, 1)
        self.done = 0

    def report(self, fraction: float, message: str) -> None:
        if self.callback is not None:
            self.callback(min(max(fraction, 0.0), 1.0), message)

    def sheet(self, name: str) -> Callable[[int], None]:
        start = self.done
        message = t("report.progress.sheet", self.lang, sheet=name)
        self.report(FIGURES_DONE + (ROWS_DONE - FIGURES_DONE) * start / self.total, message)

        def rows_written(n: int) -> None:
            self.done = start + n
            share = min(self.done / self.total, 1.0)
            self.report(FIGURES_DONE + (ROWS_DONE - FIGURES_DONE) * share, message)

        return rows_written


def write_report(
    session: Session,
    options: ReportOptions,
    target: str | Path | BinaryIO,
    *,
    generated_by: str,
    progress: ProgressCallback | None = None,
) -> BuiltReport:
    """Write the workbook to `target` (a path or a binary file object). Reads one consistent
    snapshot of the data; raises NoReportData when the quarter has nothing to report."""
    lang = options.lang
    generated_at = utcnow()
    if progress is not None:
        progress(0.0, t("report.progress.figures", lang))
    with read_snapshot(session) as snap:
        figures, closed = current_figures(snap, options)
        if not figures.has_data:
            raise NoReportData(year=options.year, quarter=options.quarter)
        kinds = report_kinds(snap, lang)
        restated = list_restatements(snap, year=options.year, up_to_quarter=options.quarter)
        restatements = restatement_lines(snap, restated, lang)
        provenance = Provenance(generated_at, generated_by, data_as_of(snap))
        expected_rows = figures.supported_ytd + figures.activities_q + figures.outcomes_ytd.reports
        ticker = _Progress(progress, lang, expected_rows)
        workbook = Workbook(target, WORKBOOK_OPTIONS)
        workbook.set_properties(
            {
                "title": t("report.title", lang, year=options.year, quarter=options.quarter),
                "author": generated_by,
                "created": generated_at.replace(tzinfo=None),
            }
        )
        formats = Formats(workbook)
        used: set[str] = set()
        rows: dict[str, int] = {}

        def add(title: str) -> tuple[str, Worksheet]:
            name = sheet_title(title, used)
            return name, workbook.add_worksheet(name)

        _, summary = add(t("report.sheet.summary", lang))
        kind_names = {k.code: k.name for k in kinds}
        write_summary(
            workbook,
            summary,
            formats,
            figures,
            options,
            kind_names=kind_names,
            closed=closed,
            request_counts=request_counts(snap, figures.year, figures.quarter),
        )
        name, sheet = add(t("report.sheet.companies", lang))
        table = write_companies(sheet, formats, snap, options, kinds, on_rows=ticker.sheet(name))
        rows[name] = table.data_rows
        for kind in kinds:
            name, sheet = add(kind.name)
            table = write_kind(sheet, formats, snap, options, kind, on_rows=ticker.sheet(name))
            rows[name] = table.data_rows
        name, sheet = add(t("report.sheet.stage_moves", lang))
        table = write_stage_moves(sheet, formats, snap, options, on_rows=ticker.sheet(name))
        rows[name] = table.data_rows
        name, sheet = add(t("report.sheet.outcomes", lang))
        table = write_outcomes(sheet, formats, snap, options, on_rows=ticker.sheet(name))
        rows[name] = table.data_rows
        name, sheet = add(t("report.sheet.about", lang))
        write_about(sheet, formats, options, provenance, closed=closed, restatements=restatements)
    ticker.report(ROWS_DONE, t("report.progress.saving", lang))
    workbook.close()
    return BuiltReport(
        options=options,
        figures=figures,
        closed=closed,
        sheets=[w.get_name() for w in workbook.worksheets()],
        rows=rows,
        generated_at=generated_at,
    )
