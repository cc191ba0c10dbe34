"""Edit or restatement is decided by the service (crm.services.saving), not by the UI: an open
quarter gets a plain edit, a closed one needs a reason and becomes an audited restatement."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm.models import Activity, AuditEntry, Company, Programme, Restatement
from crm.quarters import Quarter
from crm.services import activities, outcomes, quarters, saving
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.saving import RestatementNeeded
from tests.support import snapshot

MENTORING = {"mentor": "김멘토", "topic": "투자 유치", "hours": 2}


@pytest.fixture
def q3_activity(
    session: Session, manager: Actor, company: Company, programmes: dict[str, Programme]
) -> Activity:
    return activities.log_activity(
        session,
        manager,
        NewActivity(
            company.id,
            programmes["mentoring"].id,
            date(2022, 8, 1),
            amount_krw=1_000_000,
            details=MENTORING,
        ),
    )


def _close_q3(session: Session, manager: Actor) -> None:
    quarters.close_quarter(session, manager, 2022, 3, today=date(2023, 1, 2))


def _actions(session: Session, entity: str, entity_id: int) -> list[str]:
    rows = session.exec(
        select(AuditEntry.action)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(col(AuditEntry.id))
    ).all()
    return [str(a) for a in rows]


def test_open_quarter_is_a_plain_edit(
    session: Session, manager: Actor, q3_activity: Activity
) -> None:
    saved = saving.save_activity(
        session,
        manager,
        q3_activity.id,
        version=q3_activity.version,
        changes={"amount_krw": 2_000_000},
        reason="ignored while the quarter is open",
    )
    assert saved.restated is False
    assert session.get(Activity, q3_activity.id).amount_krw == 2_000_000
    assert session.exec(select(Restatement)).all() == []
    assert _actions(session, "activity", q3_activity.id)[-1] == "update"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_closed_quarter_without_reason_is_refused_and_nothing_changes(
    engine: Engine, session: Session, manager: Actor, q3_activity: Activity, reason: str | None
) -> None:
    _close_q3(session, manager)
    before = snapshot(engine)
    with pytest.raises(RestatementNeeded) as info:
        saving.save_activity(
            session,
            manager,
            q3_activity.id,
            version=q3_activity.version,
            changes={"amount_krw": 2_000_000},
            reason=reason,
        )
    assert info.value.quarter == Quarter(2022, 3)
    assert [(e.field, e.key) for e in info.value.errors] == [("reason", "restate.needed")]
    assert info.value.message("en").endswith(
        "2022 Q3 is closed. Give a restatement reason to change it."
    )
    assert snapshot(engine) == before


def test_closed_quarter_with_reason_is_an_audited_restatement(
    session: Session, manager: Actor, q3_activity: Activity
) -> None:
    _close_q3(session, manager)
    saved = saving.save_activity(
        session,
        manager,
        q3_activity.id,
        version=q3_activity.version,
        changes={"amount_krw": 2_000_000},
        reason="금액 오기",
    )
    assert saved.restated is True
    assert session.get(Activity, q3_activity.id).amount_krw == 2_000_000
    row = session.exec(select(Restatement)).one()
    assert (row.year, row.quarter, row.entity, row.entity_id, row.reason) == (
        2022,
        3,
        "activity",
        q3_activity.id,
        "금액 오기",
    )
    assert _actions(session, "activity", q3_activity.id)[-1] == "restate"


def test_an_officer_is_told_to_ask_a_manager(
    engine: Engine, session: Session, manager: Actor, officer: Actor, q3_activity: Activity
) -> None:
    _close_q3(session, manager)
    before = snapshot(engine)
    with pytest.raises(RestatementNeeded) as info:
        saving.save_activity(
            session,
            officer,
            q3_activity.id,
            version=q3_activity.version,
            changes={"amount_krw": 2_000_000},
        )
    assert [(e.field, e.key) for e in info.value.errors] == [("start_on", "restate.not_allowed")]
    assert snapshot(engine) == before


def test_moving_into_a_closed_quarter_needs_a_reason(
    session: Session, manager: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    later = activities.log_activity(
        session,
        manager,
        NewActivity(company.id, programmes["mentoring"].id, date(2022, 11, 1), details=MENTORING),
    )
    _close_q3(session, manager)
    with pytest.raises(RestatementNeeded):
        saving.save_activity(
            session,
            manager,
            later.id,
            version=later.version,
            changes={"start_on": date(2022, 9, 30)},
        )
    saved = saving.save_activity(
        session,
        manager,
        later.id,
        version=later.version,
        changes={"start_on": date(2022, 9, 30)},
        reason="시작일 오기",
    )
    assert saved.restated is True
    assert session.get(Activity, later.id).start_on == date(2022, 9, 30)


def test_new_activity_in_a_closed_quarter(
    engine: Engine,
    session: Session,
    manager: Actor,
    company: Company,
    programmes: dict[str, Programme],
    q3_activity: Activity,
) -> None:
    _close_q3(session, manager)
    new = NewActivity(company.id, programmes["mentoring"].id, date(2022, 9, 1), details=MENTORING)
    before = snapshot(engine)
    with pytest.raises(RestatementNeeded) as info:
        saving.save_new_activity(session, manager, new)
    assert [(e.field, e.key) for e in info.value.errors] == [("reason", "restate.new_needed")]
    assert snapshot(engine) == before
    saved = saving.save_new_activity(session, manager, new, reason="빠진 지원")
    assert saved.restated is True
    assert session.exec(select(Restatement.entity_id)).one() == saved.id
    open_day = NewActivity(
        company.id, programmes["mentoring"].id, date(2022, 10, 4), details=MENTORING
    )
    assert saving.save_new_activity(session, manager, open_day).restated is False


def test_cancelling_in_a_closed_quarter_is_a_restatement(
    engine: Engine, session: Session, manager: Actor, q3_activity: Activity
) -> None:
    _close_q3(session, manager)
    before = snapshot(engine)
    with pytest.raises(RestatementNeeded):
        saving.save_cancellation(session, manager, q3_activity.id, version=q3_activity.version)
    assert snapshot(engine) == before
    saved = saving.save_cancellation(
        session, manager, q3_activity.id, version=q3_activity.version, reason="중복 입력"
    )
    assert saved.restated is True
    assert session.get(Activity, q3_activity.id).status == "cancelled"
    assert session.exec(select(Restatement.reason)).one() == "중복 입력"


def test_outcome_report_edit_or_restatement(
    engine: Engine, session: Session, manager: Actor, company: Company
) -> None:
    report = outcomes.create_outcome_report(
        session, manager, company_id=company.id, year=2022, quarter=3, figures={"employees": 4}
    )
    saved = saving.save_outcome_report(
        session, manager, report.id, version=report.version, changes={"employees": 5}
    )
    assert saved.restated is False
    _close_q3(session, manager)
    version = session.get(type(report), report.id).version
    before = snapshot(engine)
    with pytest.raises(RestatementNeeded) as info:
        saving.save_outcome_report(
            session, manager, report.id, version=version, changes={"employees": 6}
        )
    assert [(e.field, e.key) for e in info.value.errors] == [("reason", "restate.needed")]
    assert snapshot(engine) == before
    saved = saving.save_outcome_report(
        session, manager, report.id, version=version, changes={"employees": 6}, reason="정정"
    )
    assert saved.restated is True
    assert session.get(type(report), report.id).employees == 6
    assert _actions(session, "outcome_report", report.id)[-1] == "restate"


def test_late_outcome_report_needs_a_reason(
    engine: Engine, session: Session, manager: Actor, company: Company
) -> None:
    _close_q3(session, manager)
    figures = {"employees": 4}
    before = snapshot(engine)
    with pytest.raises(RestatementNeeded):
        saving.save_new_outcome_report(
            session, manager, company_id=company.id, year=2022, quarter=3, figures=figures
        )
    assert snapshot(engine) == before
    saved = saving.save_new_outcome_report(
        session,
        manager,
        company_id=company.id,
        year=2022,
        quarter=3,
        figures=figures,
        reason="늦게 옴",
    )
    assert saved.restated is True
    plain = saving.save_new_outcome_report(
        session, manager, company_id=company.id, year=2022, quarter=4, figures=figures
    )
    assert plain.restated is False
