"""Backups while the app runs, and restores that refuse to overwrite data by accident.

SQLite uses the online backup API (a consistent copy even during writes); PostgreSQL uses
pg_dump / pg_restore in custom format. Files are written to a temporary name, then renamed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from crm.errors import CRMError

DOCUMENTED_PG_BACKUP = "pg_dump --format=custom --no-owner --dbname=URL --file=PATH"
DOCUMENTED_PG_RESTORE = (
    "pg_restore --clean --if-exists --no-owner --single-transaction --dbname=URL PATH"
)


class BackupError(CRMError):
    key = "error.backup"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    engine: str


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError(reason="an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def backup(engine: Engine, target: Path) -> BackupResult:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(_sqlite_path(engine))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # page by page, consistent with concurrent writers
            finally:
                copy.close()
                source.close()
        else:
            if shutil.which("pg_dump") is None:
                raise BackupError(reason=f"pg_dump not found; run: {DOCUMENTED_PG_BACKUP}")
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--dbname={_libpq_url(engine)}",
                    f"--file={partial}",
                ]
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, engine.dialect.name)


def has_data(engine: Engine) -> bool:
    """Whether the database holds any row in any application table."""
    inspector = sa.inspect(engine)
    tables = [t for t in inspector.get_table_names() if t != "alembic_version"]
    with engine.connect() as conn:
        for table in tables:
            if conn.execute(sa.text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None:
                return True
    return False


def restore(engine: Engine, source: Path, *, force: bool = False) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(reason=f"{source} does not exist")
    if has_data(engine) and not force:
        raise BackupError(reason="the database is not empty; add --force to overwrite it")
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(source)
        engine.dispose()
        backup_db = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(engine))
        try:
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
        return
    if shutil.which("pg_restore") is None:
        raise BackupError(reason=f"pg_restore not found; run: {DOCUMENTED_PG_RESTORE}")
    engine.dispose()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(engine)}",
            str(source),
        ]
    )


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(reason=f"{path} is not a SQLite backup ({exc})") from exc
    if "alembic_version" not in tables or "company" not in tables:
        raise BackupError(reason=f"{path} is not a backup of this CRM")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shown = [c.split("=", 1)[0] + "=…" if c.startswith("--dbname=") else c for c in command]
        raise BackupError(reason=f"{' '.join(shown)} failed: {result.stderr.strip()[-500:]}")
