"""The company page in a real browser: its coded pickers (profile, stage change, new activity)
show the new language's labels after a language switch, and a reload (or a language switch) keeps
the open tab, which the address carries as a language-neutral code."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from crm.i18n import CATALOGUES, t
from crm.web import COOKIE
from tests.e2e.conftest import new_context
from tests.e2e.harness import AppServer, go, open_tab, pick, sign_in, visible, wait_idle

pytestmark = pytest.mark.e2e


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = new_context(browser)
    yield ctx
    ctx.close()


def _open_first_company(page: Page) -> None:
    go(page, "기업")
    for attempt in range(3):  # an Enter can land while the list redraws under load: pick again
        pick(page, "기업 바로 열기 (이 페이지)", "가")
        try:
            expect(page).to_have_url(re.compile(r"company=\d+"), timeout=10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def _to_english(page: Page) -> None:
    page.locator("[data-testid='stSidebar']").get_by_text("English").click()
    wait_idle(page)
    link = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a").nth(1)
    expect(link).to_have_text(re.compile(r"Companies$"), timeout=20_000)
    wait_idle(page)


def _box(page: Page, label: str) -> Locator:
    return visible(page.get_by_role("combobox", name=label, exact=True))


def _code_of(prefix: str, shown: str) -> str:
    """The code whose Korean label is on screen (industry.ict → "ICT")."""
    codes = [k.split(".")[-1] for k in CATALOGUES["ko"] if k.startswith(f"{prefix}.")]
    matches = [c for c in codes if t(f"{prefix}.{c}", "ko") == shown]
    assert matches, f"no {prefix} label {shown!r}"
    return matches[0]


# The forms' values are the saved record's until a save: a choice not yet saved is the browser's
# alone, so a language switch shows the saved value, in the new language.
def test_company_pickers_follow_a_language_switch(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    sign_in(page, server, "officer", passwords["officer"])
    _open_first_company(page)
    industry = _box(page, "산업 분야 *").input_value()
    ai_field = _box(page, "AI 분야").input_value()
    open_tab(page, "단계 이력")
    wait_idle(page)
    stage = _box(page, "단계").input_value()
    open_tab(page, "지원 내역")
    wait_idle(page)
    programme = _box(page, "지원사업").input_value()
    assert industry and ai_field and stage and programme  # the demo company has each of them
    expect(_box(page, "상태")).to_have_value(t("status.completed", "ko"))

    _to_english(page)
    expect(page.get_by_role("tab", name="Support log")).to_have_attribute("aria-selected", "true")
    expect(_box(page, "Status")).to_have_value(t("status.completed", "en"))
    programme_name, kind_ko = programme.rsplit(" · ", 1)
    kind = _code_of("kind", kind_ko)
    expect(_box(page, "Programme")).to_have_value(f"{programme_name} · {t(f'kind.{kind}', 'en')}")
    open_tab(page, "Stage timeline")
    wait_idle(page)
    expect(_box(page, "Stage")).to_have_value(t(f"stage.{_code_of('stage', stage)}", "en"))
    open_tab(page, "Profile")
    wait_idle(page)
    expect(_box(page, "Industry *")).to_have_value(
        t(f"industry.{_code_of('industry', industry)}", "en")
    )
    expect(_box(page, "AI field")).to_have_value(
        t(f"ai_field.{_code_of('ai_field', ai_field)}", "en")
    )


def _wait_for_cookie(context: BrowserContext, page: Page) -> None:
    """The sign-in cookie arrives a moment after the sign-in (a nonce is exchanged for it)."""
    for _ in range(50):
        if any(c["name"] == COOKIE for c in context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("no sign-in cookie")


def _selected_tab(page: Page) -> str:
    return page.get_by_role("tab", selected=True).inner_text().strip()


def test_reload_keeps_the_company_tab(
    context: BrowserContext, server: AppServer, passwords: dict[str, str]
) -> None:
    page = context.new_page()
    sign_in(page, server, "officer", passwords["officer"])
    _wait_for_cookie(context, page)
    _open_first_company(page)
    company = re.search(r"company=(\d+)", page.url)
    assert company is not None
    open_tab(page, "지원 내역")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]tab=support(&|$)"))

    page.reload()
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    wait_idle(page)
    expect(page.get_by_role("tab", name="지원 내역")).to_have_attribute("aria-selected", "true")
    assert _selected_tab(page) == "지원 내역"
    assert f"company={company.group(1)}" in page.url
    assert re.search(r"[?&]tab=support(&|$)", page.url)

    # The other language names the tabs differently: the same tab stays open, the address keeps
    # its code.
    _to_english(page)
    expect(page.get_by_role("tab", name="Support log")).to_have_attribute("aria-selected", "true")
    open_tab(page, "Quarterly outcomes")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]tab=outcomes(&|$)"))
    page.reload()
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    wait_idle(page)
    expect(page.get_by_role("tab", name="Quarterly outcomes")).to_have_attribute(
        "aria-selected", "true"
    )


def test_switching_back_to_korean_on_a_company_page(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    """English and back: the page follows the radio both ways (a radio per language came back
    with its stale choice and switched the page back to English)."""
    sign_in(page, server, "officer", passwords["officer"])
    _open_first_company(page)
    open_tab(page, "지원 내역")
    _to_english(page)
    expect(page.get_by_role("tab", name="Support log")).to_be_visible()
    page.locator("[data-testid='stSidebar']").get_by_text("한국어").click()
    wait_idle(page)
    link = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a").nth(1)
    expect(link).to_have_text(re.compile(r"기업$"), timeout=20_000)
    page.wait_for_timeout(1000)  # a switch back to English would be a second run: let it happen
    wait_idle(page)
    expect(page.get_by_role("tab", name="지원 내역")).to_be_visible()
    expect(link).to_have_text(re.compile(r"기업$"))
