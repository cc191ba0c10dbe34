"""The services' own rules, run without writing, so the preview reports exactly what saving
would refuse. Field checks are the services' validators themselves; the few rules the services
write inline (stage, archive, closed quarter, uniqueness) are repeated here with the same
messages, and tests/db/test_importer_validation.py holds each one equal to its service."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from crm.errors import FieldError
from crm.models import Activity, ActivityStatus, Company, OutcomeReport, Stage
from crm.services import activities as activity_service
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.closing import check_open
from crm.services.companies import NewCompany
from crm.services.queries import quarter_of_day
from crm.validation import Checker

Closed = set[tuple[int, int]]
_STAGES = [s.value for s in Stage]


def _open(check: Checker, session: Session, field: str, closed: Closed, day: date) -> None:
    """check_open, asked only when the quarter is among the closed ones loaded up front."""
    if (day.year, quarter_of_day(day)) in closed:
        check_open(check, session, field, day=day)


def check_new_company(
    session: Session, new: NewCompany, brn_owner: dict[str, str]
) -> tuple[dict[str, Any], list[FieldError]]:
    """add_company's checks; `brn_owner` maps registration numbers already taken to names."""
    return check_new_profile(session, new.profile(), new.stage, new.stage_since, brn_owner)


def check_new_profile(
    session: Session,
    profile: dict[str, Any],
    stage_value: Any,
    stage_since: Any,
    brn_owner: dict[str, str],
) -> tuple[dict[str, Any], list[FieldError]]:
    """check_new_company on a NewCompany's profile() dict, stage and stage date (an import
    builds the dict directly instead of one NewCompany per row)."""
    check = Checker()
    founded = profile["founded_on"]
    clean = company_service.validate_profile(session, check, profile, partial=False)
    stage = check.choice("stage", stage_value, _STAGES)
    check.day("stage_since", stage_since, required=True)
    if stage == Stage.PRE_STARTUP:
        if clean.get("brn"):
            check.fail("brn", "error.brn_pre_startup")
        if clean.get("founded_on"):
            check.fail("founded_on", "error.founded_pre_startup")
    elif stage is not None and clean.get("founded_on") is None and founded in (None, ""):
        check.fail("founded_on", "error.founded_required")
    brn = clean.get("brn")
    if brn and brn in brn_owner:
        check.fail("brn", "error.brn_duplicate", name=brn_owner[brn])
    return clean, check.errors


def check_company_changes(
    session: Session,
    company: Company,
    changes: dict[str, Any],
    stage_after: str,
    brn_owner: dict[str, tuple[int, str]],
) -> tuple[dict[str, Any], list[FieldError]]:
    """update_company's checks on the fields a row changes (stage_after: the stage the company
    will be at once the row's stage change, if any, is saved)."""
    check = Checker()
    clean = company_service.validate_profile(session, check, changes, partial=True)
    if check.errors:
        return clean, check.errors
    if company.archived:
        check.fail("company", "error.company_archived")
    merged = {f: clean.get(f, getattr(company, f)) for f in company_service.PROFILE_FIELDS}
    if stage_after == Stage.PRE_STARTUP:
        if clean.get("brn"):
            check.fail("brn", "error.brn_pre_startup")
        if clean.get("founded_on"):
            check.fail("founded_on", "error.founded_pre_startup")
    elif "founded_on" in clean and merged["founded_on"] is None:
        check.fail("founded_on", "error.founded_required")
    brn = clean.get("brn")
    if brn and brn in brn_owner and brn_owner[brn][0] != company.id:
        check.fail("brn", "error.brn_duplicate", name=brn_owner[brn][1])
    return clean, check.errors


def check_stage_change(
    company: Company,
    last: tuple[str, date],
    target: Stage,
    day: date,
    founded_on: date | None,
    today: date,
) -> list[FieldError]:
    """change_stage's checks for a stage a row moves a company to (an import gives no reason,
    so moving back is refused as it is without one)."""
    check = Checker()
    last_stage, last_day = Stage(last[0]), last[1]
    if company.archived:
        check.fail("company", "error.company_archived")
    if day < last_day:
        check.fail("stage_since", "error.stage_date_order", last=last_day.isoformat())
    if day > today:
        check.fail("stage_since", "error.date_future")
    if target.rank < last_stage.rank:
        check.fail("stage", "error.stage_backward_reason")
    leaving_pre = last_stage == Stage.PRE_STARTUP and target != Stage.PRE_STARTUP
    if leaving_pre and founded_on is None:
        check.fail("founded_on", "error.founded_required")
    return check.errors


def check_new_activity(
    session: Session, new: activity_service.NewActivity, archived: bool, closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """add_activity's checks (`archived`: the company's state; a company being created is not)."""
    check = Checker()
    data = {f: getattr(new, f) for f in activity_service.EDITABLE_FIELDS}
    clean = activity_service.validate_changes(session, check, data, partial=False, current=None)
    if archived:
        check.fail("company_id", "error.company_archived")
    if clean.get("start_on"):
        _open(check, session, "start_on", closed, clean["start_on"])
    return clean, check.errors


def check_activity_changes(
    session: Session, activity: Activity, changes: dict[str, Any], closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """update_activity's checks."""
    check = Checker()
    if activity.status == ActivityStatus.CANCELLED:
        check.fail("status", "error.activity_cancelled")
        return {}, check.errors
    clean = activity_service.validate_changes(
        session, check, changes, partial=True, current=activity
    )
    _open(check, session, "start_on", closed, activity.start_on)
    if clean.get("start_on"):
        _open(check, session, "start_on", closed, clean["start_on"])
    return clean, check.errors


def check_new_outcome(
    session: Session, year: int | None, quarter: int | None, figures: dict[str, Any], closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """add_outcome_report's checks (the company exists and has no report for the quarter)."""
    check = Checker()
    y = check.integer("year", year, required=True, minimum=2000, maximum=2100)
    q = check.integer("quarter", quarter, required=True, minimum=1, maximum=4)
    clean = outcome_service.validate_figures(check, figures, partial=False)
    outcome_service.cross_checks(check, clean)
    if y and q and (y, q) in closed:
        check_open(check, session, "quarter", year=y, quarter=q)
    return clean, check.errors


def check_outcome_changes(
    session: Session, report: OutcomeReport, changes: dict[str, Any], closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """update_outcome_report's checks."""
    check = Checker()
    clean = outcome_service.validate_figures(check, changes, partial=True)
    merged = {f: clean.get(f, getattr(report, f)) for f in outcome_service.FIGURE_FIELDS}
    outcome_service.cross_checks(check, merged)
    if (report.year, report.quarter) in closed:
        check_open(check, session, "quarter", year=report.year, quarter=report.quarter)
    return clean, check.errors
