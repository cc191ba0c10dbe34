"""The detail sheets: Companies, one per kind of support, Stage moves, Outcomes (streamed rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select
from xlsxwriter.worksheet import Worksheet

from crm import countries
from crm.clock import zone_label
from crm.i18n import t
from crm.kinds.spec import KindField, kind_fields
from crm.models import ActivityStatus, Industry, Programme, Stage, SupportKind
from crm.reports import rows
from crm.reports.cells import with_unit
from crm.reports.options import ReportOptions
from crm.reports.provenance import outcome_provenance
from crm.reports.times import office_time
from crm.reports.writer import Cell, Column, Formats, TableWriter, Total, finish_table

RowsWritten = Callable[[int], None]
TICK_EVERY = 5_000


@dataclass(frozen=True)
class KindSheet:
    code: str
    name: str
    fields: list[KindField]


def report_kinds(session: Session, lang: str) -> list[KindSheet]:
    """Every kind some programme uses, in its sort order (a kind no programme uses has nothing
    to report); its columns come from the kind's declaration, retired fields included (their
    stored values are still reported)."""
    used = select(Programme.id).where(Programme.kind == SupportKind.code).exists()
    found = session.execute(
        select(SupportKind.code, SupportKind.name_ko, SupportKind.name_en, SupportKind.fields)
        .where(used)
        .order_by(col(SupportKind.sort_order), col(SupportKind.code))
    ).all()
    return [
        KindSheet(c, ko if lang == "ko" else en, kind_fields(f, include_retired=True))
        for c, ko, en, f in found
    ]


def _labels(prefix: str, codes: Iterable[str], lang: str) -> dict[str, str]:
    return {code: t(f"{prefix}.{code}", lang) for code in codes}


CELLS = {"integer": Cell.INT, "decimal": Cell.DECIMAL, "hours": Cell.DECIMAL}


def field_column(declared: KindField | dict[str, Any], lang: str, unit: str) -> Column:
    """A kind field's column: its label (and unit), typed and totalled by its declared type."""
    spec = declared if isinstance(declared, KindField) else KindField.from_json(declared)
    if spec.is_money:
        return Column(with_unit(spec.label(lang), unit), Cell.KRW, Total.SUM)
    if spec.type in CELLS:
        return Column(spec.heading(lang), CELLS[spec.type], Total.SUM)
    if spec.type == "date":
        return Column(spec.label(lang), Cell.DATE)
    return Column(spec.label(lang), Cell.TEXT)


def field_value(spec: KindField, value: Any, lang: str) -> Any:
    """A stored value as its cell shows it: choice labels, country names, dates as dates."""
    if value is None or value == "":
        return None
    if spec.type == "choice":
        return spec.choice_label(value, lang)
    if spec.type == "country" and isinstance(value, str):  # "베트남" / "Viet Nam", not "VN"
        return countries.name(value, lang)
    if spec.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _stream_into(
    table: TableWriter,
    source: Iterable[Sequence[Any]],
    shape: Callable[[Sequence[Any]], Sequence[Any]],
    on_rows: RowsWritten | None,
) -> None:
    written = 0
    for raw in source:
        table.write_row(shape(raw))
        written += 1
        if on_rows is not None and written % TICK_EVERY == 0:
            on_rows(written)
    if on_rows is not None:
        on_rows(written)


def _fill_table(
    worksheet: Worksheet,
    table: TableWriter,
    source: Iterable[Sequence[Any]],
    shape: Callable[[Sequence[Any]], Sequence[Any]],
    on_rows: RowsWritten | None,
    lang: str,
    *,
    freeze_cols: int,
    label_col: int = 0,
) -> TableWriter:
    """A detail sheet's table: header, streamed rows, totals row, then widths and printing."""
    table.write_header()
    _stream_into(table, source, shape, on_rows)
    table.write_totals(t("report.total", lang), label_col=label_col)
    finish_table(worksheet, table, title=worksheet.get_name(), freeze_cols=freeze_cols)
    return table


def write_companies(
    worksheet: Worksheet,
    formats: Formats,
    session: Session,
    options: ReportOptions,
    kinds: Sequence[KindSheet],
    *,
    on_rows: RowsWritten | None = None,
) -> TableWriter:
    lang, period = options.lang, options.period
    unit = t(f"report.unit.{options.unit.value}", lang)
    columns = [
        Column(t("report.col.company_id", lang), Cell.ID),
        Column(t("report.col.company", lang), Cell.TEXT, min_width=16),
        Column(t("report.col.stage_end", lang), Cell.TEXT),
        Column(t("report.col.industry", lang), Cell.TEXT),
        Column(t("report.col.officer", lang), Cell.TEXT),
    ]
    for name in [k.name for k in kinds] + [t("report.col.all_kinds", lang)]:
        columns += [
            Column(t("report.col.kind_count_q", lang, kind=name), Cell.INT, Total.SUM),
            Column(
                with_unit(t("report.col.kind_krw_q", lang, kind=name), unit), Cell.KRW, Total.SUM
            ),
            Column(t("report.col.kind_count_ytd", lang, kind=name), Cell.INT, Total.SUM),
            Column(
                with_unit(t("report.col.kind_krw_ytd", lang, kind=name), unit), Cell.KRW, Total.SUM
            ),
        ]
    columns.append(Column(t("report.col.last_support", lang), Cell.DATE))
    stages = _labels("stage", [s.value for s in Stage], lang)
    industries = _labels("industry", [i.value for i in Industry], lang)

    def shape(r: Sequence[Any]) -> list[Any]:
        # Sums arrive as Decimal on PostgreSQL; the writer turns those into int.
        return [r[0], r[1], stages.get(r[2], r[2]), industries.get(r[3], r[3]), *r[4:]]

    table = TableWriter(worksheet, formats, columns, divisor=options.unit.divisor)
    source = rows.company_rows(session, period, [k.code for k in kinds], lang)
    return _fill_table(worksheet, table, source, shape, on_rows, lang, freeze_cols=2)


def write_kind(
    worksheet: Worksheet,
    formats: Formats,
    session: Session,
    options: ReportOptions,
    kind: KindSheet,
    *,
    on_rows: RowsWritten | None = None,
) -> TableWriter:
    lang = options.lang
    unit = t(f"report.unit.{options.unit.value}", lang)
    columns = [
        Column(t("report.col.activity_id", lang), Cell.ID),
        Column(t("report.col.start_on", lang), Cell.DATE),
        Column(t("report.col.end_on", lang), Cell.DATE),
        Column(t("report.col.company_id", lang), Cell.ID),
        Column(t("report.col.company", lang), Cell.TEXT, min_width=16),
        Column(t("report.col.programme", lang), Cell.TEXT),
        Column(t("report.col.status", lang), Cell.TEXT),
        Column(with_unit(t("report.col.amount", lang), unit), Cell.KRW, Total.SUM),
        Column(t("report.col.officer", lang), Cell.TEXT),
        *[field_column(f, lang, unit) for f in kind.fields],
        Column(t("report.col.notes", lang), Cell.TEXT),
    ]
    statuses = _labels("status", [s.value for s in ActivityStatus], lang)

    def shape(r: Sequence[Any]) -> list[Any]:
        details = r[10] if isinstance(r[10], dict) else {}
        extra = [field_value(f, details.get(f.name), lang) for f in kind.fields]
        return [*r[:6], statuses.get(r[6], r[6]), r[7], r[8], *extra, r[9]]

    table = TableWriter(worksheet, formats, columns, divisor=options.unit.divisor)
    source = rows.kind_activity_rows(session, options.period, kind.code, lang)
    return _fill_table(worksheet, table, source, shape, on_rows, lang, freeze_cols=1)


def write_stage_moves(
    worksheet: Worksheet,
    formats: Formats,
    session: Session,
    options: ReportOptions,
    *,
    on_rows: RowsWritten | None = None,
) -> TableWriter:
    lang = options.lang
    columns = [
        Column(t("report.col.company_id", lang), Cell.ID, Total.COUNT),
        Column(t("report.col.company", lang), Cell.TEXT, min_width=16),
        Column(t("report.col.from_stage", lang), Cell.TEXT),
        Column(t("report.col.to_stage", lang), Cell.TEXT),
        Column(t("report.col.entered_on", lang), Cell.DATE),
        Column(t("report.col.reason", lang), Cell.TEXT),
        Column(t("report.col.recorded_by", lang), Cell.TEXT),
        Column(t("report.col.recorded_at_zone", lang, zone=zone_label()), Cell.DATETIME),
    ]
    stages = _labels("stage", [s.value for s in Stage], lang)

    def shape(r: Sequence[Any]) -> list[Any]:
        # Recorded (UTC) shown as the office's wall time, as the header says.
        moved = [r[0], r[1], stages.get(r[2], r[2]), stages.get(r[3], r[3]), *r[4:7]]
        return [*moved, office_time(r[7])]

    # The company-id column counts the moves, so the label goes next to it.
    table = TableWriter(worksheet, formats, columns, divisor=options.unit.divisor)
    source = rows.stage_move_rows(session, options.period, lang)
    return _fill_table(worksheet, table, source, shape, on_rows, lang, freeze_cols=2, label_col=1)


def write_outcomes(
    worksheet: Worksheet,
    formats: Formats,
    session: Session,
    options: ReportOptions,
    *,
    on_rows: RowsWritten | None = None,
) -> TableWriter:
    lang = options.lang
    unit = t(f"report.unit.{options.unit.value}", lang)

    def n(key: str) -> Column:
        return Column(t(key, lang), Cell.INT, Total.SUM)

    def krw(key: str) -> Column:
        return Column(with_unit(t(key, lang), unit), Cell.KRW, Total.SUM)

    columns = [
        Column(t("report.col.company_id", lang), Cell.ID),
        Column(t("report.col.company", lang), Cell.TEXT, min_width=16),
        n("report.col.employees"),
        n("report.col.new_hires_q"),
        krw("report.col.revenue_q"),
        n("report.col.patents_filed_q"),
        n("report.col.patents_registered_q"),
        krw("report.col.investment_q"),
        krw("report.col.exports_q"),
        n("report.col.new_hires_ytd"),
        n("report.col.patents_filed_ytd"),
        n("report.col.patents_registered_ytd"),
        krw("report.col.investment_ytd"),
        krw("report.col.exports_ytd"),
        Column(t("report.col.provenance", lang), Cell.TEXT, min_width=14),
        Column(t("report.col.evidence", lang), Cell.INT, Total.SUM),
    ]
    provenance = outcome_provenance(session, options.period, lang)

    def shape(r: Sequence[Any]) -> list[Any]:
        found = provenance.get(int(r[0]))
        return [*r, found.label, found.evidence] if found else [*r, None, None]

    table = TableWriter(worksheet, formats, columns, divisor=options.unit.divisor)
    source = rows.outcome_rows(session, options.period, lang)
    return _fill_table(worksheet, table, source, shape, on_rows, lang, freeze_cols=2)
