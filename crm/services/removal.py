"""Taking back a batch of writes (import undo): values put back, stage moves removed and
created rows deleted, each audited, in the caller's transaction (managers: UNDO_IMPORT).

The caller (crm/importer/undo.py) decides what may be taken back; these only write it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm.models import Activity, AuditAction, Company, OutcomeReport, StageEntry, utcnow
from crm.services import audit
from crm.services.actor import Actor
from crm.services.bulk import chunks, insert_audit, save_changes
from crm.services.permissions import Permission, begin_authorised_write

MODELS: dict[str, type[Any]] = {
    "company": Company,
    "activity": Activity,
    "outcome_report": OutcomeReport,
}


def restore_values(
    session: Session,
    actor: Actor,
    values: dict[tuple[str, int], dict[str, Any]],
    *,
    context: str,
) -> int:
    """Put back the given field values of each (entity, id): one flush, an "update" entry per
    field. Returns the number of fields given."""
    begin_authorised_write(session, actor, Permission.UNDO_IMPORT)
    by_entity: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for (entity, entity_id), changes in values.items():
        obj = session.get(MODELS[entity], entity_id)
        by_entity.setdefault(entity, []).append((obj, changes))
    now = utcnow()
    for entity, changed in by_entity.items():
        save_changes(session, actor, entity, changed, context, now)
    return sum(len(c) for c in values.values())


@dataclass(frozen=True)
class StageMove:
    """A stage entry a batch wrote, as its audit entry names it."""

    company_id: int
    stage: str
    entered_on: date | None
    recorded_by_id: int
    text: str | None  # the audit entry's "stage@date"


def remove_stage_moves(
    session: Session, actor: Actor, moves: Sequence[StageMove], *, context: str
) -> int:
    """Delete each move's latest matching stage entry, with a "stage_change" entry back to
    nothing; a move whose entry is gone already is skipped. Returns how many were removed."""
    begin_authorised_write(session, actor, Permission.UNDO_IMPORT)
    removed = 0
    for move in moves:
        entry = session.exec(
            select(StageEntry)
            .where(
                StageEntry.company_id == move.company_id,
                StageEntry.stage == move.stage,
                StageEntry.entered_on == move.entered_on,
                StageEntry.recorded_by_id == move.recorded_by_id,
            )
            .order_by(col(StageEntry.id).desc())
        ).first()
        if entry is None:
            continue
        session.delete(entry)
        audit.record(
            session,
            actor,
            AuditAction.STAGE_CHANGE,
            "company",
            move.company_id,
            field="stage",
            old=move.text,
            new=None,
            context=context,
        )
        removed += 1
    session.flush()
    return removed


def delete_created(
    session: Session, actor: Actor, created: dict[str, Iterable[int]], *, context: str
) -> dict[str, int]:
    """Delete the given activities, outcome reports and companies (with every stage entry of
    those companies), each with a "delete" entry holding its last values. Returns the counts
    per entity ("stage_entry" too)."""
    begin_authorised_write(session, actor, Permission.UNDO_IMPORT)
    deleted: dict[str, int] = {}
    now = utcnow()
    for entity in ("activity", "outcome_report", "stage_entry", "company"):
        if entity == "stage_entry":
            count = 0
            for part in chunks(sorted(created.get("company", ()))):
                result = session.execute(
                    sa.delete(StageEntry).where(col(StageEntry.company_id).in_(part))
                )
                count += result.rowcount or 0  # type: ignore[attr-defined]
            deleted[entity] = count
            continue
        model = MODELS[entity]
        ids = sorted(created.get(entity, ()))
        for part in chunks(ids):
            objects = session.exec(select(model).where(col(model.id).in_(part))).all()
            insert_audit(
                session,
                [
                    audit.entry_row(
                        actor,
                        AuditAction.DELETE,
                        entity,
                        obj.id,
                        version=obj.version,
                        old=obj.model_dump(exclude={"id", "version", "created_at", "updated_at"}),
                        context=context,
                        at=now,
                    )
                    for obj in objects
                ],
            )
            for obj in objects:
                session.expunge(obj)
            session.execute(sa.delete(model).where(col(model.id).in_(part)))
        deleted[entity] = len(ids)
    return deleted
