"""Reports page through AppTest: summary, build and save, saved list, close the quarter."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from tests.app.conftest import OpenAs
from tests.app.helpers import scalar, submit


@pytest.fixture
def exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "exports"
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(folder))
    return folder


def test_officer_cannot_open_reports(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/3_Reports.py")
    assert at.error[0].value == "이 화면을 볼 권한이 없습니다 (사업 담당자)."
    assert len(at.dataframe) == 0


def test_summary_build_and_saved_list(open_as: OpenAs, app_db: Engine, exports: Path) -> None:
    at = open_as("manager", "pages/3_Reports.py")
    assert len(at.dataframe) >= 3
    at.selectbox(key="rp_quarter").set_value(3).run()
    at.button(key="rp_build").click().run()
    assert not at.exception
    files = sorted(exports.glob("report-2022-Q3-*.xlsx"))
    assert len(files) == 1 and not list(exports.glob(".*.tmp"))
    assert [s.value for s in at.success] == [f"보고서를 만들었습니다: {files[0].name}"]
    workbook = openpyxl.load_workbook(files[0], read_only=True)
    assert len(workbook.sheetnames) >= 8
    assert scalar(app_db, "SELECT COUNT(*) FROM audit_entry WHERE action = 'export'") == 1
    saved = at.dataframe[-1].value
    assert list(saved["파일"]) == [files[0].name]
    assert list(saved["작성자"]) == ["박지원 매니저 (데모)"]


def test_close_needs_confirmation(open_as: OpenAs, app_db: Engine, exports: Path) -> None:
    at = open_as("manager", "pages/3_Reports.py")
    at.selectbox(key="rp_quarter").set_value(2).run()
    submit(at, "분기 마감")
    assert scalar(app_db, "SELECT COUNT(*) FROM quarter_close") == 0
    at.checkbox(key="rp_close_confirm").check()
    submit(at, "분기 마감")
    assert scalar(app_db, "SELECT year * 10 + quarter FROM quarter_close") == 20222
    assert any("마감했습니다" in s.value for s in at.success) or any(
        "마감했습니다" in i.value for i in at.info
    )
