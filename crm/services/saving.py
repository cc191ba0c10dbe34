"""Saving an activity or an outcome report: a normal write while its quarter is open, a
restatement (with a reason) once the quarter is closed. The UI passes what the user typed; this
module alone decides which of the two writes it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from crm.db import begin_write
from crm.errors import FieldError, NotFound, ValidationError
from crm.models import ActivityStatus, OutcomeReport
from crm.quarters import Quarter
from crm.services import activities, outcomes
from crm.services.actor import Actor
from crm.services.closing import is_closed
from crm.services.permissions import Permission, can
from crm.services.quarters import (
    add_activity_restatement,
    add_outcome_report_restatement,
    restate_activity,
    restate_outcome_report,
)


class RestatementNeeded(ValidationError):
    """The save touches a closed quarter and has no reason: a manager must give one, anyone
    else must ask a manager. The message says which, on the field the UI shows it next to."""

    def __init__(self, quarter: Quarter, *, may_restate: bool, adding: bool, field: str) -> None:
        self.quarter = quarter
        self.may_restate = may_restate
        if may_restate:
            key, field = ("restate.new_needed" if adding else "restate.needed"), "reason"
        else:
            key = "restate.new_not_allowed" if adding else "restate.not_allowed"
        super().__init__(
            [FieldError(field, key, {"year": quarter.year, "quarter": quarter.number})]
        )


@dataclass(frozen=True)
class Saved:
    id: int
    restated: bool


def _given(reason: str | None) -> str | None:
    return reason if reason and reason.strip() else None


def _closed_quarter(session: Session, days: set[date]) -> Quarter | None:
    """The first closed quarter among the quarters of `days` (None if all are open)."""
    closed = [
        q for q in sorted({Quarter.of(d) for d in days}) if is_closed(session, q.year, q.number)
    ]
    return closed[0] if closed else None


def _reason_for(
    session: Session,
    actor: Actor,
    quarter: Quarter,
    reason: str | None,
    *,
    adding: bool = False,
    field: str,
) -> str:
    """The restatement reason, or a refusal (nothing written) when none was given."""
    why = _given(reason)
    if why is None:
        session.rollback()
        may_restate = can(actor.role, Permission.CLOSE_QUARTER)
        raise RestatementNeeded(quarter, may_restate=may_restate, adding=adding, field=field)
    return why


def save_activity(
    session: Session,
    actor: Actor,
    activity_id: int,
    *,
    version: int,
    changes: dict[str, Any],
    reason: str | None = None,
) -> Saved:
    """Edit an activity; a restatement when it is (or moves) into a closed quarter."""
    begin_write(session)  # the closed check and the write in one transaction
    current = activities.get_activity(session, activity_id)
    days = {current.start_on}
    if isinstance(changes.get("start_on"), date):
        days.add(changes["start_on"])
    closed = _closed_quarter(session, days)
    if closed is None:
        activities.update_activity(session, actor, activity_id, version=version, changes=changes)
        return Saved(activity_id, restated=False)
    why = _reason_for(session, actor, closed, reason, field="start_on")
    restate_activity(session, actor, activity_id, version=version, changes=changes, reason=why)
    return Saved(activity_id, restated=True)


def save_cancellation(
    session: Session, actor: Actor, activity_id: int, *, version: int, reason: str | None = None
) -> Saved:
    """Cancel an activity; in a closed quarter a restatement, for which the reason is required."""
    begin_write(session)
    current = activities.get_activity(session, activity_id)
    closed = _closed_quarter(session, {current.start_on})
    if closed is None:
        activities.cancel_activity(
            session, actor, activity_id, version=version, reason=_given(reason)
        )
        return Saved(activity_id, restated=False)
    why = _reason_for(session, actor, closed, reason, field="start_on")
    restate_activity(
        session,
        actor,
        activity_id,
        version=version,
        changes={"status": ActivityStatus.CANCELLED.value},
        reason=why,
    )
    return Saved(activity_id, restated=True)


def save_new_activity(
    session: Session, actor: Actor, new: activities.NewActivity, *, reason: str | None = None
) -> Saved:
    """Log an activity; one dated in a closed quarter is added as a restatement."""
    begin_write(session)
    closed = _closed_quarter(session, {new.start_on}) if isinstance(new.start_on, date) else None
    if closed is None:
        activity = activities.log_activity(session, actor, new)
        restated = False
    else:
        why = _reason_for(session, actor, closed, reason, adding=True, field="start_on")
        activity = add_activity_restatement(session, actor, new, reason=why)
        restated = True
    assert activity.id is not None
    return Saved(activity.id, restated=restated)


def save_outcome_report(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    version: int,
    changes: dict[str, Any],
    reason: str | None = None,
) -> Saved:
    """Correct an outcome report's figures; a restatement when its quarter is closed."""
    begin_write(session)
    report = session.get(OutcomeReport, report_id, populate_existing=True)
    if report is None:
        raise NotFound(entity="outcome_report", id=report_id)
    quarter = Quarter(report.year, report.quarter)
    if not is_closed(session, quarter.year, quarter.number):
        outcomes.update_outcome_report(session, actor, report_id, version=version, changes=changes)
        return Saved(report_id, restated=False)
    why = _reason_for(session, actor, quarter, reason, field="quarter")
    restate_outcome_report(session, actor, report_id, version=version, changes=changes, reason=why)
    return Saved(report_id, restated=True)


def save_new_outcome_report(
    session: Session,
    actor: Actor,
    *,
    company_id: int,
    year: int,
    quarter: int,
    figures: dict[str, Any],
    reason: str | None = None,
) -> Saved:
    """Add an outcome report; one for a closed quarter is added as a restatement."""
    begin_write(session)
    closed = (
        isinstance(year, int)
        and isinstance(quarter, int)
        and 1 <= quarter <= 4
        and is_closed(session, year, quarter)
    )
    if not closed:
        report = outcomes.create_outcome_report(
            session, actor, company_id=company_id, year=year, quarter=quarter, figures=figures
        )
        restated = False
    else:
        why = _reason_for(session, actor, Quarter(year, quarter), reason, field="quarter")
        report = add_outcome_report_restatement(
            session,
            actor,
            company_id=company_id,
            year=year,
            quarter=quarter,
            figures=figures,
            reason=why,
        )
        restated = True
    assert report.id is not None
    return Saved(report.id, restated=restated)
