"""A process killed in the middle of a report export leaves the database as it was and no
report file under exports/ (the workbook is written to a hidden temporary name, then renamed).
Each test proves its write was in flight when the kill came: the partial workbook is not yet a
whole zip, the import's write-ahead log had grown; otherwise it fails rather than pass idle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session

from crm import demo
from crm.config import PROJECT_ROOT
from crm.db import make_engine
from crm.migrate import upgrade
from crm.reports.exports import list_exports, remove_stale_partials
from crm.services.actor import system_actor
from tests.support import snapshot


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("kill") / "big.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as s:
        demo.load(s, system_actor(s), companies=12000, seed=3)
    engine.dispose()
    return f"sqlite:///{path}"


def _start_build(url: str, exports: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CRM_DATABASE_URL": url, "CRM_EXPORTS_DIR": str(exports)}
    return subprocess.Popen(
        [sys.executable, "-m", "crm.cli", "report", "build", "--year", "2022", "--quarter", "3"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_killed_report_export_leaves_no_file_and_no_change(
    big_database: str, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    engine = make_engine(big_database)
    before = snapshot(engine)
    process = _start_build(big_database, exports)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        partials = list(exports.glob(".report-*.tmp"))
        if partials and partials[0].stat().st_size > 0:  # the writer is filling the workbook
            break
        time.sleep(0.005)
    else:
        pytest.fail("the build never started writing its workbook")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # The kill came inside the write: the partial file stops short of the zip's central
    # directory (written last), so it is not a readable workbook.
    [partial] = list(exports.glob(".report-*.tmp"))
    assert partial.stat().st_size > 0 and not zipfile.is_zipfile(partial)
    assert list(exports.glob("report-*.xlsx")) == []  # nothing half-written under its real name
    with Session(engine) as s:
        assert list_exports(s, directory=exports) == []
    assert snapshot(engine) == before
    assert remove_stale_partials(exports, max_age_seconds=0) == 1
    assert list(exports.iterdir()) == []
    engine.dispose()


def test_killed_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    """Killed while its single transaction is writing (the WAL file is growing): nothing lands."""
    from tests.importer_files import csv_bytes

    db = tmp_path / "import.sqlite3"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s:
        demo.load(s, system_actor(s), companies=20, seed=5)
    rows = [["회사명", "업종", "단계", "단계 시작일"]] + [
        [f"대량가져오기{i:05d}", "에너지", "예비창업", "2022-03-01"] for i in range(40_000)
    ]
    source = tmp_path / "many.csv"
    source.write_bytes(csv_bytes(rows))
    engine.dispose()
    engine = make_engine(url)
    before = snapshot(engine)
    engine.dispose()
    wal = Path(f"{db}-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    env = {**os.environ, "CRM_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "crm.cli", "import", str(source), "--kind", "companies"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be killed"
        if wal.exists() and wal.stat().st_size > start_size + 2_000_000:
            break  # 2 MB of uncommitted rows in the log: the transaction is writing
        time.sleep(0.01)
    else:
        pytest.fail("the import never started writing (its log did not grow) before the deadline")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    engine = make_engine(url)
    assert snapshot(engine) == before
    engine.dispose()
