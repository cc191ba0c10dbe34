"""The Summary: its tables as data (for the sheet and for the page), written with native charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from crm.i18n import t
from crm.reports.cells import with_unit
from crm.reports.figures import ReportFigures
from crm.reports.options import ReportOptions
from crm.reports.provenance import RequestCounts, write_request_counts
from crm.reports.times import office_stamp
from crm.reports.writer import Cell, Column, Formats, TableWriter, Total, print_setup, set_widths
from crm.services.quarters import ClosedQuarter

INT, KRW, PCT, TEXT = Cell.INT, Cell.KRW, Cell.PCT, Cell.TEXT


@dataclass(frozen=True)
class SummaryTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    row_cells: list[list[Cell]] | None = None
    totals: bool = False
    total_values: dict[int, int] = field(default_factory=dict)
    total_ratios: dict[int, tuple[int, int]] = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole and part is not None else None


def summary_tables(
    figures: ReportFigures, options: ReportOptions, kind_names: dict[str, str]
) -> list[SummaryTable]:
    """The Summary's five tables, in order. Money is in won here; writers show it in the unit."""
    lang, f = options.lang, figures

    def stage_label(code: str) -> str:
        return t(f"stage.{code}", lang)

    unit = t(f"report.unit.{options.unit.value}", lang)

    def money(key: str) -> str:
        return with_unit(t(key, lang), unit)

    cohort_q, cohort_ytd = f.cohort_supported
    cohort = SummaryTable(
        key="cohort",
        title=t("report.section.cohort", lang),
        columns=[
            Column(t("report.col.item", lang), TEXT),
            Column(t("report.col.quarter", lang), INT),
            Column(t("report.col.ytd", lang), INT),
            Column(t("report.col.target", lang), INT),
            Column(t("report.col.achieved", lang), PCT),
        ],
        rows=[
            [t("report.row.cohort_companies", lang), None, f.cohort_companies, f.target_companies,
             _share(f.cohort_companies, f.target_companies)],
            [t("report.row.cohort_supported", lang), cohort_q, cohort_ytd, f.target_companies,
             _share(cohort_ytd, f.target_companies)],
            [t("report.row.supported", lang), f.supported_q, f.supported_ytd, None, None],
            [t("report.row.activities", lang), f.activities_q, f.activities_ytd, None, None],
            [money("report.row.krw"), f.executed_q, f.executed_ytd, f.budget_krw,
             _share(f.executed_ytd, f.budget_krw)],
            [money("report.row.committed"), f.committed_q, f.committed_ytd, None, None],
            [money("report.row.planned"), f.planned_q, f.planned_ytd, None, None],
        ],
        row_cells=[[TEXT, INT, INT, INT, PCT]] * 4 + [[TEXT, KRW, KRW, KRW, PCT]] * 3,
    )  # fmt: skip
    programmes = SummaryTable(
        key="programmes",
        title=t("report.section.programmes", lang),
        columns=[
            Column(t("report.col.programme", lang), TEXT, min_width=20),
            Column(t("report.col.kind", lang), TEXT),
            Column(money("report.col.budget"), KRW, Total.SUM),
            Column(t("report.col.target_companies", lang), INT, Total.SUM),
            Column(t("report.col.companies_q", lang), INT, Total.SUM),
            Column(t("report.col.activities_q", lang), INT, Total.SUM),
            Column(money("report.col.krw_q"), KRW, Total.SUM),
            Column(t("report.col.companies_ytd", lang), INT, Total.SUM),
            Column(t("report.col.activities_ytd", lang), INT, Total.SUM),
            Column(money("report.col.krw_ytd"), KRW, Total.SUM),
            Column(money("report.col.committed_ytd"), KRW, Total.SUM),
            Column(money("report.col.planned_ytd"), KRW, Total.SUM),
            Column(t("report.col.executed_pct", lang), PCT),
        ],
        rows=[
            [p.name, kind_names.get(p.kind, p.kind), p.budget_krw, p.target_companies,
             p.companies_q, p.activities_q, p.executed_q, p.companies_ytd, p.activities_ytd,
             p.executed_ytd, p.committed_ytd, p.planned_ytd, p.executed_share]
            for p in f.programmes
        ],
        totals=True,
        # A company supported by two programmes is one company: the totals count each once.
        total_values={4: f.supported_q, 7: f.supported_ytd},
        total_ratios={12: (9, 2)},
    )  # fmt: skip
    stages = SummaryTable(
        key="stages",
        title=t("report.section.stages", lang),
        columns=[
            Column(t("report.col.stage", lang), TEXT),
            Column(t("report.col.at_start", lang), INT, Total.SUM),
            Column(t("report.col.entered", lang), INT, Total.SUM),
            Column(t("report.col.moved_in", lang), INT, Total.SUM),
            Column(t("report.col.moved_out", lang), INT, Total.SUM),
            Column(t("report.col.at_end", lang), INT, Total.SUM),
        ],
        rows=[
            [stage_label(s.stage), s.at_start, s.entered, s.moved_in, s.moved_out, s.at_end]
            for s in f.stages
        ],
        totals=True,
    )
    moves = SummaryTable(
        key="moves",
        title=t("report.section.moves", lang),
        columns=[
            Column(t("report.col.from_stage", lang), TEXT),
            Column(t("report.col.to_stage", lang), TEXT),
            Column(t("report.col.moves", lang), INT, Total.SUM),
        ],
        rows=[[stage_label(m.from_stage), stage_label(m.to_stage), m.moves] for m in f.moves],
        totals=True,
    )
    q, y = f.outcomes_q, f.outcomes_ytd
    outcomes = SummaryTable(
        key="outcomes",
        title=t("report.section.outcomes", lang),
        columns=[
            Column(t("report.col.item", lang), TEXT),
            Column(t("report.col.quarter", lang), INT),
            Column(t("report.col.ytd", lang), INT),
        ],
        rows=[
            [t("report.row.reports", lang), q.reports, y.reports],
            [t("report.row.jobs", lang), q.new_hires, y.new_hires],
            [t("report.row.patents_filed", lang), q.patents_filed, y.patents_filed],
            [t("report.row.patents_registered", lang), q.patents_registered, y.patents_registered],
            [money("report.row.investment"), q.investment_krw, y.investment_krw],
            [money("report.row.exports"), q.exports_krw, y.exports_krw],
        ],
        row_cells=[[TEXT, INT, INT]] * 4 + [[TEXT, KRW, KRW]] * 2,
    )
    return [cohort, programmes, stages, moves, outcomes]


def table_frame(table: SummaryTable, options: ReportOptions) -> pd.DataFrame:
    """A Summary table as a DataFrame (money in the chosen unit, with its totals row)."""
    divisor = options.unit.divisor
    cells = table.row_cells or [[c.cell for c in table.columns]] * len(table.rows)
    rows = [
        [v / divisor if k is KRW and v is not None else v for v, k in zip(row, kinds, strict=True)]
        for row, kinds in zip(table.rows, cells, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=[c.header for c in table.columns])
    if table.totals:
        total: list[Any] = [t("report.total", options.lang)]
        for c, column in enumerate(table.columns[1:], start=1):
            if c in table.total_values:
                total.append(table.total_values[c])
            elif column.total is Total.SUM:
                total.append(frame.iloc[:, c].sum())
            else:
                total.append(None)
        for c, (num, den) in table.total_ratios.items():
            total[c] = _share(total[num], total[den]) or 0.0
        frame.loc[len(frame)] = total
    return frame


@dataclass(frozen=True)
class Placed:
    """Where a table landed on the sheet (zero-based rows), for the charts' ranges."""

    table: SummaryTable
    first_data_row: int
    last_data_row: int


def _status_line(options: ReportOptions, closed: ClosedQuarter | None) -> str:
    if closed is None:
        return t("report.open_note", options.lang)
    return t(
        "report.closed_note",
        options.lang,
        closed_at=office_stamp(closed.closed_at, options.lang),
        by=closed.closed_by,
        count=closed.restatements,
    )


def write_summary(
    workbook: Workbook,
    worksheet: Worksheet,
    formats: Formats,
    figures: ReportFigures,
    options: ReportOptions,
    *,
    kind_names: dict[str, str],
    closed: ClosedQuarter | None,
    request_counts: RequestCounts | None = None,
) -> list[SummaryTable]:
    """Title, status, the five tables with totals, and bar charts of KRW by programme and of
    companies by stage. Rows go strictly downwards (constant-memory mode)."""
    lang = options.lang
    title = t("report.title", lang, year=figures.year, quarter=figures.quarter)
    unit = t(f"report.unit.{options.unit.value}", lang)
    worksheet.write_string(0, 0, title, formats.title)
    worksheet.write_string(
        1, 0, f"{figures.cohort_name}  {t('report.unit_note', lang, unit=unit)}", formats.note
    )
    worksheet.write_string(2, 0, _status_line(options, closed), formats.note)
    row = 4
    widths: list[int] = []
    placed: dict[str, Placed] = {}
    tables = summary_tables(figures, options, kind_names)
    for table in tables:
        worksheet.write_string(row, 0, table.title, formats.section)
        writer = TableWriter(
            worksheet, formats, table.columns, top=row + 1, divisor=options.unit.divisor
        )
        writer.write_header()
        cells = table.row_cells or [None] * len(table.rows)
        for values, row_cells in zip(table.rows, cells, strict=True):
            writer.write_row(values, row_cells)
        placed[table.key] = Placed(table, writer.first_data_row, writer.last_data_row)
        if table.totals:
            writer.write_totals(
                t("report.total", lang), values=table.total_values, ratios=table.total_ratios
            )
        for c, width in enumerate(writer.final_widths()):
            if c < len(widths):
                widths[c] = max(widths[c], width)
            else:
                widths.append(width)
        row = writer.row + 1
    if request_counts is not None and request_counts.asked:
        row = write_request_counts(worksheet, formats, request_counts, lang, row)
    set_widths(worksheet, widths)
    _add_charts(workbook, worksheet, placed, options, at_row=row + 1)
    print_setup(worksheet, header_row=None, title=title)
    return tables


def _add_series(
    chart: Chart, sheet: str, placed: Placed, column: int, name: str, divisor: int
) -> None:
    """A series over one column of a placed table. The data is cached in the chart too: in
    constant-memory mode XlsxWriter cannot read it back, and text categories need a string cache."""
    first, last = placed.first_data_row, placed.last_data_row
    scale = divisor if placed.table.columns[column].cell is KRW else 1
    chart.add_series(
        {
            "name": name,
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, column, last, column],
            "categories_data": [str(row[0]) for row in placed.table.rows],
            "values_data": [(row[column] or 0) / scale for row in placed.table.rows],
        }
    )


def _add_charts(
    workbook: Workbook,
    worksheet: Worksheet,
    placed: dict[str, Placed],
    options: ReportOptions,
    *,
    at_row: int,
) -> None:
    lang, sheet, divisor = options.lang, worksheet.get_name(), options.unit.divisor
    unit = t(f"report.unit.{options.unit.value}", lang)
    has_programmes = bool(placed["programmes"].table.rows)
    if has_programmes:
        by_programme = workbook.add_chart({"type": "bar"})
        for column, key in ((9, "report.col.krw_ytd"), (2, "report.col.budget")):
            _add_series(by_programme, sheet, placed["programmes"], column, t(key, lang), divisor)
        by_programme.set_title({"name": t("report.chart.krw_by_programme", lang)})
        by_programme.set_x_axis({"name": unit, "num_format": "#,##0"})
        by_programme.set_y_axis({"reverse": True, "crossing": "max"})  # first programme on top
        by_programme.set_size({"width": 720, "height": 320})
        worksheet.insert_chart(at_row, 0, by_programme)
    by_stage = workbook.add_chart({"type": "column"})
    for column, key in ((1, "report.col.at_start"), (5, "report.col.at_end")):
        _add_series(by_stage, sheet, placed["stages"], column, t(key, lang), divisor)
    by_stage.set_title({"name": t("report.chart.companies_by_stage", lang)})
    by_stage.set_size({"width": 720, "height": 320})
    worksheet.insert_chart(at_row + (17 if has_programmes else 0), 0, by_stage)
