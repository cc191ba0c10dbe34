"""The ImportBatch row each import writes: opened first in the import's transaction (so its
id names the import in every audit entry), its counts set before commit, marked undone."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from crm.models import ImportBatch, utcnow
from crm.services.actor import Actor
from crm.services.permissions import Permission, begin_authorised_write

_ADVISORY_LOCK_KEY = 7_020_007  # PostgreSQL: one import at a time, so two cannot both create X


def open_batch(
    session: Session, actor: Actor, *, filename: str, kind: str, sha256: str
) -> ImportBatch:
    """Start an import: its write transaction (one import at a time), and its batch row,
    flushed (SQLite: the write lock is held from here, so the checks that follow stay true)."""
    begin_authorised_write(session, actor, Permission.IMPORT_DATA)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    batch = ImportBatch(filename=filename[:255], kind=kind, sha256=sha256, actor_id=actor.id)
    session.add(batch)
    session.flush()
    return batch


def record_counts(
    session: Session, batch: ImportBatch, *, created: int, updated: int, skipped: int
) -> None:
    """The rows the import created, updated and left out (the caller commits)."""
    batch.rows_created = created
    batch.rows_updated = updated
    batch.rows_skipped = skipped
    session.add(batch)


def mark_undone(session: Session, actor: Actor, batch: ImportBatch) -> None:
    """The batch was taken back by `actor` (managers: UNDO_IMPORT; the caller commits)."""
    begin_authorised_write(session, actor, Permission.UNDO_IMPORT)
    batch.undone_at = utcnow()
    batch.undone_by_id = actor.id
    session.add(batch)
