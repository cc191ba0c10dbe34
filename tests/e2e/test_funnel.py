"""The funnel page in a real browser: an analyst opens it from the sidebar, clicks a funnel bar and
sees exactly the companies behind it (checked against crm.analytics on the server's database),
follows one to its read-only company page, and downloads the chart's data and picture."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from crm.analytics import Filters, apply_filters, companies_behind, filter_choices, load_frames
from crm.db import make_engine
from tests.e2e.harness import (
    ARTIFACTS,
    AppServer,
    expect_text,
    go,
    press,
    screenshot,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.e2e

FUNNEL_CHART = "[class*='st-key-fn_funnel_']"  # the key carries a generation (funnel_view)
COMPANY_LINKS = "[data-testid='stMain'] [data-testid='stPageLink'] a[href*='company=']"


def _expected_startup_companies(server: AppServer) -> list[tuple[int, str]]:
    engine = make_engine(server.database_url)
    try:
        frames = load_frames(engine)
    finally:
        engine.dispose()
    as_of = filter_choices(frames)["last_day"]
    behind = companies_behind(apply_filters(frames, Filters()), "startup", as_of=as_of)
    return [(int(i), str(n)) for i, n in zip(behind["company_id"], behind["name_ko"], strict=True)]


def _label(link: Locator) -> str:
    # The material icon renders as its ligature name on a line of its own; the label is last.
    return link.inner_text().strip().splitlines()[-1]


def _company_id(link: Locator) -> int:
    found = re.search(r"company=(\d+)", link.get_attribute("href") or "")
    assert found, "a company link carries ?company=ID"
    return int(found[1])


def _funnel_bar(page: Page, stage_label: str) -> Locator:
    """The bar of one stage. The chart renders to SVG (usermeta embedOptions renderer), and Vega
    gives each bar an aria-label listing its tooltip fields, the stage first."""
    chart = page.locator(FUNNEL_CHART)
    expect(chart.locator("svg").first).to_be_visible()
    return chart.locator(f"path[aria-roledescription='bar'][aria-label^='단계: {stage_label};']")


def test_analyst_clicks_a_funnel_bar_and_sees_its_companies(
    page: Page, server: AppServer, passwords: dict[str, str], tmp_path: Path
) -> None:
    expected = _expected_startup_companies(server)
    assert expected, "the demo cohort has pre-startup companies that reached startup"
    sign_in(page, server, "analyst", passwords["analyst"])
    go(page, "성장 단계 분석")
    # The sections are tabs; the funnel is the open one.
    expect(page.get_by_role("tab", name="단계 퍼널")).to_have_attribute("aria-selected", "true")
    assert page.locator(COMPANY_LINKS).count() == 0

    bar = _funnel_bar(page, "창업/초기")
    expect(bar).to_have_count(1)
    assert f"도달: {len(expected)};" in (bar.get_attribute("aria-label") or "")
    bar.click()
    wait_idle(page)

    expect_text(page, f"창업/초기 · 도달: {len(expected)}개 기업")
    assert "pick=funnel%3Astartup" in page.url
    links = page.locator(COMPANY_LINKS)
    expect(links).to_have_count(len(expected))
    shown = sorted((_company_id(links.nth(i)), _label(links.nth(i))) for i in range(links.count()))
    assert shown == sorted(expected)
    links.last.scroll_into_view_if_needed()
    screenshot(page, "funnel-analyst-bar-clicked")
    page.locator(FUNNEL_CHART).screenshot(path=str(ARTIFACTS / "funnel-chart.png"))

    # Clearing the pick and clicking the same bar again lists the companies again.
    press(page, "선택 해제")
    expect(page.locator(COMPANY_LINKS)).to_have_count(0)
    assert "pick=" not in page.url
    _funnel_bar(page, "창업/초기").click()
    wait_idle(page)
    expect(page.locator(COMPANY_LINKS)).to_have_count(len(expected))

    # The chart's data as Excel and the chart as PNG, built only when asked for.
    with page.expect_download() as download:
        page.get_by_role("button", name="데이터 (엑셀)").first.click()
    workbook_path = tmp_path / "funnel.xlsx"
    download.value.save_as(workbook_path)
    sheet = openpyxl.load_workbook(workbook_path).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows[2]
    stages = {r[header.index("단계")]: r[header.index("도달")] for r in rows[3:]}
    assert stages["창업/초기"] == len(expected)
    with page.expect_download() as download:
        page.get_by_role("button", name="차트 (PNG)").first.click()
    png_path = tmp_path / "funnel.png"
    download.value.save_as(png_path)
    assert png_path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    # A listed company opens its page: read-only for an analyst, contact data masked.
    first_id, first_name = sorted(expected, key=lambda c: c[1])[0]
    page.locator(f"{COMPANY_LINKS}[href*='company={first_id}']").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=first_name)).to_be_visible()
    expect_text(page, "읽기 전용입니다. 개인 연락처는 가려져 있습니다.")
    screenshot(page, "funnel-analyst-company-page")
