"""Quarterly outcome reports: the figures each company reports for the ministry."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm.errors import NotFound, ValidationError
from crm.models import AuditAction, Company, OutcomeReport
from crm.portal.models import Provenance
from crm.services import audit
from crm.services.actor import Actor
from crm.services.closing import check_open
from crm.services.editing import apply_changes, check_stale
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.provenance import figures_changed
from crm.validation import MAX_KRW, Checker, is_money_field

FIGURE_FIELDS = (
    "employees",
    "new_hires",
    "revenue_krw",
    "patents_filed",
    "patents_registered",
    "investment_krw",
    "exports_krw",
)


def validate_figures(check: Checker, data: dict[str, Any], partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for field in FIGURE_FIELDS:
        if field in data or not partial:
            maximum = MAX_KRW if is_money_field(field) else 1_000_000
            value = data.get(field)
            clean[field] = check.integer(
                field, 0 if value in (None, "") else value, maximum=maximum
            )
    if "notes" in data:
        clean["notes"] = check.text("notes", data.get("notes"), max_len=10_000, multiline=True)
    for name in sorted(set(data) - set(FIGURE_FIELDS) - {"notes"}):
        check.fail(name, "error.unknown_field")
    return clean


def cross_checks(check: Checker, figures: dict[str, Any]) -> None:
    if (figures.get("new_hires") or 0) > (figures.get("employees") or 0):
        check.fail("new_hires", "error.hires_exceed")
    if (figures.get("patents_registered") or 0) > (figures.get("patents_filed") or 0):
        check.fail("patents_registered", "error.patents_exceed")


def add_outcome_report(
    session: Session,
    actor: Actor,
    *,
    company_id: int,
    year: int,
    quarter: int,
    figures: dict[str, Any],
    context: str | None = None,
    restating: bool = False,
) -> OutcomeReport:
    """Validate and add one report; the caller commits."""
    check = Checker()
    y = check.integer("year", year, required=True, minimum=2000, maximum=2100)
    q = check.integer("quarter", quarter, required=True, minimum=1, maximum=4)
    clean = validate_figures(check, figures, partial=False)
    cross_checks(check, clean)
    if session.get(Company, company_id) is None:
        check.fail("company_id", "error.not_found", entity="company", id=company_id)
    elif y and q:
        dup = session.exec(
            select(OutcomeReport).where(
                OutcomeReport.company_id == company_id,
                OutcomeReport.year == y,
                OutcomeReport.quarter == q,
            )
        ).first()
        if dup is not None:
            check.fail("quarter", "error.outcome_duplicate")
        if not restating:
            check_open(check, session, "quarter", year=y, quarter=q)
    check.raise_if_errors()
    report = OutcomeReport(company_id=company_id, year=y, quarter=q, **clean)
    session.add(report)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ValidationError([]) from exc
    assert report.id is not None
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "outcome_report",
        report.id,
        version=report.version,
        new={"company_id": company_id, "year": y, "quarter": q, **clean},
        context=context,
    )
    return report


def create_outcome_report(
    session: Session,
    actor: Actor,
    *,
    company_id: int,
    year: int,
    quarter: int,
    figures: dict[str, Any],
) -> OutcomeReport:
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    report = add_outcome_report(
        session, actor, company_id=company_id, year=year, quarter=quarter, figures=figures
    )
    session.commit()
    return report


def update_outcome_report(
    session: Session, actor: Actor, report_id: int, *, version: int, changes: dict[str, Any]
) -> OutcomeReport:
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    report = session.get(OutcomeReport, report_id, populate_existing=True)
    if report is None:
        raise NotFound(entity="outcome_report", id=report_id)
    check = Checker()
    clean = validate_figures(check, changes, partial=True)
    merged = {f: clean.get(f, getattr(report, f)) for f in FIGURE_FIELDS}
    cross_checks(check, merged)
    check_open(check, session, "quarter", year=report.year, quarter=report.quarter)
    check.raise_if_errors()
    check_stale(session, report, "outcome_report", version, clean)
    apply_changes(session, actor, report, "outcome_report", clean)
    if clean:  # edited figures are the officer's, not the company's that submitted them
        figures_changed(session, actor, [report_id], Provenance.OFFICER)
    session.commit()
    return report


def reports_for_company(session: Session, company_id: int) -> list[OutcomeReport]:
    return list(
        session.exec(
            select(OutcomeReport)
            .where(OutcomeReport.company_id == company_id)
            .order_by(OutcomeReport.year, OutcomeReport.quarter)  # type: ignore[arg-type]
        ).all()
    )
