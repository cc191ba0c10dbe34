"""Leaving a company opened from the list (button, sidebar link, browser Back) shows the list with
its search; picker labels follow a language switch; countries are found by their Korean names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.harness import (
    AppServer,
    choose,
    go,
    open_tab,
    pick,
    press,
    sign_in,
    visible,
    wait_idle,
)

pytestmark = pytest.mark.e2e

SEARCH = "검색 (기업명, 사업자등록번호, 대표자)"
ROW_HEIGHT = 35  # st.dataframe's default row height (the header row is as tall)


def _list_with_search(page: Page, server: AppServer, password: str) -> None:
    sign_in(page, server, "officer", password)
    go(page, "기업")
    field = page.get_by_label(SEARCH, exact=True)
    field.fill("로보")
    field.press("Enter")
    wait_idle(page)


def _select_first_row(page: Page) -> str:
    """Click the first row's checkbox on the canvas table; returns the company page's title."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 15, box["y"] + ROW_HEIGHT * 1.5)
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"company=\d+"), timeout=20_000)
    # The address changes before the company page has drawn: wait for its title.
    expect(page.locator("h1").first).to_contain_text("로보")
    return page.locator("h1").first.inner_text()


def _shows_the_list(page: Page) -> None:
    page.wait_for_timeout(1000)  # a reopening would be a second run: give it time to happen
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text("기업")
    expect(page.get_by_label(SEARCH, exact=True)).to_have_value("로보")
    expect(page).not_to_have_url(re.compile(r"company="))
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()


@pytest.mark.parametrize("way", ["button", "sidebar", "browser_back"])
def test_a_company_opened_from_its_row_can_be_left(
    page: Page, server: AppServer, passwords: dict[str, str], way: str
) -> None:
    _list_with_search(page, server, passwords["officer"])
    _select_first_row(page)
    if way == "button":
        press(page, "기업 목록으로")
    elif way == "sidebar":
        go(page, "기업")
    else:
        page.go_back()
        wait_idle(page)
    _shows_the_list(page)
    # The list still works: the same row opens its company again.
    _select_first_row(page)


def test_filter_labels_follow_a_language_switch(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    sign_in(page, server, "officer", passwords["officer"])
    go(page, "기업")
    choose(page, "보관 여부", "전체")
    choose(page, "정렬", "단계")
    page.locator("[data-testid='stSidebar']").get_by_text("English").click()
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Companies")
    expect(page.get_by_role("combobox", name="Archived", exact=True)).to_have_value("All")
    expect(page.get_by_role("combobox", name="Sort by", exact=True)).to_have_value("Stage")
    page.locator("[data-testid='stSidebar']").get_by_text("한국어").click()
    wait_idle(page)
    expect(page.get_by_role("combobox", name="보관 여부", exact=True)).to_have_value("전체")
    expect(page.get_by_role("combobox", name="정렬", exact=True)).to_have_value("단계")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("베트남", "베트남 (Viet Nam, VN)"),
        ("미국", "미국 (United States, US)"),
        ("UAE", "아랍에미리트 (United Arab Emirates, AE)"),
        ("VN", "베트남 (Viet Nam, VN)"),  # the code still works
    ],
)
def test_country_is_found_by_its_korean_name(
    page: Page, server: AppServer, passwords: dict[str, str], typed: str, shown: str
) -> None:
    sign_in(page, server, "officer", passwords["officer"])
    go(page, "기업")
    _open_first_company(page)
    open_tab(page, "지원 내역")
    pick(page, "지원사업", "해외진출")
    box = visible(page.get_by_role("combobox", name="국가 *", exact=True))
    box.click()
    box.fill(typed)
    page.get_by_role("option").first.wait_for()
    box.press("Enter")
    wait_idle(page)
    expect(box).to_have_value(shown)


def _open_first_company(page: Page) -> None:
    for attempt in range(3):  # an Enter can land while the list redraws under load: pick again
        pick(page, "기업 바로 열기 (이 페이지)", "가")
        try:
            expect(page).to_have_url(re.compile(r"company=\d+"), timeout=10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
