"""The app shell in a real browser: sign-in, roles, navigation, language, sign-out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import new_context
from tests.e2e.harness import (
    AppServer,
    choose,
    expect_text,
    fill_sign_in,
    go,
    open_app,
    prepare_database,
    screenshot,
    sidebar_links,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.e2e

EXPECTED_LINKS = {
    "officer": ["홈 대시보드", "기업", "지원 내역", "성장 단계 분석", "가져오기", "자료 요청"],
    "manager": [
        "홈 대시보드",
        "기업",
        "지원 내역",
        "분기 보고서",
        "성장 단계 분석",
        "가져오기",
        "자료 요청",
        "기관 양식",
    ],
    "analyst": ["홈 대시보드", "기업", "지원 내역", "성장 단계 분석"],
    "admin": [
        "홈 대시보드",
        "기업",
        "지원 내역",
        "분기 보고서",
        "성장 단계 분석",
        "가져오기",
        "자료 요청",
        "기관 양식",
        "지원 유형",
        "계정 관리",
    ],
}


@pytest.mark.parametrize("role", ["officer", "manager", "analyst", "admin"])
def test_each_role_signs_in_and_sees_only_its_pages(
    page: Page, server: AppServer, passwords: dict[str, str], role: str
) -> None:
    sign_in(page, server, role, passwords[role])
    expect_text(page, "홈 대시보드")
    expect(page.get_by_text("99 / 99").first).to_be_visible()
    seen = sidebar_links(page)
    assert seen == EXPECTED_LINKS[role]
    forbidden = set(EXPECTED_LINKS["admin"]) - set(EXPECTED_LINKS[role])
    assert not forbidden & set(seen)
    screenshot(page, f"home-{role}")


def test_wrong_password_is_refused(page: Page, server: AppServer) -> None:
    sign_in(page, server, "officer", "wrong-password-123")
    expect_text(page, "사용자 이름 또는 비밀번호가 올바르지 않습니다.")
    assert page.get_by_text("지원 기업 수").count() == 0


def test_language_switch_and_sign_out(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    sign_in(page, server, "manager", passwords["manager"])
    page.locator("[data-testid='stSidebar']").get_by_text("English").click()
    wait_idle(page)
    expect_text(page, "Home dashboard")
    expect_text(page, "Companies supported this year (target 99)")
    screenshot(page, "home-manager-en")
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
    wait_idle(page)
    expect_text(page, "You are signed out.")
    assert page.get_by_text("Companies supported").count() == 0


CHECKED = """() => [...document.querySelectorAll("[data-testid='stSidebar'] input[type=radio]")]
  .filter(r => r.checked).map(r => r.closest('label').innerText.trim())"""


def test_the_language_switch_shows_the_language_on_every_page(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    """After switching to English the switch said 한국어 on every other page (so clicking 한국어
    there did nothing); it must show English on each, and 한국어 must switch back from any."""
    sign_in(page, server, "manager", passwords["manager"])
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("English").click()
    wait_idle(page)
    shown = []
    for label in ("Companies", "Support log", "Quarterly report", "Data requests", "Stage funnel"):
        sidebar.locator("[data-testid='stPageLink'] a", has_text=label).first.click()
        wait_idle(page)
        expect(page.locator("h1").first).to_have_text(label)
        shown.append(page.evaluate(CHECKED))
    assert shown == [["English"]] * 5
    sidebar.get_by_text("한국어").click()
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text(
        "성장 단계 분석"
    )  # (and the manager is Korean again)


def test_page_opened_by_url_without_sign_in_shows_no_data(page: Page, server: AppServer) -> None:
    open_app(page, server, "Accounts")
    expect_text(page, "로그인이 필요합니다")
    assert page.locator("[data-testid='stDataFrame']").count() == 0


def test_admin_sees_accounts_page(page: Page, server: AppServer, passwords: dict[str, str]) -> None:
    sign_in(page, server, "admin", passwords["admin"])
    go(page, "계정 관리")
    expect_text(page, "계정 추가")
    expect_text(page, "로그인된 브라우저")  # the accounts table, then the signed-in browsers
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(2)
    screenshot(page, "accounts-admin")


def test_first_widget_change_after_fresh_start_is_kept(browser: Browser, tmp_path: Path) -> None:
    """Streamlit 1.67 trap: the first session after a server start lost its first widget change
    with pages/ + st.navigation. We use pages/ discovery with page_links; prove it holds."""
    passwords = prepare_database(tmp_path / "fresh.sqlite3")
    server = AppServer(tmp_path / "fresh.sqlite3").start()
    context = new_context(browser)
    try:
        page = context.new_page()
        open_app(page, server)
        page.get_by_text("English").click()  # the very first widget change of the first session
        wait_idle(page)
        expect_text(page, "Sign in")
        fill_sign_in(page, "officer", passwords["officer"])
        expect_text(page, "Support in 2022 Q4 by kind")
        choose(page, "Quarter", "Q2")
        expect_text(page, "Support in 2022 Q2 by kind")
        page.wait_for_timeout(500)
        expect_text(page, "Support in 2022 Q2 by kind")
    finally:
        context.close()
        server.stop()


def test_a_shared_company_link_opens_after_signing_in_there(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    open_app(page, server, "Companies?company=12")
    expect_text(page, "로그인이 필요합니다.")
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    fill_sign_in(page, "officer", passwords["officer"])
    expect(page.get_by_role("tab", name="기본 정보")).to_be_visible()
    assert "company=12" in page.url
