"""Reports page through AppTest: summary, build and save, saved list, close the quarter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm.models import Activity, Company
from crm.services import quarters
from crm.services.actor import actor_by_username
from tests.app.conftest import OpenAs
from tests.app.helpers import scalar, submit

# README: Summary, Companies, one sheet per kind (the demo's six), Stage moves, Outcomes, About.
REPORT_SHEETS_KO = ["요약", "기업별 현황", "멘토링", "시제품 제작", "투자펀드", "해외진출"]
REPORT_SHEETS_KO += ["HPC 컴퓨팅 자원", "시험·실증 장비", "단계 변경", "성과", "보고서 정보"]


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
    assert workbook.sheetnames == REPORT_SHEETS_KO
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
    # The flash says this press closed it; the notice under it says who closed it and when.
    assert [s.value for s in at.success] == ["2022년 2분기를 마감했습니다."]
    [notice] = [i.value for i in at.info if i.value.startswith("2022년 2분기는 ")]
    assert "박지원 매니저 (데모)님이 마감했습니다. 수치는 마감 시점 기준입니다." in notice


def test_restatements_table_reads_in_names(open_as: OpenAs, app_db: Engine) -> None:
    """The restatement list names the record, the field and the money, not '지원 내역 #423'."""
    with Session(app_db) as s:
        manager = actor_by_username(s, "manager")
        quarters.close_quarter(s, manager, 2022, 3)
        activity = s.exec(
            select(Activity)
            .where(col(Activity.start_on).between(date(2022, 7, 1), date(2022, 9, 30)))
            .where(Activity.status == "completed")
            .order_by(col(Activity.id))
        ).first()
        assert activity is not None and activity.id is not None
        before, day, company_id = activity.amount_krw, activity.start_on, activity.company_id
        quarters.restate_activity(
            s,
            manager,
            activity.id,
            version=activity.version,
            changes={"amount_krw": before + 1_000_000},
            reason="영수증 재확인",
        )
        company = s.get(Company, company_id)
        assert company is not None
        name = company.name_ko
    at = open_as("manager", "pages/3_Reports.py")
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table.columns) == ["분기", "대상", "변경 내용", "사유", "작성자", "일시"]
    row = table.iloc[0]
    assert row["분기"] == "2022년 3분기"
    assert row["대상"].startswith(f"{name} · ") and row["대상"].endswith(f"({day:%Y.%m.%d})")
    assert row["변경 내용"] == f"금액 {before:,}원 → {before + 1_000_000:,}원"
    assert row["사유"] == "영수증 재확인"
    assert "#" not in " ".join(str(v) for v in row.values)
