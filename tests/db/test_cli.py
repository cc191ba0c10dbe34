"""The crm command: clear messages, non-zero exits on error, and it does what the UI does."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crm.cli import main


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(tmp_path / "exports"))
    return path


def test_upgrade_load_stats(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "load", "--companies", "30", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "50 companies (30 in the 2022 cohort, 20 supported only by infrastructure)" in out
    assert "fictional" in out
    assert main(["demo", "load"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["db", "stats"]) == 0
    stats = capsys.readouterr().out
    assert "company                  50" in stats
    assert "2022-Q1" in stats and "mentoring" in stats


def test_user_add_and_reset_password(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["db", "upgrade"])
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["user", "add", "jiwoo", "--role", "officer", "--display-name", "지우"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "minsu", "--role", "officer"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-password\n"))
    assert main(["user", "reset-password", "jiwoo"]) == 0
    assert main(["user", "reset-password", "nobody"]) == 2
    assert "no account named 'nobody'" in capsys.readouterr().err
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "jiwoo" in listing and "password set" in listing and "minsu" not in listing


def test_errors_are_messages_not_tracebacks(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["db", "stats"]) == 3  # not migrated yet
    assert "crm db upgrade" in capsys.readouterr().err
    main(["db", "upgrade"])
    assert main(["demo", "load", "--companies", "0"]) == 2
    assert "between 1 and 1,000,000" in capsys.readouterr().err
    assert main(["report", "build", "--year", "2022", "--quarter", "3"]) != 0
    assert capsys.readouterr().err.strip()
    with pytest.raises(SystemExit) as usage:
        main(["user", "add", "x", "--role", "king"])
    assert usage.value.code == 2
    monkeypatch.setenv("CRM_DATABASE_URL", "mysql://nope")
    assert main(["db", "upgrade"]) == 2
    assert "Unsupported database URL" in capsys.readouterr().err


def test_unknown_acting_user_is_refused_for_every_command(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["db", "upgrade"])
    capsys.readouterr()
    assert main(["--as", "nobody", "db", "stats"]) == 2
    assert "There is no account named 'nobody'" in capsys.readouterr().err
