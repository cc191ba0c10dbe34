"""Quick entry of a day's mentoring in a real browser: amounts typed the Korean way into the grid
(a canvas: cells are reached by clicking the first one and moving with the keyboard) are read by
the amount parser, an unreadable one refuses the whole batch, and every row takes the one date."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlmodel import Session

from crm.db import make_engine
from crm.services.company_views import company_choices
from tests.e2e.harness import (
    AppServer,
    expand,
    expect_text,
    fill,
    fill_date,
    go,
    pick,
    press,
    screenshot,
    sign_in,
    visible,
    wait_idle,
)

pytestmark = pytest.mark.e2e

HEADER_PX = 36  # the grid's header row
ROW_PX = 35  # Streamlit's default row height
MARKER_PX = 33  # the row-marker column left of the first data column


def _db(server: AppServer, sql: str, **params: object) -> list[tuple]:
    engine = make_engine(server.database_url)
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(text(sql), params).all()]
    engine.dispose()
    return rows


def _quiet_companies(server: AppServer, n: int) -> list[tuple[int, str]]:
    """Companies with no activity in 2022 Q4 whose names no other name contains (so a search
    for one finds only it)."""
    engine = make_engine(server.database_url)
    with Session(engine) as s:
        names = company_choices(s)
    engine.dispose()
    busy = {
        cid
        for (cid,) in _db(server, "SELECT company_id FROM activity WHERE start_on >= '2022-10-01'")
    }
    unique = [
        (cid, name)
        for cid, name in names.items()
        if cid not in busy and sum(name in other for other in names.values()) == 1
    ]
    return unique[:n]


def _focus_cell(page: Page, row: int, column: int) -> None:
    """Select a cell of the quick-entry grid: click the row's first cell (again if the click
    landed while the grid was redrawing), then move right with the keyboard. Glide mirrors the
    selection as the focused cell of its accessible table, `glide-cell-<col>-<row>` (col 0 is
    the row marker)."""
    grid = page.locator("[data-testid='stDataFrame']").last  # the quick-entry grid
    grid.scroll_into_view_if_needed()
    focused = "id => document.activeElement && document.activeElement.id === id"
    for attempt in range(3):
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(
            box["x"] + MARKER_PX + 40, box["y"] + HEADER_PX + ROW_PX * row + ROW_PX / 2
        )
        try:
            page.wait_for_function(focused, arg=f"glide-cell-1-{row}", timeout=3_000)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(focused, arg=f"glide-cell-{column + 1}-{row}", timeout=3_000)


def _type_row(page: Page, row: int, values: list[str]) -> None:
    """Fill one grid row from its first column: Enter opens a cell's editor, Tab saves it and
    moves right (in the company column Tab takes the highlighted option)."""
    _focus_cell(page, row, 0)
    for value in values:
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        if value:
            page.keyboard.type(value)
            page.wait_for_timeout(400)
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)


def _retype_cell(page: Page, row: int, column: int, value: str) -> None:
    """Clear a cell (Delete on the selected cell), then type into it as into an empty one."""
    _focus_cell(page, row, column)
    page.keyboard.press("Delete")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    page.keyboard.type(value)
    page.wait_for_timeout(400)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)


def test_quick_entry_reads_korean_amounts_and_uses_one_date(
    page: Page, server: AppServer, passwords: dict[str, str]
) -> None:
    (a_id, a_name), (b_id, b_name) = _quiet_companies(server, 2)
    sign_in(page, server, "officer", passwords["officer"])
    go(page, "지원 내역")
    expand(page, "하루 멘토링 일괄 입력")
    _type_row(page, 0, [a_name, "멘토 김", "IR 준비", "2", "30만원", ""])
    _type_row(page, 1, [b_name, "멘토 이", "마케팅", "1", "오백만원쯤", ""])
    fill_date(page, "세션 날짜 (모든 행)", "2022/11/15")
    page.get_by_text("하루의 멘토링 세션을 한 번에").click()  # close the calendar over the grid
    page.wait_for_timeout(300)
    screenshot(page, "quick-entry-typed")
    press(page, "일괄 저장")
    expect_text(
        page,
        "2행: 금액 (원): 금액을 읽을 수 없습니다: '오백만원쯤'. "
        "1,200,000 · 120만원 · 1.2억처럼 입력하세요.",
    )
    assert _db(
        server,
        "SELECT COUNT(*) FROM activity WHERE start_on = '2022-11-15' AND company_id IN (:a, :b)",
        a=a_id,
        b=b_id,
    ) == [(0,)]  # nothing saved

    _retype_cell(page, 1, 4, "1.2억")
    press(page, "일괄 저장")
    expect_text(page, "2건을 저장했습니다 (2022.11.15, 합계 120,300,000원).")
    saved = _db(
        server,
        "SELECT company_id, start_on, amount_krw FROM activity WHERE company_id IN (:a, :b) "
        "AND start_on >= '2022-10-01' ORDER BY company_id",
        a=a_id,
        b=b_id,
    )
    assert sorted(saved) == sorted(
        [(a_id, "2022-11-15", 300_000), (b_id, "2022-11-15", 120_000_000)]
    )

    # The saved activity, opened from the support log, shows 300,000 (not 30, not 300000).
    fill(page, "기업", a_name)
    wait_idle(page)
    pick(page, "지원받은 분기", "2022 Q4")
    expect_text(page, "1건 · 합계 300,000원")
    table = page.locator("[data-testid='stDataFrame']").first
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 15, box["y"] + HEADER_PX + ROW_PX / 2)  # select the row
    wait_idle(page)
    expect_text(page, f"선택한 지원 내역 수정: {a_name} · 2022.11.15 ·")  # names, not the id
    amount = visible(page.get_by_label("금액 (원)", exact=True))
    expect(amount).to_have_value("300,000")
    screenshot(page, "quick-entry-saved")
