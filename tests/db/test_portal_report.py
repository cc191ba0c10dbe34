"""The quarterly workbook shows each outcome row's provenance and evidence count, the Summary
counts the quarter's data requests, and only accepted (or officer-entered) figures count."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
from sqlmodel import Session

from crm.portal import answers, reminders, requests
from crm.reports.options import ReportOptions
from crm.reports.workbook import write_report
from crm.services import companies as company_service
from crm.services import outcomes
from crm.services.actor import Actor
from tests.conftest import new_company

PDF = b"%PDF-1.4\n%%EOF\n"
FIGURES = {
    "employees": 8,
    "new_hires": 2,
    "revenue_krw": 50_000_000,
    "patents_filed": 0,
    "patents_registered": 0,
    "investment_krw": 0,
    "exports_krw": 0,
}


def test_workbook_provenance_and_request_counts(
    session: Session, manager: Actor, officer: Actor, tmp_path: Path
) -> None:
    names = ["가기업", "나기업", "다기업", "라기업"]
    companies = [
        company_service.create_company(session, officer, new_company(name_ko=n, brn=None))
        for n in names
    ]
    a, b, c, d = companies
    request_id = requests.open_request(
        session,
        manager,
        requests.NewRequest(
            year=2022,
            quarter=4,
            due_on=date.today() + timedelta(days=3),
            company_ids=(a.id, b.id, c.id),
        ),
    )
    tokens = {
        r.company_id: parse_qs(urlsplit(r.link).query)["t"][0]
        for r in reminders.issue_links(session, manager, request_id)
    }
    for company in (a, b):
        answers.add_evidence(
            session, tokens[company.id], "x", figure="new_hires", filename="r.pdf", data=PDF
        )
        answers.save(
            session,
            tokens[company.id],
            "x",
            figures={**FIGURES, "new_hires": 2 if company is a else 5},
            patents=[],
            declared_name="대표",
            declared_on=date(2023, 1, 9),
            submit=True,
        )
    ask_a = requests.review_queue(session, officer, request_id, status="submitted").rows
    ask_a = next(r for r in ask_a if r.company_id == a.id)
    version = requests.answer_for_review(session, officer, ask_a.ask_id).version
    requests.accept(session, officer, ask_a.ask_id, version=version)
    outcomes.create_outcome_report(
        session, officer, company_id=d.id, year=2022, quarter=4, figures=FIGURES
    )
    path = tmp_path / "q4.xlsx"
    built = write_report(session, ReportOptions(2022, 4), path, generated_by="검토자")
    # b submitted 5 new hires but is not accepted: not counted (a's 2 + d's 2).
    assert built.figures.outcomes_q.new_hires == 4
    book = openpyxl.load_workbook(path, data_only=True)
    sheet = book["성과"] if "성과" in book.sheetnames else book[book.sheetnames[-2]]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[-2:] == ("출처", "증빙 파일 수")
    by_company = {r[1]: r for r in rows[1:] if r[1] in names}
    assert by_company["가기업"][-2:] == (f"기업 제출·승인 (승인: {officer.display_name})", 1)
    assert by_company["라기업"][-2:] == ("담당자 입력", 0)
    assert "나기업" not in by_company
    summary = [
        r for r in book[book.sheetnames[0]].iter_rows(values_only=True) if r and r[0] is not None
    ]
    found = {
        r[0]: r[1] for r in summary if r[0] in {"요청", "제출 (검토 중·승인)", "승인", "미제출"}
    }
    assert found == {"요청": 3, "제출 (검토 중·승인)": 2, "승인": 1, "미제출": 1}
    about = [r[1] for r in book[book.sheetnames[-1]].iter_rows(values_only=True) if r[1]]
    assert any(str(v).startswith("출처: 담당자 입력, 기업 제출·승인") for v in about)
