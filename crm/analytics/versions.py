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
test that made it.

An audit id is a version only once every lower id is settled. SQLite has one writer at a time
(`BEGIN IMMEDIATE`), so ids follow commits. PostgreSQL hands out ids from a sequence as rows are
written, so a long transaction (an import) can commit lower ids after another write's higher
ones, and a cache keyed by the higher id would never see it. So on PostgreSQL the versions say
whether any write was in flight when they were read (`settled`); a page must not keep what it
reads until they are settled again."""

from __future__ import annotations

import time
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
    activity's (0 for none); `settled`: no write was in flight when they were read (a later
    commit can then only bring higher ids)."""

    everything: int
    besides_activities: int
    settled: bool = True


def _latest(conn: Connection) -> int:
    audit = AuditEntry.__table__  # type: ignore[attr-defined]
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(audit.c.id), 0))).scalar_one())


def data_version(conn: Connection) -> int:
    """The latest audit id as a cache key for any read of the data; while a write is in flight
    (PostgreSQL) a number never seen before, so nothing read then is kept (see module doc)."""
    latest = _latest(conn)
    if writes_in_flight(conn):
        return -time.monotonic_ns()
    return latest


def frame_versions(conn: Connection) -> FrameVersions:
    audit = AuditEntry.__table__  # type: ignore[attr-defined]
    latest = _latest(conn)
    # Newest first, stopping at the first entry that is not an activity's: the primary key is
    # walked backwards, so this reads only the run of activity entries at the end.
    other = conn.execute(
        sa.select(audit.c.id)
        .where(audit.c.entity != ACTIVITY_ENTITY)
        .order_by(audit.c.id.desc())
        .limit(1)
    ).scalar()
    # Read after the ids: a write still open now may hold ids below them.
    return FrameVersions(latest, int(other or 0), not writes_in_flight(conn))


def writes_in_flight(conn: Connection) -> bool:
    """Whether another transaction of this database has written something and is still open
    (PostgreSQL: a session with a transaction id; SQLite: never, its writers are serialised and
    its ids follow commits)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(
        conn.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                "AND pid <> pg_backend_pid() AND datname = current_database())"
            )
        ).scalar()
    )
