"""Field-by-field optimistic saves: merge what does not overlap, refuse what does."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from crm.errors import Clash, ConflictError
from crm.models import AuditAction, utcnow
from crm.services import audit
from crm.services.actor import Actor


def check_stale(
    session: Session, obj: SQLModel, entity: str, expected_version: int, changes: dict[str, Any]
) -> None:
    """If `obj` moved on since `expected_version`, refuse when another save touched our fields."""
    current_version: int = obj.version  # type: ignore[attr-defined]
    if current_version == expected_version:
        return
    entity_id = sa.inspect(obj).identity[0]  # the primary key: id, or a cohort's year
    theirs = audit.changes_since(session, entity, entity_id, expected_version)
    clashes = [
        Clash(field, getattr(obj, field), value, theirs[field].by, theirs[field].at)
        for field, value in changes.items()
        if field in theirs and audit.to_text(getattr(obj, field)) != audit.to_text(value)
    ]
    if clashes:
        raise ConflictError(clashes)


def apply_changes(
    session: Session,
    actor: Actor,
    obj: SQLModel,
    entity: str,
    changes: dict[str, Any],
    *,
    action: AuditAction = AuditAction.UPDATE,
    context: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Set changed fields, flush (bumping the version) and audit them; returns what changed."""
    diff = {
        field: (getattr(obj, field), value)
        for field, value in changes.items()
        if audit.to_text(getattr(obj, field)) != audit.to_text(value)
    }
    if not diff:
        return diff
    for field, (_, new) in diff.items():
        setattr(obj, field, new)
    if hasattr(obj, "updated_at"):
        obj.updated_at = utcnow()  # type: ignore[attr-defined]
    session.add(obj)
    flush_or_conflict(session)
    audit.record_changes(
        session,
        actor,
        action,
        entity,
        obj.id,  # type: ignore[attr-defined]
        getattr(obj, "version", None),
        diff,
        context=context,
    )
    return diff


def flush_or_conflict(session: Session) -> None:
    """A concurrent commit between our read and our write surfaces as a conflict, not a crash."""
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise ConflictError([]) from exc
