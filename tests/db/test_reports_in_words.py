"""What the workbook tells a person, read back with openpyxl on both engines: restatements by
name (company · kind · date, field label, old → new in money), times in the office's zone with
the zone named (Summary's close line, Stage moves, About) — no ids, codes or UTC stamps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm import demo
from crm.models import Activity, Company, OutcomeReport, Programme, StageEntry
from crm.reports.options import ReportOptions
from crm.reports.workbook import write_report
from crm.services import quarters
from crm.services.actor import Actor

CLOSED_AT = datetime(2022, 10, 5, 8, 0, tzinfo=UTC)  # 17:00 in Seoul
RESTATED_AT = datetime(2022, 11, 1, 1, 39, tzinfo=UTC)  # 10:39 in Seoul


@pytest.fixture
def restated(session: Session, manager: Actor) -> dict[str, Any]:
    """The demo cohort, 2022 Q3 closed, one activity corrected twice and one outcome report
    corrected once, with the close and the corrections at known times."""
    demo.load(session)
    quarters.close_quarter(session, manager, 2022, 3)
    activity = session.exec(
        select(Activity)
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .where(
            col(Activity.start_on).between(date(2022, 7, 1), date(2022, 9, 30)),
            Activity.status == "completed",
            Programme.kind == "prototyping",
        )
        .order_by(col(Activity.id))
    ).first()
    assert activity is not None and activity.id is not None
    before, start_on = activity.amount_krw, activity.start_on
    quarters.restate_activity(
        session,
        manager,
        activity.id,
        version=activity.version,
        changes={"amount_krw": before + 5_000_000},
        reason="계약 변경",
    )
    session.refresh(activity)
    quarters.restate_activity(
        session,
        manager,
        activity.id,
        version=activity.version,
        changes={"amount_krw": before + 7_000_000, "status": "in_progress"},
        reason="정산 반영",
    )
    report = session.exec(
        select(OutcomeReport)
        .where(OutcomeReport.year == 2022, OutcomeReport.quarter == 3)
        .order_by(col(OutcomeReport.id))
    ).first()
    assert report is not None and report.id is not None
    hires = report.new_hires
    quarters.restate_outcome_report(
        session,
        manager,
        report.id,
        version=report.version,
        changes={"new_hires": hires + 1},
        reason="보고 누락",
    )
    session.execute(sa.text("UPDATE quarter_close SET closed_at = :at"), {"at": CLOSED_AT})
    session.execute(sa.text("UPDATE restatement SET at = :at"), {"at": RESTATED_AT})
    session.commit()
    company = session.get(Company, activity.company_id)
    report_company = session.get(Company, report.company_id)
    assert company is not None and report_company is not None
    return {
        "company": company.name_ko,
        "report_company": report_company.name_ko,
        "before": before,
        "start_on": start_on,
        "hires": hires,
    }


def _sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def _restatement_rows(rows: list[tuple[Any, ...]], quarter: str) -> list[tuple[Any, ...]]:
    return [r[:6] for r in rows if r[0] == quarter]


def test_restatements_read_in_words_in_korean(
    session: Session, restated: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "ko.xlsx"
    write_report(session, ReportOptions(2022, 3), path, generated_by="x")
    about = _sheet(path, "보고서 정보")
    header = next(r for r in about if r[0] == "분기")
    assert header[:6] == (
        "분기",
        "대상",
        "변경 내용",
        "사유",
        "기록자",
        "기록 시각 (Asia/Seoul, UTC+9)",
    )
    day, before, hires = restated["start_on"], restated["before"], restated["hires"]
    seoul = datetime(2022, 11, 1, 10, 39)
    subject = f"{restated['company']} · 시제품 제작 ({day:%Y.%m.%d})"
    assert _restatement_rows(about, "2022년 3분기") == [
        (
            "2022년 3분기",
            subject,
            f"금액 {before:,}원 → {before + 5_000_000:,}원",
            "계약 변경",
            "Manager1 테스트",
            seoul,
        ),
        (
            "2022년 3분기",
            subject,
            f"상태 완료 → 진행 중; 금액 {before + 5_000_000:,}원 → {before + 7_000_000:,}원",
            "정산 반영",
            "Manager1 테스트",
            seoul,
        ),
        (
            "2022년 3분기",
            f"{restated['report_company']} · 2022년 3분기 성과 보고",
            f"신규 고용 {hires:,} → {hires + 1:,}",
            "보고 누락",
            "Manager1 테스트",
            seoul,
        ),
    ]
    text = " ".join(str(c) for r in about for c in r if c is not None)
    assert "#" not in text and "amount_krw" not in text and "activity" not in text
    # The Summary's status line gives the close in the office's zone.
    summary = _sheet(path, "요약")
    assert summary[2][0].startswith("2022-10-05 17:00 (Asia/Seoul, UTC+9) Manager1 테스트 마감")


def test_restatements_read_in_words_in_english(
    session: Session, restated: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "en.xlsx"
    write_report(session, ReportOptions(2022, 3, lang="en"), path, generated_by="x")
    about = _sheet(path, "About")
    day, before = restated["start_on"], restated["before"]
    rows = _restatement_rows(about, "2022 Q3")
    assert [r[1:3] for r in rows[:1]] == [
        (
            f"{restated['company']} · Prototype production ({day.isoformat()})",
            f"Amount ₩{before:,} → ₩{before + 5_000_000:,}",
        )
    ]
    assert rows[1][2] == (
        f"Status Completed → In progress; Amount ₩{before + 5_000_000:,} → ₩{before + 7_000_000:,}"
    )
    summary = _sheet(path, "Summary")
    assert "Closed on 2022-10-05 17:00 (Asia/Seoul, UTC+9) by Manager1 테스트" in summary[2][0]


def test_stage_moves_recorded_in_the_office_zone(session: Session, tmp_path: Path) -> None:
    demo.load(session)
    moved = session.exec(
        select(StageEntry)
        .where(col(StageEntry.entered_on).between(date(2022, 7, 1), date(2022, 9, 30)))
        .order_by(col(StageEntry.entered_on), col(StageEntry.id))
    ).all()
    stamp = datetime(2022, 8, 31, 20, 30, tzinfo=UTC)  # 1 September, 05:30 in Seoul
    session.execute(sa.text("UPDATE stage_entry SET recorded_at = :at"), {"at": stamp})
    session.commit()
    assert moved
    path = tmp_path / "moves.xlsx"
    write_report(session, ReportOptions(2022, 3), path, generated_by="x")
    rows = _sheet(path, "단계 변경")
    assert rows[0][7] == "기록 시각 (Asia/Seoul, UTC+9)"
    data = [r for r in rows[1:] if isinstance(r[0], int)]
    assert data and {r[7] for r in data} == {stamp.replace(tzinfo=None) + timedelta(hours=9)}
