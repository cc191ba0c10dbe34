"""A manager uploads a funder's form in the browser, maps two cells and the company table, fills
2022 Q3 and downloads the workbook, whose figures equal the quarterly report's."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page
from sqlmodel import Session

from crm.db import make_engine
from crm.reports.figures import compute_figures
from crm.reports.options import Period
from tests.e2e.harness import (
    AppServer,
    expand,
    expect_text,
    fill,
    go,
    pick,
    press,
    screenshot,
    sign_in,
    wait_idle,
)
from tests.funder_forms import FIRST_ROW, KPI, MAIN, form_bytes

pytestmark = pytest.mark.e2e


def test_manager_uploads_maps_fills_and_downloads(
    page: Page, server: AppServer, passwords: dict[str, str], tmp_path: Path
) -> None:
    form = tmp_path / "광주시 실적보고 양식.xlsx"
    form.write_bytes(form_bytes())
    sign_in(page, server, "manager", passwords["manager"])
    go(page, "기관 양식")
    expect_text(page, "아직 올린 양식이 없습니다")
    expand(page, "새 양식 올리기")
    fill(page, "양식 이름", "광주시 실적보고")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        str(form)
    )
    wait_idle(page)
    press(page, "양식 올리기")
    expect_text(page, "'광주시 실적보고' 양식을 올렸습니다")
    pick(page, "양식 선택", "광주시 실적보고")
    pick(page, "분기", "Q3")
    # two cells on the KPI sheet
    pick(page, "시트", KPI)
    fill(page, "셀 주소", "B3")
    pick(page, "항목", "지원 기업 수 (분기, 인프라 지원 포함)")
    press(page, "지정")
    fill(page, "셀 주소", "B5")
    pick(page, "항목", "집행액 (완료, 누적)")
    press(page, "지정")
    # the company table on the report sheet: header row 6, first data row 7
    pick(page, "시트", MAIN)
    fill(page, "제목 행 번호", "6")
    wait_idle(page)
    fill(page, "첫 데이터 행 번호", str(FIRST_ROW))
    wait_idle(page)
    pick(page, "A · 번호", "번호")
    pick(page, "B · 기업명", "기업명")
    pick(page, "F · 지원금액", "지원 금액 (누적)")
    press(page, "표 지정")
    expect_text(page, "7행부터 (양식 3행)")
    press(page, "매핑 저장")
    expect_text(page, "매핑을 저장했습니다.")
    press(page, "양식 채우기")
    expect_text(page, "광주시 실적보고 양식-2022-Q3.xlsx을(를) 만들었습니다")
    screenshot(page, "funder-templates-manager")
    with page.expect_download() as download:
        page.get_by_role("button", name="내려받기 · ", exact=False).click()
    target = tmp_path / "filled.xlsx"
    download.value.save_as(target)

    engine = make_engine(server.database_url)
    with Session(engine) as session:
        figures = compute_figures(session, Period(2022, 3))
    engine.dispose()
    wb = openpyxl.load_workbook(target, data_only=True)
    assert wb[KPI]["B3"].value == figures.supported_q
    assert wb[KPI]["B5"].value == figures.executed_ytd
    main = wb[MAIN]
    total = FIRST_ROW + figures.supported_ytd
    assert main.cell(total, 1).value == "합계"
    assert main.cell(total, 6).value == figures.krw_ytd
    assert [main.cell(FIRST_ROW + i, 1).value for i in range(3)] == [1, 2, 3]
    assert main.cell(total + 2, 1).value == "위 내용이 사실과 다름없음을 확인합니다."
