"""The Summary sheet from hand-built figures: tables, totals, charts; figures survive JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from xlsxwriter.workbook import Workbook

from crm.reports.figures import (
    KindFigures,
    MoveFigures,
    OutcomeFigures,
    ProgrammeFigures,
    ReportFigures,
    StageFigures,
)
from crm.reports.options import ReportOptions, Unit, validate_options
from crm.reports.summary import summary_tables, table_frame, write_summary
from crm.reports.writer import WORKBOOK_OPTIONS, Formats
from crm.services.quarters import ClosedQuarter

FIGURES = ReportFigures(
    year=2022,
    quarter=3,
    cohort_name="테스트 코호트",
    target_companies=10,
    cohort_companies=8,
    supported_q=5,
    supported_ytd=7,
    activities_q=9,
    activities_ytd=20,
    krw_q=3_500_000,
    krw_ytd=9_000_000,
    budget_krw=30_000_000,
    programmes=(
        # KRW not cancelled, split by status: executed (completed) / committed / planned.
        ProgrammeFigures(
            1, "=멘토링 사업", "mentoring", 10_000_000, 8, 4, 6, 1_500_000, 6, 14, 4_000_000,
            executed_q=1_000_000, committed_q=300_000, planned_q=200_000,
            executed_ytd=3_000_000, committed_ytd=500_000, planned_ytd=500_000,
        ),
        ProgrammeFigures(
            2, "해외진출", "overseas", 20_000_000, 3, 2, 3, 2_000_000, 3, 6, 5_000_000,
            executed_q=2_000_000, committed_q=0, planned_q=0,
            executed_ytd=3_000_000, committed_ytd=2_000_000, planned_ytd=0,
        ),
    ),
    kinds=(KindFigures("mentoring", 4, 6, 1_500_000, 6, 14, 4_000_000),),
    stages=(
        StageFigures("pre_startup", 3, 1, 0, 1, 3),
        StageFigures("startup", 2, 0, 1, 0, 3),
        StageFigures("growth", 1, 0, 0, 0, 1),
    ),
    moves=(MoveFigures("pre_startup", "startup", 1),),
    outcomes_q=OutcomeFigures(5, 3, 2, 1, 50_000_000, 7_000_000),
    outcomes_ytd=OutcomeFigures(12, 8, 4, 2, 90_000_000, 9_000_000),
    data_as_of=datetime(2022, 10, 1, 9, 0, tzinfo=UTC),
    executed_q=3_000_000,
    committed_q=300_000,
    planned_q=200_000,
    executed_ytd=6_000_000,
    committed_ytd=2_500_000,
    planned_ytd=500_000,
)  # fmt: skip
KINDS = {"mentoring": "멘토링", "overseas": "해외진출"}


def _write(path: Path, options: ReportOptions, closed: ClosedQuarter | None = None) -> None:
    workbook = Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("요약")
    write_summary(
        workbook, sheet, Formats(workbook), FIGURES, options, kind_names=KINDS, closed=closed
    )
    workbook.close()


def _find(ws: openpyxl.worksheet.worksheet.Worksheet, text: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column A")


def test_programme_table_totals_and_ratio(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    _write(path, ReportOptions(2022, 3, Unit.THOUSAND, "ko"))
    ws = openpyxl.load_workbook(path)["요약"]
    cached = openpyxl.load_workbook(path, data_only=True)["요약"]
    head = _find(ws, "지원사업")
    assert ws.cell(head, 3).value == "예산 (천원)"
    assert ws.cell(head, 7).value == "집행액 (분기, 천원)"
    first, total = head + 1, head + 3
    assert ws.cell(first, 1).value == "=멘토링 사업"
    assert ws.cell(first, 1).data_type == "s"
    assert ws.cell(first, 3).value == 10_000  # 10,000,000 won in 천원
    assert ws.cell(total, 1).value == "합계"
    assert ws.cell(total, 3).value == f"=SUM(C{first}:C{first + 1})"
    assert cached.cell(total, 3).value == 30_000
    # Executed is completed activities only; committed and planned have columns of their own.
    assert [ws.cell(head, c).value for c in (10, 11, 12, 13)] == [
        "집행액 (누계, 천원)",
        "약정액 (누계, 천원)",
        "계획액 (누계, 천원)",
        "집행률 (누계)",
    ]
    assert [ws.cell(first, c).value for c in (7, 10, 11, 12)] == [1_000, 3_000, 500, 500]
    assert [cached.cell(total, c).value for c in (7, 10, 11, 12)] == [3_000, 6_000, 2_500, 500]
    # Companies are counted once across programmes: plain numbers, not sums (4+2 != 5).
    assert (ws.cell(total, 5).value, ws.cell(total, 8).value) == (5, 7)
    assert ws.cell(total, 13).value == f"=IF(C{total}=0,0,J{total}/C{total})"
    assert cached.cell(total, 13).value == pytest.approx(0.2)
    assert ws.cell(first, 13).number_format == "0.0%"
    assert ws.cell(first, 13).value == pytest.approx(0.3)


def test_stage_table_and_charts(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    _write(path, ReportOptions(2022, 3, Unit.WON, "ko"))
    ws = openpyxl.load_workbook(path)["요약"]
    cached = openpyxl.load_workbook(path, data_only=True)["요약"]
    head = _find(ws, "단계")
    assert [ws.cell(head + i, 1).value for i in range(1, 5)] == [
        "예비창업",
        "창업/초기",
        "성장",
        "합계",
    ]
    assert cached.cell(head + 4, 2).value == 6
    assert cached.cell(head + 4, 6).value == 7
    programme_head = _find(ws, "지원사업")
    charts = ws._charts
    assert len(charts) == 2
    by_programme, by_stage = charts
    assert (by_programme.type, by_programme.barDir) == ("bar", "bar")
    values = [s.val.numRef.f for s in by_programme.series]
    r1, r2 = programme_head + 1, programme_head + 2
    assert values == [f"요약!$J${r1}:$J${r2}", f"요약!$C${r1}:$C${r2}"]
    assert by_programme.series[0].cat.strRef.f == f"요약!$A${r1}:$A${r2}"
    assert by_stage.barDir == "col"
    assert [s.val.numRef.f for s in by_stage.series] == [
        f"요약!$B${head + 1}:$B${head + 3}",
        f"요약!$F${head + 1}:$F${head + 3}",
    ]


def test_outcomes_and_status_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    closed = ClosedQuarter(2022, 3, datetime(2022, 10, 5, 8, 0, tzinfo=UTC), "박 매니저", 2)
    _write(path, ReportOptions(2022, 3, Unit.MILLION, "en"), closed)
    ws = openpyxl.load_workbook(path)["요약"]
    assert ws["A1"].value == "Startup support report 2022 Q3"
    # The close time in the office's zone, with the zone named (not UTC).
    assert "Closed on 2022-10-05 17:00 (Asia/Seoul, UTC+9) by 박 매니저" in ws["A3"].value
    assert "Restatements since: 2" in ws["A3"].value
    row = _find(ws, "Investment attracted (KRW million)")
    assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == (50, 90)
    jobs = _find(ws, "Jobs created (new hires)")
    assert (ws.cell(jobs, 2).value, ws.cell(jobs, 3).value) == (3, 8)


def test_table_frames_match_the_sheet() -> None:
    options = ReportOptions(2022, 3, Unit.THOUSAND, "en")
    tables = {t.key: t for t in summary_tables(FIGURES, options, KINDS)}
    programmes = table_frame(tables["programmes"], options)
    assert list(programmes.iloc[-1][["Budget (KRW thousand)", "Companies (quarter)"]]) == [
        30_000,
        5,
    ]
    assert programmes.iloc[-1]["% executed (YTD)"] == pytest.approx(0.2)
    cohort = table_frame(tables["cohort"], options).set_index("Item")
    assert list(cohort.index[4:]) == [
        "KRW executed (completed, KRW thousand)",
        "KRW committed (in progress, KRW thousand)",
        "KRW planned (KRW thousand)",
    ]
    assert list(cohort.iloc[4:]["Quarter"]) == [3_000, 300, 200]  # in 천원
    assert list(cohort.iloc[4:]["Year to date"]) == [6_000, 2_500, 500]
    assert cohort.iloc[4]["Achieved"] == pytest.approx(0.2)  # executed / budget
    cohort = cohort.reset_index()
    assert cohort.iloc[1]["Achieved"] == pytest.approx(0.7)
    assert isinstance(table_frame(tables["stages"], options), pd.DataFrame)


def test_figures_round_trip_through_json() -> None:
    text = json.dumps(FIGURES.to_json())
    again = ReportFigures.from_json(json.loads(text))
    assert again == FIGURES
    assert again.programmes[0].executed_share == pytest.approx(0.3)
    assert again.has_data


def test_figures_stored_before_the_split_show_blanks(tmp_path: Path) -> None:
    """A quarter closed before executed was told apart (schema 1) stored only KRW not cancelled:
    it loads, and the executed / committed / planned cells stay blank instead of guessing."""
    spends = [f"{s}_{p}" for s in ("executed", "committed", "planned") for p in ("q", "ytd")]
    stored = FIGURES.to_json() | {"schema": 1}
    for name in spends:
        del stored[name]
        for programme in stored["programmes"]:
            del programme[name]
    old = ReportFigures.from_json(json.loads(json.dumps(stored)))
    assert (old.krw_ytd, old.executed_ytd, old.programmes[0].executed_share) == (
        9_000_000,
        None,
        None,
    )
    options = ReportOptions(2022, 3, Unit.WON, "ko")
    tables = {t.key: t for t in summary_tables(old, options, KINDS)}
    assert tables["cohort"].rows[4] == ["집행액 (완료, 원)", None, None, 30_000_000, None]
    workbook = Workbook(str(tmp_path / "old.xlsx"), WORKBOOK_OPTIONS)
    write_summary(
        workbook, workbook.add_worksheet("요약"), Formats(workbook), old, options,
        kind_names=KINDS, closed=None,
    )  # fmt: skip
    workbook.close()
    assert FIGURES.to_json()["schema"] == 2


def test_options_are_validated() -> None:
    from crm.errors import ValidationError

    assert validate_options("2022", "3", "million", "en") == ReportOptions(
        2022, 3, Unit.MILLION, "en"
    )
    with pytest.raises(ValidationError) as info:
        validate_options(2022, 5, "billion", "fr")
    assert info.value.fields == {"quarter", "unit", "lang"}
