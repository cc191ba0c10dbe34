"""The quarterly workbook on both engines: a small hand-built cohort with known numbers, the demo
cohort against direct queries, saving under exports/ with the audit trail, and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm import demo
from crm.cli import main as cli
from crm.errors import PermissionDenied
from crm.models import AuditEntry, Cohort, Company, Programme
from crm.reports.exports import build_report, export_path, list_exports
from crm.reports.options import ReportOptions, Unit
from crm.reports.workbook import NoReportData, write_report
from crm.services import activities as activity_service
from crm.services import outcomes as outcome_service
from crm.services import stages as stage_service
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.closing import is_closed
from crm.services.companies import create_company
from tests.conftest import new_company
from tests.db.reports_support import direct_figures, read_summary

INJECTION = '=HYPERLINK("http://x","y")'
SHEETS_KO = ["요약", "기업별 현황", "멘토링", "시제품 제작", "투자펀드", "해외진출"]
SHEETS_KO += ["단계 변경", "성과", "보고서 정보"]
SHEETS_EN = ["Summary", "Companies", "Mentoring", "Prototype production", "Fund investment"]
SHEETS_EN += [
    "Overseas expansion",
    "HPC compute",
    "Test equipment",
    "Stage moves",
    "Outcomes",
    "About",
]
FIGURES = {
    "employees": 10,
    "new_hires": 2,
    "revenue_krw": 50_000_000,
    "patents_filed": 1,
    "patents_registered": 0,
    "investment_krw": 0,
    "exports_krw": 3_000_000,
}


@pytest.fixture
def cohort(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> dict[str, Company]:
    """Two companies, five activities (one in Q1, one cancelled, one in Q4), three reports."""
    session.add(Cohort(year=2022, name="손으로 만든 코호트", target_companies=3))
    session.commit()
    a = create_company(
        session,
        officer,
        new_company(name_ko=INJECTION, officer_id=officer.id, stage_since=date(2022, 1, 10)),
    )
    b = create_company(
        session,
        officer,
        new_company(
            name_ko="빛고을테스트",
            brn=None,
            founded_on=None,
            stage="pre_startup",
            stage_since=date(2022, 2, 1),
        ),
    )
    stage_service.change_stage(
        session,
        officer,
        b.id,
        stage="startup",
        entered_on=date(2022, 8, 1),
        founded_on=date(2022, 7, 20),
    )

    def log(company: Company, kind: str, day: date, amount: int, details: dict) -> int:
        activity = activity_service.log_activity(
            session,
            officer,
            NewActivity(
                company.id,
                programmes[kind].id,
                day,
                amount_krw=amount,
                details=details,
                notes="\t탭으로 시작" if kind == "mentoring" else None,
            ),
        )
        assert activity.id is not None
        return activity.id

    mentor = {"mentor": "=멘토", "topic": "IR", "hours": 2.0}
    log(a, "mentoring", date(2022, 7, 5), 300_000, mentor)
    log(a, "mentoring", date(2022, 3, 2), 150_000, {**mentor, "hours": 1.0})
    log(
        a,
        "prototyping",
        date(2022, 8, 10),
        20_000_000,
        {"vendor": "정밀", "deliverable": "보드", "budget": 20_000_000},
    )
    cancelled = log(
        a,
        "overseas",
        date(2022, 9, 1),
        5_000_000,
        {"country": "VN", "programme_type": "export_contract", "contract_amount": 10_000_000},
    )
    activity_service.cancel_activity(session, officer, cancelled, version=1, reason="중복")
    log(
        b,
        "investment",
        date(2022, 9, 15),
        100_000_000,
        {"fund_name": "펀드", "round": "seed", "invested_amount": 100_000_000},
    )
    log(b, "mentoring", date(2022, 10, 2), 450_000, mentor)
    for company, quarter, figures in (
        (a, 3, FIGURES),
        (a, 2, {**FIGURES, "new_hires": 1, "patents_filed": 2, "patents_registered": 1}),
        (
            b,
            3,
            {
                **FIGURES,
                "employees": 3,
                "new_hires": 1,
                "revenue_krw": 0,
                "patents_filed": 0,
                "investment_krw": 100_000_000,
                "exports_krw": 0,
            },
        ),
    ):
        outcome_service.create_outcome_report(
            session, officer, company_id=company.id, year=2022, quarter=quarter, figures=figures
        )
    return {"a": a, "b": b}


def _rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))


def test_hand_built_cohort(session: Session, cohort: dict[str, Company], tmp_path: Path) -> None:
    path = tmp_path / "q3.xlsx"
    built = write_report(session, ReportOptions(2022, 3), path, generated_by="검토자")
    f = built.figures
    assert (f.target_companies, f.cohort_companies, f.supported_q, f.supported_ytd) == (3, 2, 2, 2)
    assert (f.activities_q, f.krw_q) == (3, 120_300_000)
    assert (f.activities_ytd, f.krw_ytd) == (4, 120_450_000)
    assert {s.stage: (s.at_start, s.moved_in, s.moved_out, s.at_end) for s in f.stages} == {
        "pre_startup": (1, 0, 1, 0),
        "startup": (1, 1, 0, 2),
        "growth": (0, 0, 0, 0),
    }
    assert (f.outcomes_q.reports, f.outcomes_q.new_hires, f.outcomes_q.patents_filed) == (2, 3, 1)
    assert (f.outcomes_ytd.new_hires, f.outcomes_ytd.patents_registered) == (4, 1)
    assert (f.outcomes_q.investment_krw, f.outcomes_q.exports_krw) == (100_000_000, 3_000_000)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS_KO
    assert built.rows == {
        "기업별 현황": 2,
        "멘토링": 1,
        "시제품 제작": 1,
        "투자펀드": 1,
        "해외진출": 0,
        "단계 변경": 1,
        "성과": 2,
    }
    companies = _rows(path, "기업별 현황")
    header, a_row, b_row, total = companies
    assert header[:5] == ("기업 ID", "기업명", "단계 (분기 말)", "업종", "담당자")
    assert a_row[1] == INJECTION and book["기업별 현황"]["B2"].data_type == "s"
    assert a_row[2:5] == ("창업/초기", "헬스케어", "Officer1 테스트")
    # Mentoring: quarter 1 activity / 300,000; year to date 2 / 450,000. Overseas was cancelled.
    assert a_row[5:9] == (1, 300_000, 2, 450_000)
    assert a_row[9:13] == (1, 20_000_000, 1, 20_000_000)
    assert a_row[17:21] == (0, 0, 0, 0)
    assert a_row[21:25] == (2, 20_300_000, 3, 20_450_000)
    assert a_row[25] == datetime(2022, 8, 10)
    assert b_row[13:17] == (1, 100_000_000, 1, 100_000_000)
    assert total[0] == "합계"
    assert total[21:25] == (3, 120_300_000, 4, 120_450_000)
    assert book["기업별 현황"]["W4"].value == "=SUM(W2:W3)"

    mentoring = _rows(path, "멘토링")
    assert mentoring[0] == (
        "지원 ID",
        "시작일",
        "종료일",
        "기업 ID",
        "기업명",
        "지원사업",
        "상태",
        "금액 (원)",
        "담당자",
        "멘토",
        "주제",
        "시간",
        "비고",
    )
    row = mentoring[1]
    assert (row[1], row[4], row[6], row[7]) == (datetime(2022, 7, 5), INJECTION, "완료", 300_000)
    assert (row[9], row[11], row[12]) == ("=멘토", 2.0, "\t탭으로 시작")
    sheet = book["멘토링"]
    assert [sheet[c].quotePrefix for c in ("E2", "J2", "M2")] == [True, True, True]
    assert mentoring[2][7] == 300_000 and mentoring[2][11] == 2.0
    investment = _rows(path, "투자펀드")
    assert investment[1][9:12] == ("펀드", "시드", 100_000_000)
    assert investment[0][11] == "투자금액 (원)"
    overseas = _rows(path, "해외진출")
    assert len(overseas) == 2 and overseas[1][0] == "합계" and overseas[1][7] == 0

    moves = _rows(path, "단계 변경")
    assert moves[1][:5] == (
        cohort["b"].id,
        "빛고을테스트",
        "예비창업",
        "창업/초기",
        datetime(2022, 8, 1),
    )
    assert moves[2][:2] == (1, "합계")
    outcomes = pd.read_excel(path, sheet_name="성과")
    assert list(outcomes["신규 고용 (분기)"]) == [2, 1, 3]
    assert list(outcomes["신규 고용 (누계)"]) == [3, 1, 4]
    assert outcomes["투자 유치 (분기, 원)"].iloc[-1] == 100_000_000
    about = {r[0]: r[1] for r in _rows(path, "보고서 정보") if r[0]}
    assert about["작성자"] == "검토자"
    assert isinstance(about["작성 시각 (Asia/Seoul, UTC+9)"], datetime)
    assert about["분기 마감"].startswith("마감 전")


def test_every_detail_sheet_is_formatted(
    session: Session, cohort: dict[str, Company], tmp_path: Path
) -> None:
    path = tmp_path / "q3.xlsx"
    write_report(session, ReportOptions(2022, 3, Unit.THOUSAND), path, generated_by="x")
    book = openpyxl.load_workbook(path)
    for name in SHEETS_KO[1:8]:
        ws = book[name]
        assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FFDDEBF7", name
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), name
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:"), name
        assert ws.print_title_rows == "$1:$1", name
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.fitToHeight == 0, name
    companies = book["기업별 현황"]
    assert companies["G1"].value == "멘토링 금액 (분기, 천원)"
    assert companies["G2"].value == 300 and companies["G2"].number_format == "#,##0"
    assert companies["Z2"].number_format == "yyyy-mm-dd"
    assert companies.column_dimensions["B"].width >= len(INJECTION)
    assert book["요약"].print_title_rows is None and len(book["요약"]._charts) == 2


def test_demo_workbook_totals_match_direct_queries(session: Session, tmp_path: Path) -> None:
    demo.load(session)
    path = tmp_path / "demo.xlsx"
    built = write_report(session, ReportOptions(2022, 3, Unit.WON, "en"), path, generated_by="x")
    d = direct_figures(session, 2022, 3)
    assert openpyxl.load_workbook(path).sheetnames == SHEETS_EN
    companies = pd.read_excel(path, sheet_name="Companies")
    data, total = companies.iloc[:-1], companies.iloc[-1]
    assert len(data) == d["ytd"]["companies"] == built.rows["Companies"]
    assert total["All amount (YTD, KRW)"] == data["All amount (YTD, KRW)"].sum() == d["ytd"]["krw"]
    assert total["All amount (quarter, KRW)"] == d["q"]["krw"]
    assert total["All activities (YTD)"] == d["ytd"]["activities"]
    for kind, sheet in (("mentoring", "Mentoring"), ("investment", "Fund investment")):
        frame = pd.read_excel(path, sheet_name=sheet)
        assert len(frame) - 1 == d["kinds"][kind]["q"]["activities"]
        assert frame["Amount (KRW)"].iloc[-1] == d["kinds"][kind]["q"]["krw"]
        assert frame["Amount (KRW)"].iloc[:-1].sum() == d["kinds"][kind]["q"]["krw"]
        assert total[f"{sheet} amount (YTD, KRW)"] == d["kinds"][kind]["ytd"]["krw"]
    outcomes = pd.read_excel(path, sheet_name="Outcomes")
    assert len(outcomes) - 1 == d["outcome_companies"]
    assert outcomes["New hires (YTD)"].iloc[-1] == d["outcomes_ytd"]["new_hires"]
    assert outcomes["Exports (quarter, KRW)"].iloc[-1] == d["outcomes_q"]["exports_krw"]
    moves = pd.read_excel(path, sheet_name="Stage moves")
    assert len(moves) - 1 == sum(d["moves"].values())
    summary = read_summary(path, "en")
    # The per-programme table's totals: executed (completed), committed, planned (YTD).
    assert summary["programmes"][-1][9:12] == (
        d["ytd"]["executed"],
        d["ytd"]["committed"],
        d["ytd"]["planned"],
    )


def test_no_data_and_permissions(session: Session, analyst: Actor, tmp_path: Path) -> None:
    with pytest.raises(NoReportData):
        write_report(session, ReportOptions(2021, 1), tmp_path / "x.xlsx", generated_by="x")
    with pytest.raises(PermissionDenied):
        build_report(session, analyst, ReportOptions(2022, 3))


def test_build_saves_renames_audits_and_lists(
    session: Session,
    cohort: dict[str, Company],
    manager: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(tmp_path / "exports"))
    steps: list[tuple[float, str]] = []
    saved = build_report(
        session,
        manager,
        ReportOptions(2022, 3, Unit.MILLION),
        progress=lambda fraction, message: steps.append((fraction, message)),
    )
    assert saved.path.parent == tmp_path / "exports"
    assert saved.filename.startswith("report-2022-Q3-") and saved.filename.endswith(".xlsx")
    assert sorted(p.name for p in saved.path.parent.iterdir()) == [saved.filename]  # no temp left
    assert steps[0][0] == 0.0 and steps[-1] == (1.0, "완료")
    assert [s[0] for s in steps] == sorted(s[0] for s in steps)
    assert openpyxl.load_workbook(saved.path).sheetnames == SHEETS_KO
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(col(AuditEntry.id))
    ).one()
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("report", 20223, manager.id)
    assert entry.new_value == saved.filename
    (tmp_path / "exports" / "notes.txt").write_text("not a report")
    listed = list_exports(session)
    assert [(r.filename, r.created_by, r.year, r.quarter) for r in listed] == [
        (saved.filename, "Manager1 테스트", 2022, 3)
    ]
    assert export_path(saved.filename) == saved.path
    with pytest.raises(Exception, match="not found"):
        export_path("../crm.sqlite3")


def test_failed_build_leaves_nothing(
    session: Session, manager: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(tmp_path / "exports"))
    with pytest.raises(NoReportData):
        build_report(session, manager, ReportOptions(2021, 2))
    assert list((tmp_path / "exports").iterdir()) == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all() == []


def test_cli_builds_and_closes(
    engine: Engine,
    session: Session,
    cohort: dict[str, Company],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(tmp_path / "exports"))
    out = tmp_path / "cli.xlsx"
    assert cli(["report", "build", "--year", "2022", "--quarter", "3", "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert openpyxl.load_workbook(out).sheetnames == SHEETS_KO
    code = cli(
        [
            "report",
            "quarterly",
            "--year",
            "2022",
            "--quarter",
            "3",
            "--lang",
            "en",
            "--unit",
            "thousand",
            "--out",
            str(tmp_path / "dir") + "/",
        ]
    )
    assert code == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == tmp_path / "dir" and written.name.startswith("report-2022-Q3-")
    assert cli(["report", "build", "--year", "2021", "--quarter", "1"]) == 2
    assert "no data for a 2021 Q1 report" in capsys.readouterr().err
    assert cli(["report", "build", "--year", "2022", "--quarter", "5"]) == 2
    assert cli(["quarter", "close", "--year", "2022", "--quarter", "3"]) == 0
    assert is_closed(session, 2022, 3)
    assert cli(["quarter", "close", "--year", "2022", "--quarter", "3"]) == 2
    assert "already closed" in capsys.readouterr().err
