"""The counts per status of a request's companies (crm.portal.models.DataRequestTally): set
when the request opens, moved by every status change in that change's transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from crm.portal.models import AskStatus, DataRequestTally

_TABLE = DataRequestTally.__table__  # type: ignore[attr-defined]


def start(session: Session, request_id: int, companies: int) -> None:
    """Every company of a new request starts not started."""
    session.execute(
        sa.insert(_TABLE),
        [
            {
                "request_id": request_id,
                "status": s.value,
                "companies": companies if s == AskStatus.NOT_STARTED else 0,
            }
            for s in AskStatus
        ],
    )


def move(session: Session, request_id: int, old: str, new: str) -> None:
    """One company moved from `old` to `new` (nothing when they are the same)."""
    if old == new:
        return
    for status, step in ((old, -1), (new, 1)):
        session.execute(
            sa.update(_TABLE)
            .where(_TABLE.c.request_id == request_id, _TABLE.c.status == status)
            .values(companies=_TABLE.c.companies + step)
        )


def counts(session: Session, request_id: int) -> dict[str, int]:
    rows = session.execute(
        select(DataRequestTally.status, DataRequestTally.companies).where(
            DataRequestTally.request_id == request_id
        )
    ).all()
    found = {str(s): int(n) for s, n in rows}
    return {s.value: found.get(s.value, 0) for s in AskStatus}
