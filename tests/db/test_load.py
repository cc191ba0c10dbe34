"""The load script's short mode in CI: 20 concurrent officers on each engine, bounded time, and
its invariants asserted (no crash, no lost update, stage history agrees with the audit trail)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine

from benchmarks.load import run
from tests.support import create_pg_database, drop_pg_database

SECONDS = float(os.environ.get("CRM_LOAD_TEST_SECONDS", "8"))


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_twenty_officers_at_once(
    engine_name: str, tmp_path, request: pytest.FixtureRequest
) -> None:  # noqa: ANN001
    if engine_name == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path / 'load.sqlite3'}", None
    else:
        pg: Engine = request.getfixturevalue("pg_engine")  # skips locally / fails in CI without PG
        assert pg is not None
        name = f"crm_load_{os.getpid()}"
        url, cleanup = create_pg_database(name), name
    try:
        report = run(url, workers=20, seconds=SECONDS)
    finally:
        if cleanup:
            drop_pg_database(cleanup)
    assert report.crashes == []
    assert report.violations == []
    writes = report.outcomes["edit"] + report.outcomes["log"] + report.outcomes["stage"]
    assert writes > 50 and report.outcomes["read"] > 50
    assert report.outcomes["conflict"] > 0  # the collisions were real, and were refused cleanly
