"""Where each outcome figure came from, for the quarterly workbook: entered by an officer,
submitted by the company and accepted (by whom), or imported; how many evidence files back it;
and the Summary's counts of the quarter's data requests (asked, submitted, accepted,
outstanding). Only accepted answers ever become outcome reports, so every Summary figure is an
accepted, officer-entered or imported one."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from xlsxwriter.worksheet import Worksheet

from crm.i18n import t
from crm.models import AuditEntry, OutcomeReport, User
from crm.portal.models import (
    AskStatus,
    DataRequest,
    DataRequestCompany,
    Evidence,
    OutcomeProvenance,
    Provenance,
)
from crm.reports.options import Period
from crm.reports.writer import Cell, Column, Formats, TableWriter


@dataclass(frozen=True)
class RowProvenance:
    label: str
    evidence: int


@dataclass(frozen=True)
class RequestCounts:
    asked: int
    submitted: int
    accepted: int
    outstanding: int


def provenance_label(source: str, accepted_by: str | None, lang: str) -> str:
    label = t(f"portal.provenance.{source}", lang)
    if source == Provenance.COMPANY.value and accepted_by:
        return t("portal.provenance.accepted_by", lang, label=label, name=accepted_by)
    return label


def _sources(
    session: Session, condition: sa.ColumnElement[bool], lang: str
) -> list[tuple[int, int, RowProvenance]]:
    """(report id, company id, provenance) of the outcome reports matching `condition`."""
    evidence = (
        select(Evidence.ask_id, func.count().label("files"))
        .group_by(Evidence.ask_id)
        .subquery("files")
    )
    imported = (
        select(AuditEntry.entity_id)
        .where(
            AuditEntry.entity == "outcome_report",
            AuditEntry.action == "create",
            col(AuditEntry.context).like("import #%"),
        )
        .subquery("imported")
    )
    rows = session.execute(
        select(
            OutcomeReport.id,
            OutcomeReport.company_id,
            OutcomeProvenance.source,
            User.display_name,
            evidence.c.files,
            imported.c.entity_id,
        )
        .outerjoin(
            OutcomeProvenance,
            col(OutcomeProvenance.outcome_report_id) == col(OutcomeReport.id),
        )
        .outerjoin(User, col(User.id) == OutcomeProvenance.accepted_by_id)
        .outerjoin(evidence, evidence.c.ask_id == OutcomeProvenance.ask_id)
        .outerjoin(imported, imported.c.entity_id == OutcomeReport.id)
        .where(condition)
    ).all()
    out: list[tuple[int, int, RowProvenance]] = []
    for report_id, company_id, source, accepted_by, files, imported_id in rows:
        if source is None:
            source = Provenance.IMPORT.value if imported_id is not None else "officer"
        label = provenance_label(source, accepted_by, lang)
        out.append((int(report_id), int(company_id), RowProvenance(label, int(files or 0))))
    return out


def outcome_provenance(session: Session, period: Period, lang: str) -> dict[int, RowProvenance]:
    """Per company with a report for the quarter: its provenance label and evidence count."""
    condition = sa.and_(OutcomeReport.year == period.year, OutcomeReport.quarter == period.quarter)
    return {company: found for _, company, found in _sources(session, condition, lang)}


def company_sources(session: Session, company_id: int, lang: str) -> dict[int, RowProvenance]:
    """Per outcome report of one company (by report id): its provenance and evidence count."""
    rows = _sources(session, OutcomeReport.company_id == company_id, lang)
    return {report: found for report, _, found in rows}


def request_counts(session: Session, year: int, quarter: int) -> RequestCounts:
    """Companies asked for the quarter's figures (by any request), how many submitted (now
    under review or accepted), were accepted, and are outstanding (not yet submitted)."""
    ask = DataRequestCompany
    rows = session.execute(
        select(ask.status, func.count(sa.distinct(ask.company_id)))
        .join(DataRequest, col(DataRequest.id) == ask.request_id)
        .where(DataRequest.year == year, DataRequest.quarter == quarter)
        .group_by(ask.status)
    ).all()
    by_status = {str(s): int(n) for s, n in rows}
    accepted = by_status.get(AskStatus.ACCEPTED.value, 0)
    submitted = by_status.get(AskStatus.SUBMITTED.value, 0) + accepted
    asked = sum(by_status.values())
    return RequestCounts(asked, submitted, accepted, asked - submitted)


def write_request_counts(
    worksheet: Worksheet, formats: Formats, counts: RequestCounts, lang: str, top: int
) -> int:
    """The Summary's data-request table at row `top`; returns the next free row."""
    worksheet.write_string(top, 0, t("report.requests.title", lang), formats.section)
    table = TableWriter(
        worksheet,
        formats,
        [
            Column(t("report.col.item", lang), Cell.TEXT, min_width=16),
            Column(t("report.requests.companies", lang), Cell.INT),
        ],
        top=top + 1,
    )
    table.write_header()
    for key, value in (
        ("asked", counts.asked),
        ("submitted", counts.submitted),
        ("accepted", counts.accepted),
        ("outstanding", counts.outstanding),
    ):
        table.write_row([t(f"report.requests.{key}", lang), value])
    return table.row + 1
