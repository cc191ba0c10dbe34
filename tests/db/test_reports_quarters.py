"""Closing a quarter freezes its report figures; corrections are restatements (reason, audit,
listed); normal edits in a closed quarter are refused and change nothing. Both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm import demo
from crm.errors import PermissionDenied, ValidationError
from crm.models import Activity, AuditEntry, Company, OutcomeReport, QuarterClose, Restatement
from crm.reports.figures import ReportFigures, compute_figures
from crm.reports.options import Period, ReportOptions
from crm.reports.view import summary_view
from crm.reports.workbook import current_figures, write_report
from crm.services import activities as activity_service
from crm.services import outcomes as outcome_service
from crm.services import quarters
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.companies import create_company
from tests.conftest import new_company
from tests.db.reports_support import read_summary
from tests.support import snapshot

Q3 = Period(2022, 3)


@pytest.fixture
def demo_session(session: Session) -> Session:
    demo.load(session)
    return session


def _activity_in(session: Session, start: date, end: date, kind: str = "mentoring") -> Activity:
    """A live demo activity starting in [start, end] (first by id)."""
    from crm.models import Programme

    return session.exec(
        select(Activity)
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .where(
            col(Activity.start_on).between(start, end),
            Activity.status == "completed",
            Programme.kind == kind,
        )
        .order_by(col(Activity.id))
    ).first()


def _report(session: Session, year: int, quarter: int) -> OutcomeReport:
    return session.exec(
        select(OutcomeReport)
        .where(OutcomeReport.year == year, OutcomeReport.quarter == quarter)
        .order_by(col(OutcomeReport.id))
    ).first()


def test_close_stores_the_figures_and_is_audited(demo_session: Session, manager: Actor) -> None:
    before = compute_figures(demo_session, Q3)
    close = quarters.close_quarter(demo_session, manager, 2022, 3)
    stored = demo_session.exec(select(QuarterClose)).one()
    assert (stored.year, stored.quarter, stored.closed_by_id) == (2022, 3, manager.id)
    assert ReportFigures.from_json(stored.figures) == before
    assert quarters.frozen_figures(demo_session, 2022, 3) == before
    assert quarters.frozen_figures(demo_session, 2022, 2) is None
    entry = demo_session.exec(select(AuditEntry).where(AuditEntry.action == "close")).one()
    assert (entry.entity, entry.entity_id, entry.new_value) == (
        "quarter_close",
        close.id,
        "2022-Q3",
    )
    status = quarters.closed_quarter(demo_session, 2022, 3)
    assert status is not None and status.closed_by == "Manager1 테스트" and status.restatements == 0
    assert [(c.year, c.quarter) for c in quarters.list_closed_quarters(demo_session)] == [(2022, 3)]


def test_close_rules(demo_session: Session, manager: Actor, officer: Actor) -> None:
    with pytest.raises(PermissionDenied):
        quarters.close_quarter(demo_session, officer, 2022, 3)
    with pytest.raises(ValidationError) as info:
        quarters.close_quarter(demo_session, manager, 2022, 4, today=date(2022, 12, 31))
    assert info.value.errors[0].key == "error.quarter_not_ended"
    quarters.close_quarter(demo_session, manager, 2022, 4, today=date(2023, 1, 1))
    with pytest.raises(ValidationError) as info:
        quarters.close_quarter(demo_session, manager, 2022, 4)
    assert info.value.errors[0].key == "error.quarter_already_closed"
    with pytest.raises(ValidationError) as info:
        quarters.close_quarter(demo_session, manager, 2022, 0)
    assert info.value.fields == {"quarter"}


def test_normal_edits_in_a_closed_quarter_change_nothing(
    engine: Engine, demo_session: Session, manager: Actor
) -> None:
    s = demo_session
    quarters.close_quarter(s, manager, 2022, 3)
    activity = _activity_in(s, date(2022, 7, 1), date(2022, 9, 30))
    later = _activity_in(s, date(2022, 10, 1), date(2022, 12, 31))
    report = _report(s, 2022, 3)
    before = snapshot(engine)
    attempts = [
        lambda: activity_service.update_activity(
            s, manager, activity.id, version=activity.version, changes={"amount_krw": 1}
        ),
        lambda: activity_service.cancel_activity(s, manager, activity.id, version=activity.version),
        lambda: activity_service.update_activity(
            s, manager, later.id, version=later.version, changes={"start_on": date(2022, 9, 30)}
        ),
        lambda: activity_service.log_activity(
            s,
            manager,
            NewActivity(
                activity.company_id,
                activity.programme_id,
                date(2022, 8, 1),
                amount_krw=1,
                details=activity.details,
            ),
        ),
        lambda: outcome_service.update_outcome_report(
            s, manager, report.id, version=report.version, changes={"new_hires": 0}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as info:
            attempt()
        assert "error.quarter_closed" in {e.key for e in info.value.errors}
        s.rollback()
    assert snapshot(engine) == before


def test_restatement_needs_a_reason_and_a_closed_quarter(
    engine: Engine, demo_session: Session, manager: Actor, officer: Actor
) -> None:
    s = demo_session
    quarters.close_quarter(s, manager, 2022, 3)
    activity = _activity_in(s, date(2022, 7, 1), date(2022, 9, 30))
    open_one = _activity_in(s, date(2022, 10, 1), date(2022, 12, 31))
    report = _report(s, 2022, 3)
    before = snapshot(engine)
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError) as info:
            quarters.restate_activity(
                s,
                manager,
                activity.id,
                version=activity.version,
                changes={"amount_krw": 1},
                reason=reason,  # type: ignore[arg-type]
            )
        assert info.value.fields == {"reason"}
    with pytest.raises(ValidationError) as info:
        quarters.restate_outcome_report(
            s, manager, report.id, version=report.version, changes={"new_hires": 0}, reason=""
        )
    assert info.value.fields == {"reason"}
    with pytest.raises(ValidationError) as info:
        quarters.restate_activity(
            s,
            manager,
            open_one.id,
            version=open_one.version,
            changes={"amount_krw": 1},
            reason="오타",
        )
    assert info.value.errors[0].key == "error.quarter_not_closed"
    with pytest.raises(ValidationError) as info:
        quarters.restate_activity(
            s,
            manager,
            activity.id,
            version=activity.version,
            changes={"amount_krw": activity.amount_krw},
            reason="오타",
        )
    assert info.value.errors[0].key == "error.restatement_no_change"
    with pytest.raises(PermissionDenied):
        quarters.restate_activity(
            s,
            officer,
            activity.id,
            version=activity.version,
            changes={"amount_krw": 1},
            reason="오타",
        )
    assert snapshot(engine) == before


def test_restatements_are_audited_and_listed(demo_session: Session, manager: Actor) -> None:
    s = demo_session
    quarters.close_quarter(s, manager, 2022, 3)
    activity = _activity_in(s, date(2022, 7, 1), date(2022, 9, 30))
    old_amount = activity.amount_krw
    report = _report(s, 2022, 3)
    quarters.restate_activity(
        s,
        manager,
        activity.id,
        version=activity.version,
        changes={"amount_krw": old_amount + 1_000_000},
        reason="영수증 재확인",
    )
    quarters.restate_outcome_report(
        s,
        manager,
        report.id,
        version=report.version,
        changes={"new_hires": report.new_hires + 1, "employees": report.employees + 1},
        reason="늦게 받은 보고",
    )
    added = quarters.add_activity_restatement(
        s,
        manager,
        NewActivity(
            activity.company_id,
            activity.programme_id,
            date(2022, 9, 30),
            amount_krw=200_000,
            details=activity.details,
        ),
        reason="누락된 멘토링",
    )
    assert s.get(Activity, activity.id).amount_krw == old_amount + 1_000_000
    rows = s.exec(select(Restatement).order_by(col(Restatement.id))).all()
    assert [(r.year, r.quarter, r.entity, r.entity_id, r.reason, r.actor_id) for r in rows] == [
        (2022, 3, "activity", activity.id, "영수증 재확인", manager.id),
        (2022, 3, "outcome_report", report.id, "늦게 받은 보고", manager.id),
        (2022, 3, "activity", added.id, "누락된 멘토링", manager.id),
    ]
    changed = s.exec(
        select(AuditEntry).where(AuditEntry.action == "restate", AuditEntry.entity == "activity")
    ).one()
    assert (changed.entity_id, changed.field) == (activity.id, "amount_krw")
    assert (changed.old_value, changed.new_value) == (str(old_amount), str(old_amount + 1_000_000))
    fields = s.exec(
        select(AuditEntry.field).where(
            AuditEntry.action == "restate", AuditEntry.entity == "outcome_report"
        )
    ).all()
    assert sorted(fields) == ["employees", "new_hires"]
    reasons = s.exec(select(AuditEntry.new_value).where(AuditEntry.entity == "restatement")).all()
    assert sorted(reasons) == sorted(["영수증 재확인", "늦게 받은 보고", "누락된 멘토링"])
    listed = quarters.list_restatements(s, year=2022, up_to_quarter=3)
    assert [(r.entity, r.reason, r.by) for r in listed][0] == (
        "activity",
        "영수증 재확인",
        "Manager1 테스트",
    )
    assert quarters.list_restatements(s, year=2022, up_to_quarter=2) == []
    assert quarters.closed_quarter(s, 2022, 3).restatements == 3  # type: ignore[union-attr]


def test_report_of_a_closed_quarter_keeps_its_figures(
    demo_session: Session, manager: Actor, tmp_path: Path
) -> None:
    s = demo_session
    at_close = compute_figures(s, Q3)
    quarters.close_quarter(s, manager, 2022, 3)
    activity = _activity_in(s, date(2022, 7, 1), date(2022, 9, 30), kind="prototyping")
    before = activity.amount_krw
    quarters.restate_activity(
        s,
        manager,
        activity.id,
        version=activity.version,
        changes={"amount_krw": before + 5_000_000},
        reason="계약 변경",
    )
    live = compute_figures(s, Q3)
    assert live.krw_q == at_close.krw_q + 5_000_000
    figures, closed = current_figures(s, ReportOptions(2022, 3))
    assert figures == at_close and closed is not None and closed.restatements == 1
    view = summary_view(s, ReportOptions(2022, 3, "million", "en"))
    assert view.figures == at_close
    assert [t.key for t in view.tables] == ["cohort", "programmes", "stages", "moves", "outcomes"]
    cohort = view.tables[0].frame.set_index("Item")
    executed = cohort.loc["KRW executed (completed, KRW million)", "Quarter"]
    assert executed == at_close.executed_q / 1_000_000  # type: ignore[operator]

    path = tmp_path / "closed.xlsx"
    write_report(s, ReportOptions(2022, 3), path, generated_by="x")
    summary = read_summary(path)
    krw_row = {r[0]: r for r in summary["cohort"]}["집행액 (완료, 원)"]
    assert krw_row[1:3] == (at_close.executed_q, at_close.executed_ytd)
    assert summary["programmes"][-1][6] == at_close.executed_q
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert "마감 후 정정 1건" in ws["A3"].value
    about = [r for r in openpyxl.load_workbook(path)["보고서 정보"].iter_rows(values_only=True)]
    assert any(r[0] == "마감 후 정정" and r[1] == "1건" for r in about)
    listed = [r for r in about if r[0] == "2022년 3분기"]
    company = s.get(Company, activity.company_id)
    assert len(listed) == 1 and company is not None
    assert listed[0][1].startswith(f"{company.name_ko} · ")  # company · kind (date), not an id
    assert listed[0][2] == f"금액 {before:,}원 → {before + 5_000_000:,}원"
    assert listed[0][3] == "계약 변경" and listed[0][4] == "Manager1 테스트"

    # The next quarter's report lists the restatement too, and computes its own figures live.
    q4 = tmp_path / "q4.xlsx"
    built = write_report(s, ReportOptions(2022, 4), q4, generated_by="x")
    assert (
        built.closed is None
        and built.figures.krw_ytd == compute_figures(s, Period(2022, 4)).krw_ytd
    )
    q4_about = list(openpyxl.load_workbook(q4)["보고서 정보"].iter_rows(values_only=True))
    assert [r[3] for r in q4_about if r[0] == "2022년 3분기"] == ["계약 변경"]


def test_moving_an_activity_into_a_closed_quarter_is_a_restatement(
    demo_session: Session, manager: Actor
) -> None:
    s = demo_session
    quarters.close_quarter(s, manager, 2022, 3)
    later = _activity_in(s, date(2022, 10, 1), date(2022, 12, 31))
    quarters.restate_activity(
        s,
        manager,
        later.id,
        version=later.version,
        changes={"start_on": date(2022, 9, 28)},
        reason="시작일 오기",
    )
    row = s.exec(select(Restatement)).one()
    assert (row.year, row.quarter, row.entity_id) == (2022, 3, later.id)


def test_a_late_outcome_report_is_a_restatement(
    engine: Engine, demo_session: Session, manager: Actor
) -> None:
    s = demo_session
    company = create_company(s, manager, new_company(name_ko="늦은보고 (가상)"))
    quarters.close_quarter(s, manager, 2022, 3)
    figures = {"employees": 4, "new_hires": 1}
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        outcome_service.create_outcome_report(
            s, manager, company_id=company.id, year=2022, quarter=3, figures=figures
        )
    assert info.value.errors[0].key == "error.quarter_closed"
    s.rollback()
    with pytest.raises(ValidationError) as info:
        quarters.add_outcome_report_restatement(
            s, manager, company_id=company.id, year=2022, quarter=2, figures=figures, reason="x"
        )
    assert info.value.errors[0].key == "error.quarter_not_closed"
    assert snapshot(engine) == before
    added = quarters.add_outcome_report_restatement(
        s, manager, company_id=company.id, year=2022, quarter=3, figures=figures, reason="늦게 옴"
    )
    row = s.exec(select(Restatement)).one()
    assert (row.entity, row.entity_id, row.quarter, row.reason) == (
        "outcome_report",
        added.id,
        3,
        "늦게 옴",
    )
    assert compute_figures(s, Q3).outcomes_q.new_hires == (
        quarters.frozen_figures(s, 2022, 3).outcomes_q.new_hires + 1  # type: ignore[union-attr]
    )
