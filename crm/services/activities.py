"""Support activities: log, edit (field-merged), cancel; each validated for its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from crm.errors import FieldError, NotFound, ValidationError
from crm.models import Activity, ActivityStatus, AuditAction, Company, Programme
from crm.services import audit
from crm.services.actor import Actor
from crm.services.closing import check_open
from crm.services.editing import apply_changes, check_stale
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.reference import get_kind
from crm.validation import MAX_KRW, Checker, validate_kind_fields

EDITABLE_FIELDS = (
    "programme_id",
    "start_on",
    "end_on",
    "status",
    "amount_krw",
    "officer_id",
    "notes",
    "details",
)


@dataclass(frozen=True)
class NewActivity:
    company_id: int
    programme_id: int
    start_on: date | str
    status: str = ActivityStatus.COMPLETED.value
    amount_krw: int | str | None = 0
    end_on: date | str | None = None
    officer_id: int | None = None
    notes: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def validate_changes(
    session: Session,
    check: Checker,
    data: dict[str, Any],
    *,
    partial: bool,
    current: Activity | None,
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    programme: Programme | None = None
    if "programme_id" in data or not partial:
        pid = check.integer("programme_id", data.get("programme_id"), required=True, minimum=1)
        programme = session.get(Programme, pid) if pid else None
        if pid and programme is None:
            check.fail("programme_id", "error.programme_unknown")
        clean["programme_id"] = pid
    elif current is not None:
        programme = session.get(Programme, current.programme_id)
    if "start_on" in data or not partial:
        clean["start_on"] = check.day("start_on", data.get("start_on"), required=True)
    if "end_on" in data or not partial:
        clean["end_on"] = check.day("end_on", data.get("end_on"))
    if "status" in data or not partial:
        clean["status"] = check.choice(
            "status", data.get("status"), [s.value for s in ActivityStatus]
        )
    if "amount_krw" in data or not partial:
        amount = data.get("amount_krw")
        clean["amount_krw"] = check.integer(
            "amount_krw", 0 if amount in (None, "") else amount, maximum=MAX_KRW
        )
    if "officer_id" in data or not partial:
        clean["officer_id"] = check.integer("officer_id", data.get("officer_id"), minimum=1)
    if "notes" in data or not partial:
        clean["notes"] = check.text("notes", data.get("notes"), max_len=10_000, multiline=True)
    if "details" in data or not partial or "programme_id" in clean:
        if programme is not None:
            spec = get_kind(session, programme.kind).fields
            raw = data.get("details")
            if raw is None and current is not None:
                raw = current.details
            clean["details"] = validate_kind_fields(
                check,
                spec,
                raw if isinstance(raw, dict) else {},
                current.details if current is not None else None,
            )
    start = clean.get("start_on", current.start_on if current else None)
    end = clean.get("end_on", current.end_on if current else None)
    if start and end and end < start:
        check.fail("end_on", "error.end_before_start")
    for name in sorted(set(data) - set(EDITABLE_FIELDS) - {"company_id"}):
        check.fail(name, "error.unknown_field")
    return clean


def check_new_activity(
    session: Session, check: Checker, new: NewActivity, archived: bool | None
) -> dict[str, Any]:
    """add_activity's checks but the closed quarter: the fields, and a company that exists and
    is not archived (`archived`: its state, None if there is no such company)."""
    data = {f: getattr(new, f) for f in EDITABLE_FIELDS}
    clean = validate_changes(session, check, data, partial=False, current=None)
    if archived is None:
        check.fail("company_id", "error.not_found", entity="company", id=new.company_id)
    elif archived:
        check.fail("company_id", "error.company_archived")
    return clean


def with_defaults(clean: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A checked new activity as it is stored: completed unless said otherwise, and the
    officer who logs it unless another is named."""
    return {
        **clean,
        "status": clean.get("status") or ActivityStatus.COMPLETED.value,
        "officer_id": clean.get("officer_id") or actor.id,
    }


def add_activity(
    session: Session,
    actor: Actor,
    new: NewActivity,
    *,
    context: str | None = None,
    restating: bool = False,
) -> Activity:
    """Validate and add one activity; the caller commits (so a batch is one transaction)."""
    check = Checker()
    company = session.get(Company, new.company_id)
    clean = check_new_activity(session, check, new, None if company is None else company.archived)
    if not restating and clean.get("start_on"):
        check_open(check, session, "start_on", day=clean["start_on"])
    check.raise_if_errors()
    clean = with_defaults(clean, actor)
    activity = Activity(company_id=new.company_id, **clean)
    session.add(activity)
    session.flush()
    assert activity.id is not None
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "activity",
        activity.id,
        version=activity.version,
        new={"company_id": new.company_id, **clean},
        context=context,
    )
    return activity


def log_activity(session: Session, actor: Actor, new: NewActivity) -> Activity:
    begin_authorised_write(session, actor, Permission.EDIT_ACTIVITIES)
    activity = add_activity(session, actor, new)
    session.commit()
    return activity


@dataclass(frozen=True)
class BatchRowError:
    row: int
    errors: list[FieldError]


class BatchError(ValidationError):
    """Some rows of a batch are invalid; nothing of the batch was saved."""

    def __init__(self, rows: list[BatchRowError]) -> None:
        self.rows = rows
        super().__init__(
            [FieldError(f"row {r.row}.{e.field}", e.key, e.params) for r in rows for e in r.errors]
        )


def log_activities(session: Session, actor: Actor, rows: list[NewActivity]) -> list[Activity]:
    """Log several activities in one transaction: all are saved, or none (BatchError with the
    errors per row). The importer's bulk write (crm.services.bulk.add_activities) does it."""
    from crm.services import bulk  # bulk builds on this module's rules

    try:
        ids = bulk.add_activities(session, actor, rows)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return [get_activity(session, activity_id) for activity_id in ids]


def get_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id, populate_existing=True)
    if activity is None:
        raise NotFound(entity="activity", id=activity_id)
    return activity


def update_activity(
    session: Session, actor: Actor, activity_id: int, *, version: int, changes: dict[str, Any]
) -> Activity:
    begin_authorised_write(session, actor, Permission.EDIT_ACTIVITIES)
    activity = get_activity(session, activity_id)
    check = Checker()
    if activity.status == ActivityStatus.CANCELLED:
        check.fail("status", "error.activity_cancelled")
        check.raise_if_errors()
    clean = validate_changes(session, check, changes, partial=True, current=activity)
    check_open(check, session, "start_on", day=activity.start_on)
    if clean.get("start_on"):
        check_open(check, session, "start_on", day=clean["start_on"])
    check.raise_if_errors()
    check_stale(session, activity, "activity", version, clean)
    apply_changes(session, actor, activity, "activity", clean)
    session.commit()
    return activity


def cancel_activity(
    session: Session, actor: Actor, activity_id: int, *, version: int, reason: str | None = None
) -> Activity:
    """Cancel, never delete: the row stays, with its status and the audit trail."""
    begin_authorised_write(session, actor, Permission.EDIT_ACTIVITIES)
    activity = get_activity(session, activity_id)
    check = Checker()
    why = check.text("reason", reason, max_len=500)
    check_open(check, session, "start_on", day=activity.start_on)
    check.raise_if_errors()
    check_stale(session, activity, "activity", version, {"status": ActivityStatus.CANCELLED.value})
    apply_changes(
        session,
        actor,
        activity,
        "activity",
        {"status": ActivityStatus.CANCELLED.value},
        action=AuditAction.CANCEL,
        context=why,
    )
    session.commit()
    return activity
