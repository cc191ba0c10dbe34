"""Closing a reporting quarter (its figures frozen as of the close) and restating closed quarters.

Normal edits of activities and outcome reports dated in a closed quarter are refused
(crm.services.closing); a correction is a restatement: it needs a reason, writes a Restatement row
per closed quarter it touches, and is audited with action `restate`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from crm.errors import NotFound, ValidationError
from crm.models import (
    Activity,
    ActivityStatus,
    AuditAction,
    OutcomeReport,
    QuarterClose,
    Restatement,
    User,
)
from crm.portal.models import Provenance
from crm.quarters import Quarter
from crm.reports.figures import ReportFigures, as_utc, compute_figures
from crm.reports.options import Period
from crm.services import audit
from crm.services.activities import NewActivity, add_activity, get_activity
from crm.services.activities import validate_changes as validate_activity_changes
from crm.services.actor import Actor
from crm.services.closing import is_closed
from crm.services.editing import apply_changes, check_stale
from crm.services.outcomes import FIGURE_FIELDS, add_outcome_report
from crm.services.outcomes import cross_checks as cross_check_outcome
from crm.services.outcomes import validate_figures as validate_outcome_changes
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.provenance import figures_changed
from crm.validation import Checker

REASON_MAX = 500


@dataclass(frozen=True)
class ClosedQuarter:
    year: int
    quarter: int
    closed_at: datetime
    closed_by: str
    restatements: int


@dataclass(frozen=True)
class RestatementInfo:
    id: int
    year: int
    quarter: int
    entity: str
    entity_id: int
    reason: str
    by: str
    at: datetime


def _check_period(check: Checker, year: Any, quarter: Any) -> tuple[int | None, int | None]:
    y = check.integer("year", year, required=True, minimum=2000, maximum=2100)
    q = check.integer("quarter", quarter, required=True, minimum=1, maximum=4)
    return y, q


def close_quarter(
    session: Session, actor: Actor, year: int, quarter: int, *, today: date | None = None
) -> QuarterClose:
    """Close a quarter that has ended: store the report's figures as of now and audit it."""
    begin_authorised_write(session, actor, Permission.CLOSE_QUARTER)
    check = Checker()
    y, q = _check_period(check, year, quarter)
    check.raise_if_errors()
    assert y is not None and q is not None
    period = Period(y, q)
    if is_closed(session, y, q):
        check.fail("quarter", "error.quarter_already_closed", year=y, quarter=q)
    elif period.end >= (today or date.today()):
        check.fail("quarter", "error.quarter_not_ended", year=y, quarter=q)
    check.raise_if_errors()
    figures = compute_figures(session, period)
    close = QuarterClose(year=y, quarter=q, closed_by_id=actor.id, figures=figures.to_json())
    session.add(close)
    try:
        session.flush()
    except IntegrityError as exc:  # closed by someone else a moment ago
        session.rollback()
        check.fail("quarter", "error.quarter_already_closed", year=y, quarter=q)
        raise ValidationError(check.errors) from exc
    assert close.id is not None
    audit.record(
        session,
        actor,
        AuditAction.CLOSE,
        "quarter_close",
        close.id,
        field="quarter",
        new=period.label,
    )
    session.commit()
    return close


def _restatement_count(session: Session, year: int, quarter: int) -> int:
    return session.execute(
        select(func.count())
        .select_from(Restatement)
        .where(Restatement.year == year, Restatement.quarter == quarter)
    ).scalar_one()


def closed_quarter(session: Session, year: int, quarter: int) -> ClosedQuarter | None:
    """When and by whom a quarter was closed, and how many restatements came after; None if open."""
    row = session.execute(
        select(QuarterClose.closed_at, User.display_name)
        .join(User, col(User.id) == QuarterClose.closed_by_id)
        .where(QuarterClose.year == year, QuarterClose.quarter == quarter)
    ).first()
    if row is None:
        return None
    closed_at = as_utc(row[0])
    assert closed_at is not None
    return ClosedQuarter(
        year, quarter, closed_at, row[1], _restatement_count(session, year, quarter)
    )


def list_closed_quarters(session: Session) -> list[ClosedQuarter]:
    pairs = session.execute(
        select(QuarterClose.year, QuarterClose.quarter).order_by(
            col(QuarterClose.year), col(QuarterClose.quarter)
        )
    ).all()
    return [c for y, q in pairs if (c := closed_quarter(session, y, q)) is not None]


def frozen_figures(session: Session, year: int, quarter: int) -> ReportFigures | None:
    """The figures stored when the quarter was closed; None if it is open."""
    stored = session.execute(
        select(QuarterClose.figures).where(
            QuarterClose.year == year, QuarterClose.quarter == quarter
        )
    ).scalar()
    return ReportFigures.from_json(stored) if stored else None


def list_restatements(
    session: Session, *, year: int | None = None, up_to_quarter: int | None = None
) -> list[RestatementInfo]:
    """Restatements, oldest first; optionally of one year's quarters up to `up_to_quarter`."""
    query = (
        select(
            Restatement.id,
            Restatement.year,
            Restatement.quarter,
            Restatement.entity,
            Restatement.entity_id,
            Restatement.reason,
            User.display_name,
            Restatement.at,
        )
        .join(User, col(User.id) == Restatement.actor_id)
        .order_by(col(Restatement.id))
    )
    if year is not None:
        query = query.where(Restatement.year == year)
    if up_to_quarter is not None:
        query = query.where(col(Restatement.quarter) <= up_to_quarter)
    return [
        RestatementInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], as_utc(r[7]) or r[7])
        for r in session.execute(query).all()
    ]


def _reason(check: Checker, reason: str | None) -> str | None:
    return check.text("reason", reason, required=True, max_len=REASON_MAX)


def _closed_among(session: Session, periods: set[tuple[int, int]]) -> list[tuple[int, int]]:
    return sorted(p for p in periods if is_closed(session, *p))


def _record(
    session: Session,
    actor: Actor,
    periods: list[tuple[int, int]],
    entity: str,
    entity_id: int,
    reason: str,
) -> list[Restatement]:
    rows = []
    for year, quarter in periods:
        row = Restatement(
            year=year,
            quarter=quarter,
            entity=entity,
            entity_id=entity_id,
            reason=reason,
            actor_id=actor.id,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(
            session,
            actor,
            AuditAction.RESTATE,
            "restatement",
            row.id,
            field="reason",
            new=reason,
            context=f"{entity} #{entity_id} {year}-Q{quarter}",
        )
        rows.append(row)
    return rows


def _changes_anything(obj: Any, clean: dict[str, Any]) -> bool:
    return any(audit.to_text(getattr(obj, f)) != audit.to_text(v) for f, v in clean.items())


def _restate(
    session: Session,
    actor: Actor,
    row: Activity | OutcomeReport,
    entity: str,
    version: int,
    clean: dict[str, Any],
    periods: list[tuple[int, int]],
    why: str,
) -> None:
    """Apply a checked correction as a restatement of the closed `periods`: the changes audited
    as RESTATE, one Restatement row per period, one commit (nothing on any failure)."""
    check_stale(session, row, entity, version, clean)
    try:
        apply_changes(
            session,
            actor,
            row,
            entity,
            clean,
            action=AuditAction.RESTATE,
            context=f"restatement {', '.join(f'{y}-Q{q}' for y, q in periods)}",
        )
        _record(session, actor, periods, entity, row.id, why)
        if entity == "outcome_report":  # restated figures are the officer's, not the company's
            figures_changed(session, actor, [row.id], Provenance.OFFICER)
        session.commit()
    except Exception:
        session.rollback()
        raise


def restate_activity(
    session: Session,
    actor: Actor,
    activity_id: int,
    *,
    version: int,
    changes: dict[str, Any],
    reason: str,
) -> Activity:
    """Correct an activity dated in a closed quarter (or moved into one)."""
    begin_authorised_write(session, actor, Permission.CLOSE_QUARTER)
    activity = get_activity(session, activity_id)
    check = Checker()
    why = _reason(check, reason)
    if activity.status == ActivityStatus.CANCELLED:
        check.fail("status", "error.activity_cancelled")
        check.raise_if_errors()
    clean = validate_activity_changes(session, check, changes, partial=True, current=activity)
    days = {activity.start_on, clean.get("start_on") or activity.start_on}
    periods = _closed_among(session, {(d.year, Quarter.of(d).number) for d in days})
    if not periods:
        check.fail("start_on", "error.quarter_not_closed")
    elif not _changes_anything(activity, clean):
        check.fail("reason", "error.restatement_no_change")
    check.raise_if_errors()
    assert why is not None
    _restate(session, actor, activity, "activity", version, clean, periods, why)
    return activity


def restate_outcome_report(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    version: int,
    changes: dict[str, Any],
    reason: str,
) -> OutcomeReport:
    """Correct the figures of an outcome report of a closed quarter."""
    begin_authorised_write(session, actor, Permission.CLOSE_QUARTER)
    report = session.get(OutcomeReport, report_id, populate_existing=True)
    if report is None:
        raise NotFound(entity="outcome_report", id=report_id)
    check = Checker()
    why = _reason(check, reason)
    clean = validate_outcome_changes(check, changes, partial=True)
    cross_check_outcome(check, {f: clean.get(f, getattr(report, f)) for f in FIGURE_FIELDS})
    periods = _closed_among(session, {(report.year, report.quarter)})
    if not periods:
        check.fail("quarter", "error.quarter_not_closed")
    elif not _changes_anything(report, clean):
        check.fail("reason", "error.restatement_no_change")
    check.raise_if_errors()
    assert why is not None
    _restate(session, actor, report, "outcome_report", version, clean, periods, why)
    return report


def add_activity_restatement(
    session: Session, actor: Actor, new: NewActivity, *, reason: str
) -> Activity:
    """Add an activity dated in a closed quarter (one that was missed before the close)."""
    begin_authorised_write(session, actor, Permission.CLOSE_QUARTER)
    check = Checker()
    why = _reason(check, reason)
    day = check.day("start_on", new.start_on, required=True)
    periods = _closed_among(session, {(day.year, Quarter.of(day).number)}) if day else []
    if day and not periods:
        check.fail("start_on", "error.quarter_not_closed")
    check.raise_if_errors()
    assert why is not None
    try:
        activity = add_activity(session, actor, new, context="restatement", restating=True)
        assert activity.id is not None
        _record(session, actor, periods, "activity", activity.id, why)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return activity


def add_outcome_report_restatement(
    session: Session,
    actor: Actor,
    *,
    company_id: int,
    year: int,
    quarter: int,
    figures: dict[str, Any],
    reason: str,
) -> OutcomeReport:
    """Add an outcome report for a closed quarter (one that came in after the close)."""
    begin_authorised_write(session, actor, Permission.CLOSE_QUARTER)
    check = Checker()
    why = _reason(check, reason)
    y, q = _check_period(check, year, quarter)
    periods = _closed_among(session, {(y, q)}) if y and q else []
    if y and q and not periods:
        check.fail("quarter", "error.quarter_not_closed")
    check.raise_if_errors()
    assert why is not None and y is not None and q is not None
    try:
        report = add_outcome_report(
            session,
            actor,
            company_id=company_id,
            year=y,
            quarter=q,
            figures=figures,
            context="restatement",
            restating=True,
        )
        assert report.id is not None
        _record(session, actor, periods, "outcome_report", report.id, why)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report
