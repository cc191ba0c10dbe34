"""The company's portal page (no account) and the Data requests page, through AppTest."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from crm.config import PROJECT_ROOT
from crm.portal import reminders, requests
from crm.services.actor import actor_by_username
from tests.app.conftest import OpenAs
from tests.app.helpers import scalar

PORTAL = str(PROJECT_ROOT / "pages" / "Portal.py")


def _request_with_link(engine: Engine) -> tuple[int, int, str]:
    with Session(engine) as s:
        manager = actor_by_username(s, "manager")
        company_ids = requests.company_ids_matching(
            s, manager, requests.CompanyFilters(cohort_year=2022)
        )[:3]
        request_id = requests.open_request(
            s,
            manager,
            requests.NewRequest(
                year=2023,
                quarter=1,
                due_on=date.today() + timedelta(days=7),
                company_ids=tuple(company_ids),
            ),
        )
        link = reminders.issue_links(s, manager, request_id, company_ids=company_ids[:1])[0]
    return request_id, link.company_id, parse_qs(urlsplit(link.link).query)["t"][0]


def _portal(token: str | None) -> AppTest:
    at = AppTest.from_file(PORTAL, default_timeout=60)
    if token is not None:
        at.query_params["t"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def _figures(at: AppTest, value: int) -> None:
    """Every asked figure: counts in number boxes, amounts in text boxes (read like 1.2억)."""
    for widget in at.number_input:
        widget.set_value(value)
    for box in at.text_input:
        if str(box.key).startswith("fig_"):
            box.input(str(value))


def _signer(at: AppTest) -> Any:
    return next(b for b in at.text_input if b.label == "확인자 성명")


def test_portal_without_a_valid_token_shows_only_the_refusal(app_db: Engine) -> None:
    _request_with_link(app_db)
    for token in (None, "wrong-token"):
        at = _portal(token)
        assert [e.value for e in at.error] == [
            "이 링크는 사용할 수 없습니다. 담당자에게 새 링크를 요청하세요."
        ]
        assert len(at.number_input) == 0 and len(at.sidebar) == 0
        assert at.title == []


def test_company_submits_through_its_link(app_db: Engine) -> None:
    request_id, company_id, token = _request_with_link(app_db)
    at = _portal(token)
    name = scalar(app_db, "SELECT name_ko FROM company WHERE id = :i", i=company_id)
    assert name in at.markdown[0].value
    assert len(at.sidebar) == 0
    _figures(at, 3)
    at.number_input(key="fig_employees").set_value(12)
    at.text_input(key="fig_revenue_krw").input("1.2억")
    at.checkbox[0].check()
    _signer(at).input("김대표")
    next(b for b in at.button if b.label == "제출").click().run()
    assert not at.exception, at.exception
    status, figures = (
        scalar(
            app_db,
            "SELECT status FROM data_request_company WHERE request_id = :r AND company_id = :c",
            r=request_id,
            c=company_id,
        ),
        scalar(
            app_db,
            "SELECT figures FROM data_request_company WHERE request_id = :r AND company_id = :c",
            r=request_id,
            c=company_id,
        ),
    )
    assert status == "submitted"
    assert '"employees": 12' in figures
    assert '"revenue_krw": 120000000' in figures  # typed as 1.2억
    signed = scalar(
        app_db,
        "SELECT declared_name FROM data_request_company WHERE request_id = :r AND company_id = :c",
        r=request_id,
        c=company_id,
    )
    assert signed == "김대표"
    assert "제출한 자료를 담당자가 검토 중입니다." in [s.value for s in at.success]


def test_a_saved_draft_is_not_a_declaration(app_db: Engine) -> None:
    """The confirmation is ticked for each submission: a draft saved with a name comes back
    unticked, and submitting without ticking it is refused."""
    request_id, company_id, token = _request_with_link(app_db)
    at = _portal(token)
    at.number_input(key="fig_employees").set_value(12)
    at.checkbox[0].check()
    _signer(at).input("김대표")
    next(b for b in at.button if b.label == "임시 저장").click().run()
    assert "임시 저장했습니다." in [s.value for s in at.success]
    again = _portal(token)
    assert _signer(again).value == "김대표"
    assert again.checkbox[0].value is False
    _figures(again, 3)
    next(b for b in again.button if b.label == "제출").click().run()
    assert [e.value for e in again.error] == ["제출하려면 확인란에 체크하세요."]
    status = scalar(
        app_db,
        "SELECT status FROM data_request_company WHERE request_id = :r AND company_id = :c",
        r=request_id,
        c=company_id,
    )
    assert status == "draft"


def test_uploading_with_no_file_says_so(app_db: Engine) -> None:
    _, _, token = _request_with_link(app_db)
    at = _portal(token)
    next(b for b in at.button if b.label == "파일 올리기").click().run()
    assert "올릴 파일을 고르세요." in [e.value for e in at.error]
    assert "파일당 10MB까지, 한 답변에 20개까지 올릴 수 있습니다." in [c.value for c in at.caption]


def test_officer_accepts_from_the_queue(app_db: Engine, open_as: OpenAs) -> None:
    request_id, company_id, token = _request_with_link(app_db)
    at = _portal(token)
    _figures(at, 2)
    at.checkbox[0].check()
    _signer(at).input("김대표")
    next(b for b in at.button if b.label == "제출").click().run()
    page = open_as("officer", "pages/6_Data_requests.py")
    shown = [
        e.value
        for kind in ("markdown", "text", "caption", "text_area")
        for e in getattr(page, kind)
    ]
    assert not [v for v in shown if token in str(v)]  # the review page never shows a link
    metrics = {m.label: m.value for m in page.metric}
    assert (metrics["요청 기업"], metrics["제출됨"], metrics["시작 전"]) == ("3", "1", "2")
    # Asking for changes with no comment: refused, the field named by its label, not its code.
    next(b for b in page.button if b.label == "수정 요청").click().run()
    assert [e.value for e in page.error] == [
        "입력값 1건을 확인해 주세요. 수정 요청 내용: 필수 항목입니다."
    ]
    next(b for b in page.button if b.label.startswith("승인")).click().run()
    assert not page.exception, page.exception
    assert (
        scalar(
            app_db,
            "SELECT employees FROM outcome_report WHERE company_id = :c AND year = 2023 "
            "AND quarter = 1",
            c=company_id,
        )
        == 2
    )
    assert scalar(app_db, "SELECT source FROM outcome_provenance") == "company"
    # The company page shows where each quarter's figures came from (analysts too).
    company = open_as("analyst", "pages/1_Companies.py")
    company.query_params["company"] = str(company_id)
    company.query_params["tab"] = "outcomes"
    company.run()
    assert not company.exception, company.exception
    frame = company.dataframe[0].value
    accepted = frame[(frame["연도"] == 2023) & (frame["분기"] == "Q1")]
    assert accepted["출처"].tolist() == ["기업 제출·승인 (승인: 김하늘 담당 (데모))"]
    assert accepted["증빙 파일 수"].tolist() == [0]
    assert set(frame["출처"]) - {"기업 제출·승인 (승인: 김하늘 담당 (데모))"} <= {
        "담당자 입력",
        "가져오기",
    }
    assert request_id


def test_portal_in_english_one_click_away(app_db: Engine) -> None:
    _, _, token = _request_with_link(app_db)
    at = _portal(token)
    assert at.title[0].value == "성과 자료 제출"
    at.radio[0].set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Report your outcomes"
    labels = [n.label for n in at.number_input]
    assert labels[:2] == ["Employees", "New hires"]
    assert [b.label for b in at.button if b.label in ("Save draft", "Submit")] == [
        "Save draft",
        "Submit",
    ]


def test_a_new_request_asks_for_the_quarter_just_ended(open_as: OpenAs) -> None:
    from crm.quarters import Quarter

    page = open_as("manager", "pages/6_Data_requests.py")
    ended = Quarter.of(date.today()).previous()
    assert page.number_input[0].value == ended.year
    quarter = next(s for s in page.selectbox if s.label == "분기")
    assert quarter.value == ended.number


def test_an_unreadable_amount_is_refused_with_the_amount_message(app_db: Engine) -> None:
    request_id, company_id, token = _request_with_link(app_db)
    at = _portal(token)
    _figures(at, 1)
    at.text_input(key="fig_revenue_krw").input("오백만원쯤")
    at.checkbox[0].check()
    _signer(at).input("김대표")
    next(b for b in at.button if b.label == "제출").click().run()
    assert [e.value for e in at.error] == [
        "매출 (원): 금액을 읽을 수 없습니다: '오백만원쯤'. 1,200,000 · 120만원 · 1.2억처럼 입력하세요."
    ]
    assert at.text_input(key="fig_revenue_krw").value == "오백만원쯤"  # kept to correct
    status = scalar(
        app_db,
        "SELECT status FROM data_request_company WHERE request_id = :r AND company_id = :c",
        r=request_id,
        c=company_id,
    )
    assert status == "not_started"
