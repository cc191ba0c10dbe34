"""Officers in a real browser: a company's life from pre-startup to archived, and two officers
editing the same company at once (merge, then clash)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text

from crm.db import make_engine
from tests.e2e.conftest import new_context
from tests.e2e.harness import (
    AppServer,
    expand,
    expect_text,
    fill,
    fill_date,
    go,
    open_tab,
    pick,
    press,
    screenshot,
    sign_in,
    visible,
    wait_idle,
)

pytestmark = pytest.mark.e2e

ACTIVITY_FIELDS = {
    "멘토링": [("멘토 *", "멘토 김"), ("주제 *", "IR 준비"), ("시간 *", "2")],
    "시제품 제작": [
        ("제작업체 *", "정밀가공"),
        ("결과물 *", "보드 시제품"),
        ("제작 예산 (원) *", "5000000"),
    ],
    "투자펀드": [("펀드명 *", "테스트 펀드"), ("투자금액 (원) *", "100000000")],
    "해외진출": [("파트너", "Demo Partner")],
}


def _db(server: AppServer, sql: str) -> list[tuple]:
    engine = make_engine(server.database_url)
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(text(sql)).all()]
    engine.dispose()
    return rows


def _open_company(page: Page, name: str) -> None:
    go(page, "기업")
    # Analysts search by name and registration number only (no representative).
    search = visible(page.get_by_label(re.compile(r"^검색 \(기업명, 사업자등록번호")))
    search.fill(name)
    search.press("Tab")
    wait_idle(page)
    pick(page, "기업 바로 열기 (이 페이지)", name)
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_officer_company_lifecycle(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    name = "브라우저테스트랩"
    sign_in(page, server, "officer", passwords["officer"])
    go(page, "기업")
    expand(page, "새 기업 등록")
    fill(page, "기업명 (한글) *", name)
    pick(page, "단계 *", "예비창업")
    press(page, "등록")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect_text(page, f"기업을 등록했습니다: {name}")
    company_id = _db(server, f"SELECT id FROM company WHERE name_ko = '{name}'")[0][0]

    open_tab(page, "지원 내역")
    for kind, fields in ACTIVITY_FIELDS.items():
        pick(page, "지원사업", kind)
        for label, value in fields:
            fill(page, label, value)
        if kind == "투자펀드":
            pick(page, "투자 단계 *", "시드")
        if kind == "해외진출":
            pick(page, "국가 *", "VN")
            pick(page, "프로그램 유형 *", "전시회")
        fill(page, "금액 (원)", "1000000")
        press(page, "지원 기록")
        expect_text(page, "지원 내역을 기록했습니다.")
        open_tab(page, "지원 내역")
    kinds = _db(
        server,
        "SELECT p.kind FROM activity a JOIN programme p ON p.id = a.programme_id "
        f"WHERE a.company_id = {company_id} ORDER BY a.id",
    )
    assert [k for (k,) in kinds] == ["mentoring", "prototyping", "investment", "overseas"]
    expect_text(page, "4건 · 합계 4,000,000원")

    open_tab(page, "단계 이력")
    pick(page, "단계", "창업/초기")
    fill_date(page, "설립일", "2025/03/02")
    press(page, "단계 변경")
    expect_text(page, "단계를 변경했습니다: 창업/초기")
    assert _db(
        server,
        f"SELECT stage FROM stage_entry WHERE company_id = {company_id} ORDER BY entered_on, id",
    ) == [("pre_startup",), ("startup",)]

    open_tab(page, "분기 성과")
    fill(page, "고용 인원", "4")
    fill(page, "신규 고용", "2")
    press(page, "저장", nth=-1)
    expect_text(page, "분기 성과를 저장했습니다.")
    assert _db(
        server, f"SELECT employees, new_hires FROM outcome_report WHERE company_id = {company_id}"
    ) == [(4, 2)]

    open_tab(page, "기본 정보")
    press(page, "보관")
    expect_text(page, "기업을 보관했습니다.")
    expect_text(page, "보관됨")
    press(page, "복원")
    expect_text(page, "기업을 복원했습니다.")
    open_tab(page, "변경 이력")
    screenshot(page, "company-page-officer")
    actions = [
        a
        for (a,) in _db(
            server,
            f"SELECT action FROM audit_entry WHERE entity = 'company' AND entity_id = {company_id} ORDER BY id",
        )
    ]
    assert actions == ["create", "stage_change", "update", "stage_change", "archive", "restore"]

    go(page, "홈 대시보드")
    expect_text(page, "최근 활동")
    feed = page.locator("[data-testid='stDataFrame']").nth(2)
    expect(feed).to_be_visible()
    screenshot(page, "home-after-lifecycle")
    assert _db(
        server, "SELECT MAX(entity_id) FROM audit_entry WHERE entity='company' AND action='restore'"
    ) == [(company_id,)]


def _two_officers(
    browser: Browser, server: AppServer, passwords: dict[str, str]
) -> tuple[Page, Page]:
    pages = []
    for user in ("officer", "officer2"):
        page = new_context(browser).new_page()
        sign_in(page, server, user, passwords[user])
        pages.append(page)
    return pages[0], pages[1]


def test_two_officers_other_fields_merge(
    browser: Browser, server: AppServer, passwords: dict[str, str]
) -> None:
    name = _db(server, "SELECT name_ko FROM company WHERE id = 11")[0][0]
    a, b = _two_officers(browser, server, passwords)
    _open_company(a, name)
    _open_company(b, name)
    fill(b, "메모", "B의 메모")
    press(b, "저장")
    expect_text(b, "저장했습니다.")
    fill(a, "기업명 (영문)", "Merged By A")
    press(a, "저장")
    expect_text(a, "병합해 저장했습니다")
    assert _db(server, "SELECT name_en, notes FROM company WHERE id = 11") == [
        ("Merged By A", "B의 메모")
    ]
    a.context.close()
    b.context.close()


def test_two_officers_same_field_clash(
    browser: Browser, server: AppServer, passwords: dict[str, str]
) -> None:
    """Two officers edit the same company while an analyst reads it."""
    name = _db(server, "SELECT name_ko FROM company WHERE id = 12")[0][0]
    a, b = _two_officers(browser, server, passwords)
    reader = new_context(browser).new_page()
    sign_in(reader, server, "analyst", passwords["analyst"])
    _open_company(reader, name)
    _open_company(a, name)
    _open_company(b, name)
    fill(b, "메모", "B가 먼저 저장")
    press(b, "저장")
    expect_text(b, "저장했습니다.")
    fill(a, "메모", "A의 입력")
    press(a, "저장")
    expect_text(a, "저장하지 못했습니다: 그 사이 다른 사용자가 같은 항목을 바꿨습니다.")
    expect_text(a, "B가 먼저 저장")
    expect(visible(a.get_by_label("메모", exact=True))).to_have_value("A의 입력")
    screenshot(a, "conflict-side-by-side")
    assert _db(server, "SELECT notes FROM company WHERE id = 12") == [("B가 먼저 저장",)]
    press(a, "내 변경 버리기")
    expect(visible(a.get_by_label("메모", exact=True))).to_have_value(re.compile("B가 먼저 저장"))
    press(reader, "기업 목록으로")
    pick(
        reader, "기업 바로 열기 (이 페이지)", name
    )  # the analyst reads the saved value, read-only and masked
    expect(visible(reader.get_by_label("메모", exact=True))).to_have_value("B가 먼저 저장")
    expect(visible(reader.get_by_label("메모", exact=True))).to_be_disabled()
    expect(visible(reader.get_by_label("전화번호", exact=True))).to_have_value("●●●")
    screenshot(reader, "company-page-analyst")
    for page in (a, b, reader):
        page.context.close()
