"""One consistent view of the data for a whole build: every sheet's query sees the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session


@contextmanager
def read_snapshot(session: Session) -> Iterator[Session]:
    """A read-only session on its own connection and transaction: REPEATABLE READ on PostgreSQL;
    on SQLite (WAL) a read transaction already sees one snapshot until it ends."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        yield session  # bound to a connection the caller manages: use it as it is
        return
    with bind.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind=connection) as snapshot:
            try:
                yield snapshot
            finally:
                snapshot.rollback()
