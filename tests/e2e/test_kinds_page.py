"""The Support kinds page in a phone-sized window (390 px): the equipment catalogue reads in
Korean and English, nothing runs off the side, and an admin adds a choice through the page."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.harness import AppServer, expect_text, pick, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e
SETTLE = 10_000  # ms an auto-retrying check waits for the browser to draw a run's widgets

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
        # The catalogue, in both languages. Waited for: under load the run that draws the edit
        # form can finish after the pick's idle check, and an early read found the box empty.
        expect(choices_box(page, label)).to_have_value(
            re.compile(
                re.escape(
                    "av_virtual_rig = 자율주행 가상 시험 장비 / Autonomous-driving virtual test rig"
                )
            ),
            timeout=SETTLE,
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
        expect(choices).to_have_value(re.compile("av_virtual_rig"), timeout=SETTLE)  # drawn
        choices.fill(choices.input_value() + "\nlidar_bench = 라이다 시험대 / LiDAR test bench")
        page.get_by_role("button", name="항목 저장").click()
        wait_idle(page)
        expect_text(page, "항목 '장비'를 저장했습니다.")
        lines = choices_box(page, "선택지 (한 줄에 하나").input_value()
        assert lines.endswith("lidar_bench = 라이다 시험대 / LiDAR test bench")
        with sqlite3.connect(server.db_path) as db:
            stored = db.execute(
                "SELECT fields FROM support_kind WHERE code = 'equipment'"
            ).fetchone()
        assert "lidar_bench" in stored[0]
    finally:
        context.close()


def _form(page: Page, button: str) -> Locator:
    """The form whose submit button reads `button`."""
    return page.locator("[data-testid='stForm']").filter(
        has=page.get_by_role("button", name=button, exact=True)
    )


def _fill(form: Locator, label: str, value: str) -> None:
    box = form.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def test_added_kind_opens_and_the_forms_start_empty_after_a_save(
    browser: Browser, server: AppServer, passwords: dict[str, str]
) -> None:
    """After a save the browser shows the add forms empty (it kept the last values under the
    old keys: a money field got the previous field's 'max 500'); a unit on a text field is
    refused; emptying a limit in the edit form removes it."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    try:
        sign_in(page, server, "admin", passwords["admin"])
        open_kinds(page, server)
        add_kind = _form(page, "유형 추가")
        _fill(add_kind, "코드 (영문 소문자·숫자·_)", "pitch_day")
        _fill(add_kind, "이름 (한국어)", "피칭 데이")
        _fill(add_kind, "이름 (영어)", "Pitching day")
        add_kind.get_by_role("button", name="유형 추가").click()
        wait_idle(page)
        expect_text(page, "지원 유형 '피칭 데이'를 추가했습니다.")
        picker = page.get_by_role("combobox", name="지원 유형", exact=True)
        # Auto-retrying checks: the browser draws the new keys' widgets a moment after the run.
        expect(picker).to_have_value("피칭 데이", timeout=SETTLE)  # the new kind is open
        expect(_form(page, "유형 추가").get_by_label("이름 (한국어)")).to_have_value(
            "", timeout=SETTLE
        )

        add_field = _form(page, "항목 추가")
        _fill(add_field, "항목 코드 (영문 소문자·숫자·_)", "people")
        pick(page, "형식", "정수")
        add_field = _form(page, "항목 추가")
        for label, value in (
            ("이름 (한국어)", "참석 인원"),
            ("이름 (영어)", "People"),
            ("단위 (한국어)", "명"),
            ("최댓값", "500"),
        ):
            _fill(add_field, label, value)
        add_field.get_by_role("button", name="항목 추가").click()
        wait_idle(page)
        expect_text(page, "항목 '참석 인원'을 추가했습니다.")
        add_field = _form(page, "항목 추가")
        for label in ("항목 코드 (영문 소문자·숫자·_)", "단위 (한국어)", "최댓값"):
            expect(add_field.get_by_label(label, exact=True)).to_have_value("", timeout=SETTLE)

        # A unit on a text field: refused, with the reason, and nothing added.
        _fill(add_field, "항목 코드 (영문 소문자·숫자·_)", "venue")
        pick(page, "형식", "글")
        add_field = _form(page, "항목 추가")
        _fill(add_field, "이름 (한국어)", "장소")
        _fill(add_field, "이름 (영어)", "Venue")
        _fill(add_field, "단위 (한국어)", "곳")
        add_field.get_by_role("button", name="항목 추가").click()
        wait_idle(page)
        expect_text(page, "숫자 항목(정수, 소수, 금액, 시간)에만 쓸 수 있습니다.")

        # Emptying the maximum in the edit form removes the limit.
        edit = _form(page, "항목 저장")
        box = edit.get_by_label("최댓값", exact=True)
        expect(box).to_have_value("500", timeout=SETTLE)
        box.fill("")
        box.press("Tab")
        edit.get_by_role("button", name="항목 저장").click()
        wait_idle(page)
        expect_text(page, "항목 '참석 인원'을 저장했습니다.")
        with sqlite3.connect(server.db_path) as db:
            stored = db.execute(
                "SELECT fields FROM support_kind WHERE code = 'pitch_day'"
            ).fetchone()[0]
        assert '"name": "people"' in stored and '"max"' not in stored.replace('"max": null', "")
        assert "venue" not in stored
        expect(_form(page, "항목 저장").get_by_label("최댓값", exact=True)).to_have_value(
            "", timeout=SETTLE
        )
    finally:
        context.close()
