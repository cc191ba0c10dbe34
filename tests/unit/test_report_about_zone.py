"""The About sheet says which zone its times are in and gives them in the office's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.workbook import Workbook

from crm import clock
from crm.reports.about import Provenance, write_about
from crm.reports.options import ReportOptions, Unit
from crm.reports.restatements import RestatementLine
from crm.reports.writer import WORKBOOK_OPTIONS, Formats
from crm.services.quarters import ClosedQuarter

GENERATED = datetime(2022, 11, 1, 1, 39, tzinfo=UTC)


def _about(path: Path, lang: str) -> dict[str, object]:
    workbook = Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("about")
    write_about(
        sheet,
        Formats(workbook),
        ReportOptions(2022, 3, Unit.WON, lang),
        Provenance(GENERATED, "박 매니저", datetime(2022, 10, 31, 15, 0)),  # naive: UTC
        closed=ClosedQuarter(2022, 3, datetime(2022, 10, 5, 8, 0, tzinfo=UTC), "박 매니저", 1),
        restatements=[
            RestatementLine(
                "2022년 3분기",
                "금남로보틱스 · 멘토링 (2022.09.15)",
                "금액 600,000원 → 8,500,000원",
                "영수증",
                "박 매니저",
                GENERATED,
            )
        ],
    )
    workbook.close()
    rows = list(openpyxl.load_workbook(path)["about"].iter_rows(values_only=True))
    about = {r[0]: r[1] for r in rows if r[0]}
    about["restatement_header"] = next(r for r in rows if r[0] == "2022년 3분기")
    about["restatement_header_row"] = rows[rows.index(about["restatement_header"]) - 1]
    return about


def test_about_sheet_in_seoul(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_OFFICE_TIMEZONE", raising=False)
    about = _about(tmp_path / "ko.xlsx", "ko")
    assert about["작성 시각 (Asia/Seoul, UTC+9)"] == datetime(2022, 11, 1, 10, 39)
    assert about["데이터 기준 시각 (Asia/Seoul, UTC+9, 마지막 변경)"] == datetime(2022, 11, 1, 0, 0)
    assert str(about["시간대"]).startswith("Asia/Seoul, UTC+9.")
    assert str(about["분기 마감"]).startswith("2022-10-05 17:00 (Asia/Seoul, UTC+9) 박 매니저 마감")
    assert about["restatement_header"][5] == datetime(2022, 11, 1, 10, 39)
    assert about["restatement_header_row"][5] == "기록 시각 (Asia/Seoul, UTC+9)"


def test_about_sheet_in_another_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_OFFICE_TIMEZONE", "Europe/Berlin")
    clock.zone.cache_clear()
    about = _about(tmp_path / "en.xlsx", "en")
    assert about["Generated at (Europe/Berlin, UTC+1)"] == datetime(2022, 11, 1, 2, 39)
    assert "2022-10-05 10:00 (Europe/Berlin, UTC+2)" in str(about["Quarter close"])
