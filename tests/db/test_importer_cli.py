"""`crm import`: the preview summary (counts, errors by row and column), --dry-run writes
nothing, refusal and --skip-invalid, the options for default stage and programme."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from crm.cli import main
from crm.models import Activity, Company, ImportBatch, Programme
from crm.services.actor import Actor
from tests.importer_files import csv_bytes
from tests.support import snapshot


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def write(tmp_path: Path, name: str, rows: list[list[object]]) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return str(path)


ROWS = [
    ["회사명", "업종", "설립일"],
    ["빛고을랩스", "헬스케어", "2021-03-04"],
    ["무등테크", "자동차", "2021-13-01"],
]


def test_dry_run_prints_the_preview_and_writes_nothing(
    cli_db: Engine,
    session: Session,
    officer: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, "list.csv", ROWS)
    before = snapshot(cli_db)
    assert (
        main(["--as", "officer1", "import", path, "--dry-run", "--default-stage", "startup"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "list.csv (Companies): header on row 1, 2 data row(s)"
    assert "new 1, update 0, unchanged 0, duplicate 0, error 1, skipped rows 0" in out
    assert "  Row 3, 설립일: There is no such date: '2021-13-01'." in out
    assert out[-1] == "Preview only (--dry-run): nothing was saved."
    assert snapshot(cli_db) == before


def test_errors_refuse_unless_skipped(
    cli_db: Engine,
    session: Session,
    officer: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, "list.csv", ROWS)
    before = snapshot(cli_db)
    assert main(["import", path, "--default-stage", "startup"]) == 2
    assert "1 row(s) have errors, so nothing was saved" in capsys.readouterr().err
    assert snapshot(cli_db) == before
    assert (
        main(["import", path, "--default-stage", "startup", "--skip-invalid", "--lang", "ko"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    batch = session.exec(select(ImportBatch.id)).one()  # PostgreSQL: refused imports use ids too
    assert out[-2:] == [f"가져오기 #{batch}: 신규 1, 수정 0, 건너뜀 1", "건너뛴 오류 행: 3"]
    session.expire_all()
    assert [c.name_ko for c in session.exec(select(Company)).all()] == ["빛고을랩스"]
    assert main(["import", path, "--default-stage", "startup", "--skip-invalid"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Nothing changed, so nothing was saved."


def test_activities_with_a_programme_and_a_corrected_mapping(
    cli_db: Engine,
    session: Session,
    officer: Actor,
    programmes: dict[str, Programme],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        ["Startup", "Date", "Investor", "Stage", "USD", "Memo"],
        ["Shuttl", "13/01/2022", "Susquehanna", "Series C", "1,000", "x"],
    ]
    path = write(tmp_path, "funding.csv", rows)
    args = [
        "import", path, "--kind", "activities", "--programme", "2022 investment",
        "--default-stage", "pre_startup", "--default-industry", "other", "--usd-rate", "1300",
        "--map", "Investor=details.fund_name", "--map", "Stage=details.round",
        "--map", "USD=amount_krw", "--map", "Memo=",
    ]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Columns not imported: Memo" in out and "Companies created with them: 1" in out
    session.expire_all()
    activity = session.exec(select(Activity)).one()
    assert (activity.programme_id, activity.amount_krw) == (programmes["investment"].id, 1_300_000)
    assert activity.details == {
        "fund_name": "Susquehanna",
        "round": "series_c",
        "invested_amount": 1_300_000,
    }


def test_a_refused_file(cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"not a zip")
    assert main(["import", str(path)]) == 2
    assert "not a valid .xlsx file" in capsys.readouterr().err


def test_empty_clears_is_asked_for(
    cli_db: Engine,
    session: Session,
    officer: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --empty-clears an empty cell leaves the stored value; with it, the value goes."""
    from crm.services import companies as company_service
    from tests.conftest import VALID_BRN, new_company

    made = company_service.create_company(session, officer, new_company(location="북구"))
    path = write(
        tmp_path,
        "blank.csv",
        [["회사명", "사업자등록번호", "소재지"], ["테스트에이아이", VALID_BRN, None]],
    )
    assert main(["--as", "officer1", "import", path]) == 0
    session.rollback()  # a fresh read (the CLI wrote through its own connection)
    assert session.get(Company, made.id, populate_existing=True).location == "북구"  # type: ignore[union-attr]
    assert main(["--as", "officer1", "import", path, "--empty-clears"]) == 0
    printed = capsys.readouterr().out
    assert "new 0, update 1, unchanged 0" in printed, printed
    session.rollback()  # a fresh read (the CLI wrote through its own connection)
    assert session.get(Company, made.id, populate_existing=True).location is None  # type: ignore[union-attr]
