"""Sign-in that survives a refresh, in a real browser against `streamlit run Home.py` (the pages
plus the app's cookie routes): reload, a second tab, sign-out everywhere, a copied cookie of a
revoked or expired session, and the token kept out of logs, audit and URLs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from crm.db import make_engine
from crm.web import COOKIE
from tests.e2e.conftest import new_context
from tests.e2e.harness import (
    AppServer,
    expect_text,
    go,
    open_app,
    pick,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.e2e

SIGN_OUT = "로그아웃"
SIGN_IN_FORM = "[data-testid='stForm']:has(input[type='password'])"


@pytest.fixture(scope="module")
def server(demo_db: tuple[Path, dict[str, str]]) -> Iterator[AppServer]:
    app = AppServer(demo_db[0]).start()
    yield app
    app.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = new_context(browser)
    yield ctx
    ctx.close()


def _session_cookie(context: BrowserContext) -> dict:
    """The app's cookie, once the browser has exchanged its one-time nonce for it."""
    for _ in range(50):
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if found:
            return dict(found[0])
        context.pages[0].wait_for_timeout(100)
    raise AssertionError(f"no {COOKIE} cookie; have {[c['name'] for c in context.cookies()]}")


def _signed_in(page: Page) -> None:
    expect(
        page.locator("[data-testid='stSidebar']").get_by_role("button", name=SIGN_OUT)
    ).to_be_visible()
    assert page.locator(SIGN_IN_FORM).count() == 0


def _reload(page: Page) -> None:
    page.reload()
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    wait_idle(page)


def _sql(server: AppServer, statement: str, **params: object) -> list[tuple]:
    engine = make_engine(server.database_url)
    try:
        with engine.begin() as c:
            result = c.execute(sa.text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_cookie_is_httponly_strict_and_reload_keeps_page_and_query(
    context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    page = context.new_page()
    sign_in(page, server, "officer", passwords["officer"])
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and cookie["secure"] is False  # plain http here
    open_app(page, server, "Companies?company=12")
    expect(page.get_by_role("tab", name="기본 정보")).to_be_visible()
    _reload(page)
    _signed_in(page)
    expect(page.get_by_role("tab", name="기본 정보")).to_be_visible()
    assert page.url.endswith("/Companies?company=12")
    # The page's script cannot read the token (HttpOnly).
    assert COOKIE not in page.evaluate("document.cookie")


def test_second_tab_is_signed_in(
    context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    first = context.new_page()
    sign_in(first, server, "analyst", passwords["analyst"])
    _session_cookie(context)
    second = context.new_page()
    open_app(second, server, "Funnel")
    _signed_in(second)
    expect_text(second, "분석가")


def test_sign_out_in_one_tab_signs_out_the_other_at_its_next_action(
    context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    first = context.new_page()
    sign_in(first, server, "manager", passwords["manager"])
    _session_cookie(context)
    second = context.new_page()
    open_app(second, server)
    _signed_in(second)
    first.locator("[data-testid='stSidebar']").get_by_role("button", name=SIGN_OUT).click()
    wait_idle(first)
    expect_text(first, "로그아웃되었습니다.")
    go(second, "기업")  # the other tab's next action
    expect_text(second, "이 브라우저의 로그인이 종료되었습니다")
    expect(second.locator(SIGN_IN_FORM)).to_be_visible()
    assert second.locator("[data-testid='stDataFrame']").count() == 0
    # The cookie is gone from the browser too, so a reload shows the sign-in form.
    for _ in range(50):
        if not [c for c in context.cookies() if c["name"] == COOKIE]:
            break
        first.wait_for_timeout(100)
    assert not [c for c in context.cookies() if c["name"] == COOKIE]
    _reload(second)
    expect(second.locator(SIGN_IN_FORM)).to_be_visible()


def test_copied_cookie_works_until_revoked_or_expired(
    browser: Browser, context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    page = context.new_page()
    sign_in(page, server, "officer2", passwords["officer2"])
    cookie = _session_cookie(context)
    (session_id,) = _sql(
        server,
        "SELECT s.id FROM user_session s JOIN app_user u ON u.id = s.user_id "
        "WHERE u.username = 'officer2' AND s.revoked_at IS NULL ORDER BY s.id DESC LIMIT 1",
    )[0]

    def fresh_browser() -> Page:
        other = new_context(browser)
        other.add_cookies([cookie])
        tab = other.new_page()
        open_app(tab, server, "Companies")
        return tab

    copied = fresh_browser()  # the copy signs in while the session lives (the test's control)
    _signed_in(copied)
    copied.context.close()

    _sql(
        server,
        "UPDATE user_session SET expires_at = :past WHERE id = :id",
        past="2000-01-01 00:00:00",
        id=session_id,
    )
    expired = fresh_browser()
    expect(expired.locator(SIGN_IN_FORM)).to_be_visible()
    assert expired.locator("[data-testid='stDataFrame']").count() == 0
    expired.context.close()

    _sql(
        server,
        "UPDATE user_session SET expires_at = :later, revoked_at = :now WHERE id = :id",
        later="2999-01-01 00:00:00",
        now="2026-01-01 00:00:00",
        id=session_id,
    )
    revoked = fresh_browser()
    expect(revoked.locator(SIGN_IN_FORM)).to_be_visible()
    assert revoked.locator("[data-testid='stDataFrame']").count() == 0
    revoked.context.close()


def test_admin_ends_a_sign_in_and_that_browser_is_signed_out(
    browser: Browser, context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    # Earlier tests of this file leave the officer signed in elsewhere: end those sign-ins, so
    # the one the admin picks is this browser's.
    _sql(
        server,
        "UPDATE user_session SET revoked_at = :now WHERE revoked_at IS NULL AND user_id = "
        "(SELECT id FROM app_user WHERE username = 'officer')",
        now=datetime.now(UTC),
    )
    officer = context.new_page()
    sign_in(officer, server, "officer", passwords["officer"])
    _session_cookie(context)
    admin_context = new_context(browser)
    try:
        admin = admin_context.new_page()
        sign_in(admin, server, "admin", passwords["admin"])
        go(admin, "계정 관리")
        expect_text(admin, "로그인된 브라우저")
        pick(admin, "종료할 로그인", "김하늘")
        admin.get_by_role("button", name="선택한 로그인 종료").click()
        wait_idle(admin)
        expect_text(admin, "김하늘 담당 (데모)의 로그인 하나를 종료했습니다.")
    finally:
        admin_context.close()
    go(officer, "지원 내역")
    expect_text(officer, "이 브라우저의 로그인이 종료되었습니다")


def test_token_is_in_no_log_audit_row_or_url(
    context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    page = context.new_page()
    sign_in(page, server, "officer", passwords["officer"])
    token = _session_cookie(context)["value"]
    open_app(page, server, "Companies?company=12")
    _reload(page)
    _signed_in(page)
    urls.append(page.url)
    page.locator("[data-testid='stSidebar']").get_by_role("button", name=SIGN_OUT).click()
    wait_idle(page)
    assert len(token) >= 43
    assert urls and not [u for u in urls if token in u]
    assert server.log_path is not None
    assert token not in server.log_path.read_text(errors="replace")
    rows = _sql(server, "SELECT * FROM audit_entry")
    assert rows and not [r for r in rows if token in " ".join(map(str, r))]
    stored = _sql(server, "SELECT token_hash, handoff_hash FROM user_session")
    assert stored and not [r for r in stored if token in " ".join(map(str, r))]
