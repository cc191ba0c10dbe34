"""Which data version each analytics frame was read at, so a page can re-read only what a write
could have changed.

Every write is audited in its own transaction (issue 8), so the latest audit id is a version of
all the data. Officers mostly log support: a write audited only as `activity` changes the
activities and nothing the other frames are read from (`ACTIVITY_WRITE_LEAVES`). So the
companies, stage, outcome and programme frames are keyed by the latest audit entry of anything
*but* an activity, and only the activities frame by the latest entry of all. Anything else (a
new kind of entry included) re-reads every frame: the rule names what is safe to keep, never
what to refresh.

The rule is enforced on every write the test suite makes (`tests/activity_writes.py`): a
transaction whose audit entries are all `activity` and that writes one of these tables fails the
test that made it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from crm.models import AuditEntry

ACTIVITY_ENTITY = "activity"
# The tables the frames other than activities are read from (`crm.analytics.frames`).
ACTIVITY_WRITE_LEAVES = frozenset(
    {"company", "app_user", "stage_entry", "outcome_report", "programme"}
)


@dataclass(frozen=True)
class FrameVersions:
    """`everything`: the latest audit id; `besides_activities`: the latest one that is not an
    activity's (0 for none)."""

    everything: int
    besides_activities: int


def frame_versions(conn: Connection) -> FrameVersions:
    audit = AuditEntry.__table__  # type: ignore[attr-defined]
    latest = conn.execute(sa.select(sa.func.coalesce(sa.func.max(audit.c.id), 0))).scalar_one()
    # Newest first, stopping at the first entry that is not an activity's: the primary key is
    # walked backwards, so this reads only the run of activity entries at the end.
    other = conn.execute(
        sa.select(audit.c.id)
        .where(audit.c.entity != ACTIVITY_ENTITY)
        .order_by(audit.c.id.desc())
        .limit(1)
    ).scalar()
    return FrameVersions(int(latest), int(other or 0))
