"""Engine factory and session helpers for SQLite (embedded) and PostgreSQL (multi-user)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from crm.config import get_settings
from crm.errors import DatabaseBusy

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, begin transactions, so SAVEPOINTs work (SQLAlchemy docs recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A write starts with the write lock (IMMEDIATE): a concurrent writer then waits for the busy
    # timeout instead of failing later on a stale snapshot. Reads stay concurrent (WAL).
    write = connection.get_execution_options().get("crm_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# SQLite's primary result codes for "another connection holds the lock" (extended codes such as
# SQLITE_BUSY_SNAPSHOT keep the primary code in their low byte).
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# PostgreSQL SQLSTATEs for lock contention: lock_not_available (lock_timeout, NOWAIT),
# serialization_failure, deadlock_detected.
_POSTGRES_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})


def is_busy_error(error: BaseException) -> bool:
    """Whether a database driver's error means lock contention (try again), by its error code
    (sqlite3's `sqlite_errorcode`, psycopg's `sqlstate`), never by its message text."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_BUSY_CODES
    return getattr(error, "sqlstate", None) in _POSTGRES_BUSY_STATES


def _translate_busy(context: Any) -> None:
    """Lock contention reaches users as a clear 'try again' error, never as a crash."""
    if is_busy_error(context.original_exception):
        raise DatabaseBusy() from context.original_exception


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction (no-op if one is open)."""
    if not session.in_transaction():
        session.connection(execution_options={"crm_write": True})


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Build an engine for `url` (default: CRM_DATABASE_URL, else the SQLite file in data/)."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _translate_busy)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        event.listen(engine, "handle_error", _translate_busy)
        return engine
    raise ValueError(f"Unsupported database URL {parsed.drivername!r}: use sqlite or postgresql")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One session per action; services commit, anything left open is rolled back."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
