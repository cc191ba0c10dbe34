"""The About sheet: when, by whom, data as of, filters, every figure's definition, restatements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import zip_longest

from xlsxwriter.worksheet import Worksheet

from crm.clock import zone_label
from crm.i18n import t
from crm.reports.options import ReportOptions
from crm.reports.restatements import RestatementLine
from crm.reports.times import office_stamp, office_time
from crm.reports.writer import Cell, Column, Formats, TableWriter, print_setup, set_widths
from crm.services.quarters import ClosedQuarter

DEFINITION_KEYS = (
    "report.def.period",
    "report.def.live",
    "report.def.spend",
    "report.def.cohort_companies",
    "report.def.supported",
    "report.def.programmes",
    "report.def.stage_at",
    "report.def.moves",
    "report.def.outcomes",
    "report.def.companies_sheet",
    "report.def.kind_sheets",
    "report.def.outcomes_sheet",
    "report.def.provenance",
    "report.def.closed",
)
VALUE_WIDTH = 100


@dataclass(frozen=True)
class Provenance:
    generated_at: datetime
    generated_by: str
    data_as_of: datetime | None


def write_about(
    worksheet: Worksheet,
    formats: Formats,
    options: ReportOptions,
    provenance: Provenance,
    *,
    closed: ClosedQuarter | None,
    restatements: Sequence[RestatementLine],
) -> None:
    lang, period = options.lang, options.period
    text, stamp = [Cell.TEXT, Cell.TEXT], [Cell.TEXT, Cell.DATETIME]
    items: list[tuple[str, object, list[Cell]]] = [
        (
            t("report.about.report", lang),
            t(
                "report.about.report_value",
                lang,
                year=period.year,
                quarter=period.quarter,
                end=period.end.isoformat(),
            ),
            text,
        ),
        (
            t("report.about.generated_at_zone", lang, zone=zone_label(provenance.generated_at)),
            office_time(provenance.generated_at),
            stamp,
        ),
        (t("report.about.generated_by", lang), provenance.generated_by, text),
        (
            t("report.about.data_as_of_zone", lang, zone=zone_label(provenance.data_as_of)),
            office_time(provenance.data_as_of),
            stamp,
        ),
        (
            t("report.about.timezone", lang),
            t("report.about.timezone_value", lang, zone=zone_label(provenance.generated_at)),
            text,
        ),
        (
            t("report.about.filters", lang),
            t(
                "report.about.filters_value",
                lang,
                start=period.start.isoformat(),
                end=period.end.isoformat(),
                ytd_start=period.ytd_start.isoformat(),
            ),
            text,
        ),
        (t("report.about.unit", lang), t(f"report.unit.{options.unit.value}", lang), text),
        (t("report.about.language", lang), lang, text),
    ]
    if closed is None:
        items.append((t("report.about.status", lang), t("report.about.status_open", lang), text))
    else:
        status = t(
            "report.about.status_closed",
            lang,
            closed_at=office_stamp(closed.closed_at, lang),
            by=closed.closed_by,
        )
        count = t("report.about.restated_after_value", lang, count=closed.restatements)
        items += [
            (t("report.about.status", lang), status, text),
            (t("report.about.restated_after", lang), count, text),
        ]
    for i, key in enumerate(DEFINITION_KEYS):
        items.append((t("report.about.definitions", lang) if i == 0 else "", t(key, lang), text))

    facts = TableWriter(
        worksheet,
        formats,
        [
            Column(t("report.col.item", lang), Cell.TEXT),
            Column(t("report.col.value", lang), Cell.TEXT, wrap=True),
        ],
    )
    facts.write_header()
    for label, value, cells in items:
        facts.write_row([label or None, value], cells)
    widths = facts.final_widths()
    widths[1] = VALUE_WIDTH

    top = facts.row + 1
    worksheet.write_string(
        top,
        0,
        t("report.about.restatements", lang, year=period.year, quarter=period.quarter),
        formats.section,
    )
    listing = TableWriter(
        worksheet,
        formats,
        [
            Column(t("report.col.quarter", lang), Cell.TEXT),
            Column(t("report.col.record", lang), Cell.TEXT, min_width=16),
            Column(t("report.col.change", lang), Cell.TEXT, wrap=True),
            Column(t("report.col.reason", lang), Cell.TEXT, wrap=True),
            Column(t("report.col.recorded_by", lang), Cell.TEXT),
            Column(
                t("report.col.recorded_at_zone", lang, zone=zone_label(provenance.generated_at)),
                Cell.DATETIME,
            ),
        ],
        top=top + 1,
    )
    listing.write_header()
    for r in restatements:
        listing.write_row([r.period, r.record, r.change, r.reason, r.by, office_time(r.at)])
    if not restatements:
        listing.write_row([t("report.about.no_restatements", lang)])
    merged = [max(a, b) for a, b in zip_longest(widths, listing.final_widths(), fillvalue=0)]
    set_widths(worksheet, merged)
    worksheet.freeze_panes(1, 0)
    print_setup(worksheet, header_row=0, title=worksheet.get_name())
