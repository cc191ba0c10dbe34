"""Stage history: the dated moves of a company; its current stage is always its latest entry."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.errors import NotFound
from crm.models import AuditAction, Company, Stage, StageEntry
from crm.services import audit
from crm.services.actor import Actor
from crm.services.editing import flush_or_conflict
from crm.services.permissions import Permission, begin_authorised_write
from crm.validation import Checker


def current_stage_subquery() -> sa.Subquery:
    """(company_id, stage, entered_on) of each company's latest stage entry."""
    ranked = select(
        StageEntry.company_id,
        StageEntry.stage,
        StageEntry.entered_on,
        func.row_number()
        .over(
            partition_by=StageEntry.company_id,
            order_by=(col(StageEntry.entered_on).desc(), col(StageEntry.id).desc()),
        )
        .label("rn"),
    ).subquery("ranked_stage")
    return (
        select(ranked.c.company_id, ranked.c.stage, ranked.c.entered_on)
        .where(ranked.c.rn == 1)
        .subquery("current_stage")
    )


def stage_history(session: Session, company_id: int) -> list[StageEntry]:
    return list(
        session.exec(
            select(StageEntry)
            .where(StageEntry.company_id == company_id)
            .order_by(col(StageEntry.entered_on), col(StageEntry.id))
        ).all()
    )


def current_stage(session: Session, company_id: int) -> Stage:
    latest = session.exec(
        select(StageEntry.stage)
        .where(StageEntry.company_id == company_id)
        .order_by(col(StageEntry.entered_on).desc(), col(StageEntry.id).desc())
        .limit(1)
    ).first()
    if latest is None:
        raise NotFound(entity="company", id=company_id)
    return Stage(latest)


def add_entry(
    session: Session,
    actor: Actor,
    company_id: int,
    stage: Stage,
    entered_on: date,
    reason: str | None,
    context: str | None = None,
) -> StageEntry:
    """Write one entry and its audit row (no commit: callers own the transaction)."""
    entry = StageEntry(
        company_id=company_id,
        stage=stage.value,
        entered_on=entered_on,
        reason=reason,
        recorded_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.STAGE_CHANGE,
        "company",
        company_id,
        field="stage",
        old=None,
        new=audit.stage_move_text(stage.value, entered_on),
        context=reason if context is None else context,
    )
    return entry


def move_rules(
    check: Checker,
    company: Company,
    last: tuple[Stage, date],
    target: Stage,
    day: date,
    *,
    why: str | None,
    founded: date | None,
    today: date,
    day_field: str = "entered_on",
) -> None:
    """change_stage's rules for moving `company` from its `last` (stage, day) to `target` on
    `day` (`day_field`: the name the caller's form or file gives that date)."""
    last_stage, last_day = last
    if company.archived:
        check.fail("company", "error.company_archived")
    if last_stage == target:
        check.fail("stage", "error.stage_same")
    if day < last_day:
        check.fail(day_field, "error.stage_date_order", last=last_day.isoformat())
    if day > today:
        check.fail(day_field, "error.date_future")
    if target.rank < last_stage.rank and not why:
        check.fail("reason", "error.stage_backward_reason")
    leaving_pre = last_stage == Stage.PRE_STARTUP and target != Stage.PRE_STARTUP
    if leaving_pre and founded is None:
        check.fail("founded_on", "error.founded_required")


def change_stage(
    session: Session,
    actor: Actor,
    company_id: int,
    *,
    stage: Stage | str,
    entered_on: date | str,
    reason: str | None = None,
    founded_on: date | str | None = None,
    today: date | None = None,
) -> StageEntry:
    """Move a company to another stage on a date. Moving back needs a reason; leaving
    pre-startup needs a founding date (given here or already on the profile)."""
    begin_authorised_write(session, actor, Permission.EDIT_COMPANIES)
    company = session.get(Company, company_id, populate_existing=True)
    if company is None:
        raise NotFound(entity="company", id=company_id)
    check = Checker()
    new_stage = check.choice("stage", stage, [s.value for s in Stage])
    day = check.day("entered_on", entered_on, required=True)
    why = check.text("reason", reason, max_len=500)
    founded = check.day("founded_on", founded_on)
    check.raise_if_errors()
    assert new_stage is not None and day is not None
    target = Stage(new_stage)
    last = stage_history(session, company_id)[-1]
    move_rules(
        check,
        company,
        (Stage(last.stage), last.entered_on),
        target,
        day,
        why=why,
        founded=founded or company.founded_on,
        today=today or date.today(),
    )
    check.raise_if_errors()
    if founded is not None and company.founded_on != founded:
        old = company.founded_on
        company.founded_on = founded
        session.add(company)
        flush_or_conflict(session)
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            "company",
            company_id,
            version=company.version,
            field="founded_on",
            old=old,
            new=founded,
        )
    entry = add_entry(session, actor, company_id, target, day, why)
    session.commit()
    return entry
