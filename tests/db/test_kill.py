"""A process killed in the middle of a report export leaves the database as it was and no
report file under exports/ (the workbook is written to a hidden temporary name, then renamed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
    while time.monotonic() < deadline and not list(exports.glob(".report-*.tmp")):
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        time.sleep(0.01)
    time.sleep(0.1)  # inside the write
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert list(exports.glob("report-*.xlsx")) == []  # nothing half-written under its real name
    with Session(engine) as s:
        assert list_exports(s, directory=exports) == []
    assert snapshot(engine) == before
    assert remove_stale_partials(exports, max_age_seconds=0) == 1
    assert list(exports.iterdir()) == []
    engine.dispose()
