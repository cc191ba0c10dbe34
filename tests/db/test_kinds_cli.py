"""`crm kind …`: what the Support kinds page does, from the command line (admins only)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import Session

from crm.cli import main
from crm.db import make_engine
from crm.kinds.spec import kind_fields
from crm.services.reference import get_kind


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(tmp_path / "exports"))
    assert main(["db", "upgrade"]) == 0
    return path


def test_kind_commands_mirror_the_page(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        main(["kind", "add", "voucher", "--ko", "바우처", "--en", "Voucher", "--order", "7"]) == 0
    )
    assert main(["kind", "edit", "voucher", "--en", "Compute voucher"]) == 0
    assert main([
        "kind", "field", "add", "voucher", "tier", "--type", "choice", "--ko", "등급",
        "--en", "Tier", "--required", "--choice", "basic=기본/Basic", "--choice", "pro = 고급 / Pro",
    ]) == 0  # fmt: skip
    assert main([
        "kind", "field", "add", "voucher", "nodes", "--type", "integer", "--ko", "노드 수",
        "--en", "Nodes", "--min", "1", "--max", "64", "--unit-ko", "대", "--unit-en", "nodes",
    ]) == 0  # fmt: skip
    assert main([
        "kind", "field", "edit", "voucher", "tier", "--en", "Voucher tier",
        "--retire-choice", "basic",
    ]) == 0  # fmt: skip
    assert main(["kind", "field", "retire", "voucher", "nodes"]) == 0
    capsys.readouterr()
    assert main(["kind", "list"]) == 0
    listing = capsys.readouterr().out
    assert "voucher        Compute voucher  (order 7, version 6)" in listing
    assert "tier                   Voucher tier [Choice, required]" in listing
    assert "choices: Basic (retired), Pro" in listing
    assert "nodes                  Nodes [Whole number, unit nodes, 1 to 64, RETIRED]" in listing
    assert main(["kind", "field", "restore", "voucher", "nodes"]) == 0

    engine = make_engine()
    with Session(engine) as session:
        kind = get_kind(session, "voucher")
        fields = kind_fields(kind)
    engine.dispose()
    assert (kind.name_ko, kind.name_en, kind.sort_order) == ("바우처", "Compute voucher", 7)
    assert [(f.name, f.label("en"), f.required) for f in fields] == [
        ("tier", "Voucher tier", True),
        ("nodes", "Nodes", False),
    ]
    assert fields[0].choice_codes() == ["pro"] and fields[1].unit("ko") == "대"


def test_kind_commands_refuse_with_messages(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["user", "add", "jiwoo", "--role", "officer"]) == 0
    capsys.readouterr()
    assert main(["--as", "jiwoo", "kind", "add", "voucher", "--ko", "바", "--en", "V"]) == 2
    assert "not allowed" in capsys.readouterr().err.lower()
    assert main(["kind", "add", "hpc", "--ko", "또", "--en", "Again"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["kind", "field", "add", "hpc", "x", "--type", "choice", "--ko", "엑스", "--en",
                 "X", "--choice", "nolabels"]) == 2  # fmt: skip
    assert "code=한국어/English" in capsys.readouterr().err
    assert main(["kind", "field", "retire", "hpc", "colour"]) == 2
    assert "no field 'colour'" in capsys.readouterr().err
