"""'Database busy' is recognised by the drivers' error codes, never by message text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg.errors
import pytest

from crm.db import is_busy_error, make_engine
from crm.errors import DatabaseBusy


def _sqlite_error(code: int, message: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    "error",
    [
        _sqlite_error(sqlite3.SQLITE_BUSY, "database is locked"),
        _sqlite_error(sqlite3.SQLITE_LOCKED, "database table is locked"),
        _sqlite_error(517, "database is locked"),  # SQLITE_BUSY_SNAPSHOT, an extended code
        _sqlite_error(sqlite3.SQLITE_BUSY, "any words at all"),
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
    ],
)
def test_lock_contention_is_busy(error: BaseException) -> None:
    assert is_busy_error(error)


@pytest.mark.parametrize(
    "error",
    [
        _sqlite_error(sqlite3.SQLITE_CONSTRAINT, "CHECK constraint failed: database is locked"),
        sqlite3.OperationalError("database is locked"),  # no code: not a driver's busy error
        psycopg.errors.UniqueViolation("could not obtain lock: duplicate key"),
        psycopg.errors.QueryCanceled("canceling statement due to user request"),
        RuntimeError("database is busy"),
    ],
)
def test_other_errors_are_not_busy_whatever_they_say(error: BaseException) -> None:
    assert not is_busy_error(error)


def test_a_real_sqlite_lock_reaches_the_caller_as_database_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.commit()
            conn.exec_driver_sql("PRAGMA busy_timeout=0")  # fail at once instead of waiting
            conn.commit()
            holder.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
            with pytest.raises(DatabaseBusy) as caught:
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        cause = caught.value.__cause__
        assert isinstance(cause, sqlite3.OperationalError)
        assert cause.sqlite_errorcode == sqlite3.SQLITE_BUSY
    finally:
        holder.close()
        engine.dispose()
