"""Executed (completed) apart from committed (in progress) and planned, on both engines: the home
dashboard's read model, the support log's budget table and warning, and the workbook's cells, each
reconciled with plain SQL sums over the activity table."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from crm.models import Cohort, Programme
from crm.reports.options import ReportOptions, Unit
from crm.reports.workbook import write_report
from crm.services import activities as activity_service
from crm.services import dashboard, stats
from crm.services.activities import NewActivity
from crm.services.activity_views import budget_check
from crm.services.actor import Actor
from crm.services.companies import create_company
from crm.ui import budget_view
from tests.conftest import new_company
from tests.db.reports_support import read_summary

MENTOR = {"mentor": "멘토", "topic": "IR", "hours": 2.0}
PROTO = {"vendor": "정밀", "deliverable": "보드", "budget": 1_000_000}
# (company, kind, start, status, amount): every amount a different power of two, so a total that
# mixes statuses cannot come out equal by chance.
ACTIVITIES = [
    ("a", "mentoring", date(2022, 2, 10), "completed", 1_000_000),
    ("a", "mentoring", date(2022, 7, 5), "completed", 2_000_000),
    ("b", "mentoring", date(2022, 8, 1), "in_progress", 4_000_000),
    ("b", "mentoring", date(2022, 9, 20), "planned", 8_000_000),
    ("a", "mentoring", date(2022, 7, 10), "cancelled", 16_000_000),
    ("b", "mentoring", date(2022, 11, 1), "planned", 32_000_000),  # after Q3
    ("a", "prototyping", date(2022, 3, 15), "in_progress", 64_000_000),
    ("b", "prototyping", date(2022, 8, 20), "completed", 128_000_000),
]
SPEND_STATUS = {"executed": "completed", "committed": "in_progress", "planned": "planned"}


@pytest.fixture
def mixed(session: Session, officer: Actor, programmes: dict[str, Programme]) -> dict[str, int]:
    session.add(Cohort(year=2022, name="상태 혼합", target_companies=2))
    session.commit()
    companies = {
        "a": create_company(session, officer, new_company(name_ko="가나상사")),
        "b": create_company(session, officer, new_company(name_ko="다라상사", brn=None)),
    }
    for who, kind, start, status, amount in ACTIVITIES:
        activity_service.log_activity(
            session,
            officer,
            NewActivity(
                companies[who].id,  # type: ignore[arg-type]
                programmes[kind].id,  # type: ignore[arg-type]
                start,
                status=status,
                amount_krw=amount,
                details=MENTOR if kind == "mentoring" else PROTO,
            ),
        )
    return {kind: p.id for kind, p in programmes.items()}  # type: ignore[misc]


def sql_sums(
    session: Session, *, start: date | None = None, end: date | None = None
) -> dict[tuple[int, str], int]:
    """SUM(amount_krw) per (programme, status), straight from the table."""
    where, params = "", {}
    if start and end:
        where, params = "WHERE start_on BETWEEN :s AND :e", {"s": start, "e": end}
    rows = session.execute(
        sa.text(
            f"SELECT programme_id, status, SUM(amount_krw) FROM activity {where} "
            "GROUP BY programme_id, status"
        ),
        params,
    ).all()
    return {(int(p), s): int(v) for p, s, v in rows}


def spend(sums: dict[tuple[int, str], int], programme_id: int, name: str) -> int:
    return sums.get((programme_id, SPEND_STATUS[name]), 0)


def test_dashboard_shows_executed_apart(session: Session, mixed: dict[str, int]) -> None:
    data = dashboard.build(session, 2022, 3, today=date(2023, 1, 10))
    sums = sql_sums(session)
    table = data.programmes.set_index("programme_id")
    for pid in mixed.values():
        row = table.loc[pid]
        for name in SPEND_STATUS:
            assert row[f"{name}_krw"] == spend(sums, pid, name), (pid, name)
    mentoring, proto = table.loc[mixed["mentoring"]], table.loc[mixed["prototyping"]]
    # Completed only: the in-progress 4M, the planned 8M + 32M and the cancelled 16M are not in it.
    assert (mentoring.executed_krw, mentoring.committed_krw, mentoring.planned_krw) == (
        3_000_000,
        4_000_000,
        40_000_000,
    )
    assert (proto.executed_krw, proto.committed_krw, proto.planned_krw) == (
        128_000_000,
        64_000_000,
        0,
    )
    assert mentoring.executed_pct == pytest.approx(3.0)  # 3M of a 100M budget
    assert (mentoring.activities, mentoring.companies) == (5, 2)  # cancelled not counted
    summary = data.summary
    assert (summary.executed_krw, summary.committed_krw, summary.planned_krw) == (
        131_000_000,
        68_000_000,
        40_000_000,
    )
    assert summary.budget_krw == 2_900_000_000


def test_budget_table_and_warning(session: Session, mixed: dict[str, int]) -> None:
    execution = stats.programme_execution(session, 2022)
    sums = sql_sums(session)
    for row in execution.itertuples():
        assert (row.executed_krw, row.committed_krw, row.planned_krw) == tuple(
            spend(sums, row.programme_id, n) for n in SPEND_STATUS
        )
    mentoring = mixed["mentoring"]
    # The warning counts executed + committed + planned (47M) and the new amount against 100M.
    check = budget_check(session, mentoring, 60_000_000)
    assert (check.line.executed_krw, check.line.committed_krw, check.line.planned_krw) == (
        3_000_000,
        4_000_000,
        40_000_000,
    )
    assert (check.after_krw, check.over_budget) == (107_000_000, True)
    assert not budget_check(session, mentoring, 53_000_000).over_budget  # exactly the budget
    assert budget_check(session, mentoring, 53_000_001).over_budget
    assert budget_view.over_allocated(execution, "ko") == []


def test_budget_table_warns_when_promises_exceed_the_budget(
    session: Session, officer: Actor, mixed: dict[str, int], programmes: dict[str, Programme]
) -> None:
    activity_service.log_activity(
        session,
        officer,
        NewActivity(
            session.execute(sa.text("SELECT MIN(id) FROM company")).scalar_one(),
            mixed["mentoring"],
            date(2022, 12, 1),
            status="planned",
            amount_krw=60_000_000,
            details=MENTOR,
        ),
    )
    execution = stats.programme_execution(session, 2022)
    assert budget_view.over_allocated(execution, "ko") == [
        "'2022 mentoring': 집행 3,000,000원 + 약정 4,000,000원 + 계획 100,000,000원 = "
        "107,000,000원으로 예산 100,000,000원을 넘습니다."
    ]
    frame = budget_view.budget_frame(
        execution, "ko", millions=True, names={"mentoring": "멘토링"}
    ).set_index("지원사업")
    assert list(frame.loc["2022 mentoring", ["예산", "집행액", "약정액", "계획액"]]) == [
        "100백만원",
        "3백만원",
        "4백만원",
        "100백만원",
    ]
    assert frame.loc["2022 mentoring", "집행률"] == 3.0


def _workbook_row(rows: list[tuple[Any, ...]], name: str) -> tuple[Any, ...]:
    return next(r for r in rows if r[0] == name)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_workbook_cells_reconcile_with_sql(
    session: Session, mixed: dict[str, int], tmp_path: Path, lang: str
) -> None:
    path = tmp_path / f"q3-{lang}.xlsx"
    write_report(session, ReportOptions(2022, 3, Unit.WON, lang), path, generated_by="검토자")
    q = sql_sums(session, start=date(2022, 7, 1), end=date(2022, 9, 30))
    ytd = sql_sums(session, start=date(2022, 1, 1), end=date(2022, 9, 30))
    summary = read_summary(path, lang)
    *rows, total = summary["programmes"]
    for kind, pid in mixed.items():
        row = _workbook_row(rows, f"2022 {kind}")
        assert row[6] == spend(q, pid, "executed")
        assert row[9:12] == tuple(spend(ytd, pid, n) for n in SPEND_STATUS)
    mentoring = _workbook_row(rows, "2022 mentoring")
    # Q3 executed 2M (the 16M is cancelled); YTD executed 3M, committed 4M, planned 8M (the
    # November plan is after the quarter).
    assert (mentoring[6], *mentoring[9:13]) == (2_000_000, 3_000_000, 4_000_000, 8_000_000, 0.03)
    assert total[9:13] == (131_000_000, 68_000_000, 8_000_000, pytest.approx(131 / 2900))
    labels = {
        "ko": ("집행액 (완료, 원)", "약정액 (진행 중, 원)", "계획액 (원)"),
        "en": (
            "KRW executed (completed, KRW)",
            "KRW committed (in progress, KRW)",
            "KRW planned (KRW)",
        ),
    }[lang]
    cohort = {r[0]: r[1:5] for r in summary["cohort"]}
    assert cohort[labels[0]] == (130_000_000, 131_000_000, 2_900_000_000, pytest.approx(131 / 2900))
    assert cohort[labels[1]] == (4_000_000, 68_000_000, None, None)
    assert cohort[labels[2]] == (8_000_000, 8_000_000, None, None)

    about_name = {"ko": "보고서 정보", "en": "About"}[lang]
    about = [r[1] for r in openpyxl.load_workbook(path)[about_name].iter_rows(values_only=True)]
    definition = {
        "ko": "집행액 = 완료된 지원의 금액 합계(실제로 지출된 돈). 약정액 = 진행 중인 지원의 금액 합계",
        "en": "KRW executed = sum of the amounts of completed activities (money actually spent). "
        "KRW committed = sum over activities in progress",
    }[lang]
    assert any(isinstance(v, str) and v.startswith(definition) for v in about)
