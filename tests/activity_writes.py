"""The rule the funnel's caches rely on (`crm.analytics.versions`), checked on every write the
test suite makes: a transaction whose audit entries are all `activity` writes none of the tables
the other analytics frames are read from. Imported by `tests/conftest.py`, whose autouse
fixture fails the test that made a breach (the commit itself goes ahead, so a breach never
leaves a transaction open for the next test to wait on).

It watches every statement sent to the database (ORM flushes, bulk inserts and deletes through
the session, text SQL), not the ORM's objects, so no write path escapes it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Engine, event

from crm.analytics.versions import ACTIVITY_ENTITY, ACTIVITY_WRITE_LEAVES

KEY = "activity_write_check"
WRITTEN = re.compile(
    r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)


def _state(conn: Connection) -> dict[str, set[str]]:
    return conn.info.setdefault(KEY, {"tables": set(), "entities": set()})


@event.listens_for(Engine, "before_cursor_execute")
def _seen(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    written = WRITTEN.match(statement)
    if written is None:
        return
    table = written.group(2).lower()
    state = _state(conn)
    state["tables"].add(table)
    if table == "audit_entry" and written.group(1).upper().startswith("INSERT"):
        rows = getattr(context, "compiled_parameters", None) or ()
        entities = {str(row.get("entity")) for row in rows if row.get("entity")}
        # An audit row whose entity cannot be read (text SQL) counts as an activity's: the
        # check must fail closed, not look away.
        state["entities"] |= entities or {ACTIVITY_ENTITY}


def breach(tables: set[str], entities: set[str]) -> set[str]:
    """The frame tables written by a transaction audited only as activity (empty if none)."""
    if entities != {ACTIVITY_ENTITY}:
        return set()
    return tables & ACTIVITY_WRITE_LEAVES


BREACHES: list[str] = []


@event.listens_for(Engine, "commit")
def _check(conn: Connection) -> None:
    state = conn.info.pop(KEY, None)
    if state is None:
        return
    broken = breach(state["tables"], state["entities"])
    if broken:
        BREACHES.append(
            f"a write audited only as 'activity' also wrote {sorted(broken)}: the funnel would "
            "keep stale frames (crm.analytics.versions)"
        )


def take_breaches() -> list[str]:
    """The breaches since the last call (and forget them)."""
    found = list(BREACHES)
    BREACHES.clear()
    return found


@event.listens_for(Engine, "rollback")
def _forget(conn: Connection) -> None:
    conn.info.pop(KEY, None)
