"""A manager builds the quarterly report in the browser and downloads a workbook that opens."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page

from tests.e2e.harness import AppServer, expect_text, go, pick, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.e2e


def test_manager_builds_and_downloads_the_report(
    page: Page, server: AppServer, passwords: dict[str, str], tmp_path: Path
) -> None:
    sign_in(page, server, "manager", passwords["manager"])
    go(page, "분기 보고서")
    pick(page, "분기", "Q3")
    expect_text(page, "지원 실적과 목표")
    page.get_by_role("button", name="보고서 만들기").click()
    wait_idle(page, timeout=120_000)
    expect_text(page, "보고서를 만들었습니다: report-2022-Q3-")
    screenshot(page, "reports-manager")
    with page.expect_download() as download:
        page.locator(".st-key-rp_download_last button").click()  # the one just built
    target = tmp_path / "report.xlsx"
    download.value.save_as(target)
    workbook = openpyxl.load_workbook(target, read_only=True)
    # README: Summary, Companies, one sheet per kind (the demo's six), Stage moves, Outcomes, About.
    assert workbook.sheetnames == [
        "요약",
        "기업별 현황",
        "멘토링",
        "시제품 제작",
        "투자펀드",
        "해외진출",
        "HPC 컴퓨팅 자원",
        "시험·실증 장비",
        "단계 변경",
        "성과",
        "보고서 정보",
    ]
