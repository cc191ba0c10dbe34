"""An outcome report's source after someone changes its figures: figures a company submitted
and an officer accepted are no longer the company's once an officer edits or restates them, or
an import overwrites them. The audit trail keeps who changed what; the source says whose the
figures now are (the quarterly workbook's Outcomes sheet shows it)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from crm.models import utcnow
from crm.portal.models import OutcomeProvenance, Provenance
from crm.services.actor import Actor


def figures_changed(
    session: Session, actor: Actor, report_ids: Iterable[int], source: Provenance
) -> int:
    """In the caller's transaction: reports with a recorded source now have `source`, changed by
    `actor`; returns how many changed hands. Reports without one were never the company's."""
    ids = sorted(set(report_ids))
    if not ids:
        return 0
    table = OutcomeProvenance.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sa.update(table)
        .where(table.c.outcome_report_id.in_(ids), table.c.source != source.value)
        .values(source=source.value, accepted_by_id=actor.id, accepted_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
