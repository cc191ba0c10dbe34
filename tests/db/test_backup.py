"""Backups taken while writes run restore to a consistent database; restore refuses data."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from crm.backup import BackupError, backup, restore
from crm.db import make_engine
from crm.errors import DatabaseBusy
from crm.migrate import upgrade
from crm.services import companies
from crm.services.actor import Actor
from tests.conftest import new_company
from tests.support import create_pg_database, drop_pg_database, snapshot


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return {
            t: c.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
            for t in ("company", "stage_entry", "audit_entry")
        }


def _consistent(engine: Engine) -> None:
    """Every company has its stage history and its audit entries; nothing half-written."""
    with engine.connect() as c:
        orphans = c.execute(
            sa.text(
                "SELECT COUNT(*) FROM company co WHERE NOT EXISTS "
                "(SELECT 1 FROM stage_entry s WHERE s.company_id = co.id) OR NOT EXISTS "
                "(SELECT 1 FROM audit_entry a WHERE a.entity = 'company' AND a.entity_id = co.id "
                "AND a.action = 'create')"
            )
        ).scalar_one()
    assert orphans == 0


def _empty_target(engine: Engine, tmp_path: Path) -> tuple[Engine, str | None]:
    if engine.dialect.name == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}"), None
    name = f"crm_restore_{int(time.time() * 1000) % 10**9}"
    return make_engine(create_pg_database(name)), name


def test_backup_during_writes_restores_consistently(
    engine: Engine, session: Session, officer: Actor, tmp_path: Path
) -> None:
    for i in range(5):
        companies.create_company(session, officer, new_company(name_ko=f"초기{i}", brn=None))
    before = _counts(engine)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with Session(engine) as s:
            n = 0
            while not stop.is_set():
                try:
                    companies.create_company(
                        s,
                        officer,
                        new_company(name_ko=f"동시{n}", brn=None, stage_since=date(2022, 2, 1)),
                    )
                    written.append(n)
                except DatabaseBusy:
                    s.rollback()
                n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        result = backup(engine, tmp_path / "crm.backup")
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert result.bytes > 0 and not list(tmp_path.glob(".*.partial"))
    after = _counts(engine)
    target, pg_name = _empty_target(engine, tmp_path)
    try:
        restore(target, result.path)
        restored = _counts(target)
        assert before["company"] <= restored["company"] <= after["company"]
        assert written, "the writer ran during the backup"
        _consistent(target)
        # Every restored company is exactly the source's row with the same id.
        with target.connect() as c:
            restored_rows = {
                r[0]: tuple(r)
                for r in c.execute(sa.text("SELECT id, name_ko, version FROM company"))
            }
        with engine.connect() as c:
            source_rows = {
                r[0]: tuple(r)
                for r in c.execute(sa.text("SELECT id, name_ko, version FROM company"))
            }
        assert all(source_rows[i] == row for i, row in restored_rows.items())
    finally:
        target.dispose()
        if pg_name:
            drop_pg_database(pg_name)


def test_restore_refuses_a_database_with_data_unless_forced(
    engine: Engine, session: Session, officer: Actor, tmp_path: Path
) -> None:
    companies.create_company(session, officer, new_company(name_ko="원본", brn=None))
    saved = backup(engine, tmp_path / "one.backup")
    companies.create_company(session, officer, new_company(name_ko="나중", brn=None))
    session.close()
    before = snapshot(engine)
    with pytest.raises(BackupError) as info:
        restore(engine, saved.path)
    assert "--force" in info.value.message("en")
    assert snapshot(engine) == before
    restore(engine, saved.path, force=True)
    with engine.connect() as c:
        names = sorted(r[0] for r in c.execute(sa.text("SELECT name_ko FROM company")))
    assert names == ["원본"]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_bytes(b"hello, this is not sqlite")
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    upgrade(engine)
    with engine.begin() as c:
        c.execute(sa.text("DELETE FROM support_kind"))
    with pytest.raises(BackupError):
        restore(engine, bogus)
