"""The Support kinds page in a phone-sized window (390 px): the equipment catalogue reads in
Korean and English, nothing runs off the side, and an admin adds a choice through the page."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.e2e.harness import AppServer, expect_text, pick, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e

OVERFLOW = """() => [...document.querySelectorAll("[data-testid='stMain'] *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !e.closest("[data-testid='stDataFrame']"))
  .map(e => e.tagName + ' ' + (e.innerText || '').slice(0, 40))"""


def open_kinds(page: Page, server: AppServer) -> None:
    """By its address: at 390 px the sidebar is folded away (the sign-in is kept)."""
    page.goto(f"{server.url}/Kinds")
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    wait_idle(page)


def choices_box(page: Page, label: str) -> Locator:
    """The edit form's choices (drawn above the add-a-field form's box of the same label)."""
    return page.locator("[data-testid='stTextArea']", has_text=label).first.locator("textarea")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_kinds_page_at_390_px(
    browser: Browser, server: AppServer, passwords: dict[str, str], lang: str
) -> None:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    try:
        sign_in(page, server, "admin", passwords["admin"])
        if lang == "en":  # switched while the sidebar is open, then the phone width
            page.locator("[data-testid='stSidebar']").get_by_text("English").click()
            wait_idle(page)
        page.set_viewport_size({"width": 390, "height": 2400})
        title = "지원 유형" if lang == "ko" else "Support kinds"
        open_kinds(page, server)
        expect_text(page, title)
        pick(page, title, "시험·실증 장비" if lang == "ko" else "Test equipment")
        label = "선택지 (한 줄에 하나" if lang == "ko" else "Choices (one a line"
        lines = choices_box(page, label).input_value()  # the catalogue, in both languages
        assert (
            "av_virtual_rig = 자율주행 가상 시험 장비 / Autonomous-driving virtual test rig"
            in lines
        )
        assert page.evaluate(OVERFLOW) == []
        screenshot(page, f"kinds-390-{lang}")
    finally:
        context.close()


def test_admin_adds_an_equipment_item(
    browser: Browser, server: AppServer, passwords: dict[str, str]
) -> None:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    try:
        sign_in(page, server, "admin", passwords["admin"])  # (puts the admin back in Korean)
        page.set_viewport_size({"width": 390, "height": 2400})
        open_kinds(page, server)
        pick(page, "지원 유형", "시험·실증 장비")
        choices = choices_box(page, "선택지 (한 줄에 하나")
        choices.fill(choices.input_value() + "\nlidar_bench = 라이다 시험대 / LiDAR test bench")
        page.get_by_role("button", name="항목 저장").click()
        wait_idle(page)
        expect_text(page, "항목 '장비'을(를) 저장했습니다.")
        lines = choices_box(page, "선택지 (한 줄에 하나").input_value()
        assert lines.endswith("lidar_bench = 라이다 시험대 / LiDAR test bench")
        with sqlite3.connect(server.db_path) as db:
            stored = db.execute(
                "SELECT fields FROM support_kind WHERE code = 'equipment'"
            ).fetchone()
        assert "lidar_bench" in stored[0]
    finally:
        context.close()
