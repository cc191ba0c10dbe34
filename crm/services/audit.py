"""The audit trail: one row per changed field, in the same transaction as the change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from crm.models import AuditAction, AuditEntry, User, utcnow
from crm.services.actor import Actor


def to_text(value: Any) -> str | None:
    """A stable text form of a field value for the audit trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def stage_move_text(stage: str, entered_on: date) -> str:
    """How a stage change is stored in the audit trail's new value: 'startup@2022-11-01'."""
    return f"{stage}@{entered_on.isoformat()}"


def parse_stage_move(text: str | None) -> tuple[str, date | None]:
    """('startup', date(2022, 11, 1)) from 'startup@2022-11-01'; the day is None if unreadable."""
    stage, _, day = (text or "").partition("@")
    try:
        return stage, date.fromisoformat(day)
    except ValueError:
        return stage, None


def entry_row(
    actor: Actor,
    action: AuditAction,
    entity: str,
    entity_id: int,
    *,
    version: int | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    context: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One audit row's column values: what `record` adds, and what bulk writes insert many of."""
    return {
        "at": at or utcnow(),
        "actor_id": actor.id,
        "action": action.value,
        "entity": entity,
        "entity_id": entity_id,
        "entity_version": version,
        "field": field,
        "old_value": to_text(old),
        "new_value": to_text(new),
        "context": context,
    }


def record(
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity: str,
    entity_id: int,
    *,
    version: int | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    context: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            **entry_row(
                actor,
                action,
                entity,
                entity_id,
                version=version,
                field=field,
                old=old,
                new=new,
                context=context,
            )
        )
    )


def record_changes(
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity: str,
    entity_id: int,
    version: int | None,
    changes: dict[str, tuple[Any, Any]],
    context: str | None = None,
) -> None:
    for field, (old, new) in changes.items():
        record(
            session,
            actor,
            action,
            entity,
            entity_id,
            version=version,
            field=field,
            old=old,
            new=new,
            context=context,
        )


@dataclass(frozen=True)
class FieldChange:
    field: str
    new_value: str | None
    by: str
    at: datetime


def changes_since(
    session: Session, entity: str, entity_id: int, version: int
) -> dict[str, FieldChange]:
    """Fields saved after `version` of a record (latest change per field), for conflict checks."""
    rows = session.exec(
        select(AuditEntry, User.display_name)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
            col(AuditEntry.entity_version) > version,
            col(AuditEntry.field).is_not(None),
        )
        .order_by(col(AuditEntry.id))
    ).all()
    out: dict[str, FieldChange] = {}
    for entry, name in rows:
        assert entry.field is not None
        out[entry.field] = FieldChange(entry.field, entry.new_value, name, entry.at)
    return out


def history(session: Session, entity: str, entity_id: int) -> list[tuple[AuditEntry, str]]:
    """Every audit row of one record, newest first, with the actor's display name."""
    return list(
        session.exec(
            select(AuditEntry, User.display_name)
            .join(User, col(User.id) == AuditEntry.actor_id)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(col(AuditEntry.id).desc())
        ).all()
    )
