"""`crm request open|status|remind` does what the Data requests page does; links never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from crm.cli import main


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("CRM_SMTP_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "load", "--companies", "12", "--seed", "4"]) == 0
    return path


def test_open_status_remind(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    args = ["request", "open", "--year", "2022", "--quarter", "4", "--due", "2030-01-31"]
    assert main([*args, "--cohort", "2022"]) == 0
    opened = capsys.readouterr().out
    assert opened.startswith("Opened data request #1 for 2022 Q4:")
    asked = int(opened.rsplit(":", 1)[1].split()[0])
    assert asked > 0
    assert main(["request", "status", "--id", "1"]) == 0
    status = capsys.readouterr().out
    assert f"asked              {asked:>7}" in status
    assert f"not_started        {asked:>7}" in status
    assert main(["request", "remind", "--id", "1"]) == 2
    assert "CRM_SMTP_URL" in capsys.readouterr().err
    target = tmp_path / "links.xlsx"
    assert main(["request", "remind", "--id", "1", "--links", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Portal?t=" not in out and f"Wrote {asked} new links" in out
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert len(rows) == asked + 1 and all("/Portal?t=" in str(r[4]) for r in rows[1:])


def test_open_refuses_bad_input_with_a_message(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(
        [
            "request",
            "open",
            "--year",
            "2022",
            "--quarter",
            "4",
            "--due",
            "2030-01-31",
            "--fields",
            "salary",
            "--company",
            "1",
        ]
    )
    assert code == 2
    assert "figure" in capsys.readouterr().err
