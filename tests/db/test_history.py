"""The audit trail read for people: account events for admins only, names looked up in bulk,
a restatement's reason joined to its change, personal data masked for analysts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from crm.models import Company, Programme, Role, User
from crm.services import activities, companies, history, quarters, users
from crm.services.actor import Actor
from crm.ui.history import describe, history_table
from tests.conftest import make_user


def _activity(session: Session, officer: Actor, company: Company, programme: Programme) -> int:
    created = activities.log_activity(
        session,
        officer,
        activities.NewActivity(
            company_id=company.id,  # type: ignore[arg-type]
            programme_id=programme.id,  # type: ignore[arg-type]
            start_on=date(2022, 8, 10),
            amount_krw=600_000,
            officer_id=officer.id,
            details={"mentor": "이멘토", "hours": 2, "topic": "투자 유치"},
        ),
    )
    assert created.id is not None
    return created.id


def test_officers_do_not_see_account_events(
    session: Session, system: Actor, company: Company
) -> None:
    admin = make_user(session, system, "admin-h", Role.ADMIN)
    officer = make_user(session, system, "officer-h", Role.OFFICER)
    users.set_password(session, admin, "officer-h", "another-passw0rd!")
    users.update_user(
        session,
        admin,
        officer.id,
        version=session.get(User, officer.id).version,
        changes={"display_name": "새 이름"},
    )

    seen_by_officer = history.recent_history(session, officer, limit=50).entries
    assert [e for e in seen_by_officer if e.entity == "app_user" or e.action == "password"] == []
    assert {e.entity for e in seen_by_officer} == {"company"}  # what officers work on remains

    seen_by_admin = history.recent_history(session, admin, limit=50)
    actions = [(e.action, e.entity, e.field) for e in seen_by_admin.entries]
    assert ("password", "app_user", None) in actions
    assert ("update", "app_user", "display_name") in actions
    said = [describe(e, seen_by_admin.names, "ko") for e in seen_by_admin.entries]
    assert "계정 새 이름 비밀번호 변경" in said
    assert "계정 새 이름: 표시 이름 Officer-H 테스트 → 새 이름" in said


def test_company_history_names_and_money(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    activity_id = _activity(session, officer, company, programmes["mentoring"])
    current = activities.get_activity(session, activity_id)
    activities.update_activity(
        session, officer, activity_id, version=current.version, changes={"amount_krw": 8_500_000}
    )
    found = history.company_history(session, officer, company.id)  # type: ignore[arg-type]
    said = history_table(found, "ko")["내용"].tolist()
    assert said[0] == "테스트에이아이 · 멘토링 (2022.08.10): 금액 600,000원 → 8,500,000원"
    assert said[1].startswith(
        "테스트에이아이 · 멘토링 (2022.08.10) 등록 — 지원사업: 2022 mentoring, "
    )
    assert (
        "담당자: Officer1 테스트" in said[1] and "금액: 600,000원, 시간: 2, 멘토: 이멘토" in said[1]
    )
    assert said[-1].startswith("테스트에이아이 등록 — ")
    assert "테스트에이아이: 단계 창업/초기 (2022.01.10부터)" in said
    assert not [s for s in said if "amount_krw" in s or "_id" in s or "None" in s]


def test_restated_change_carries_its_reason(
    session: Session,
    system: Actor,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
) -> None:
    manager = make_user(session, system, "manager-h", Role.MANAGER)
    activity_id = _activity(session, officer, company, programmes["mentoring"])
    quarters.close_quarter(session, manager, 2022, 3, today=date(2023, 1, 5))
    current = activities.get_activity(session, activity_id)
    quarters.restate_activity(
        session,
        manager,
        activity_id,
        version=current.version,
        changes={"amount_krw": 900_000},
        reason="영수증 재확인",
    )
    found = history.company_history(session, officer, company.id)  # type: ignore[arg-type]
    latest = found.entries[0]
    assert (latest.reason, latest.periods) == ("영수증 재확인", ((2022, 3),))
    assert describe(latest, found.names, "ko") == (
        "2022년 3분기 보고 후 정정: 테스트에이아이 · 멘토링 (2022.08.10): "
        "금액 600,000원 → 900,000원 (사유: 영수증 재확인)"
    )
    feed = history.recent_history(session, officer, limit=3)
    said = [describe(e, feed.names, "en") for e in feed.entries]
    assert (
        said[0]
        == "Restatement reason for 2022 Q3 — 테스트에이아이 · Mentoring (2022-08-10): 영수증 재확인"
    )


def test_analysts_read_personal_data_masked(
    session: Session, system: Actor, officer: Actor, company: Company
) -> None:
    analyst = make_user(session, system, "analyst-h", Role.ANALYST)
    companies.update_company(
        session,
        officer,
        company.id,
        version=company.version,
        changes={"representative": "김철수"},  # type: ignore[arg-type]
    )
    masked = history.company_history(session, analyst, company.id)  # type: ignore[arg-type]
    said = history_table(masked, "ko")["내용"].tolist()
    assert said[0] == "테스트에이아이: 대표자 홍** → 김**"
    assert "대표자: 홍**" in said[-1] and "ceo@example.com" not in said[-1]
    assert "010-1234-5678" not in " ".join(said)
    full = history_table(history.company_history(session, officer, company.id), "ko")  # type: ignore[arg-type]
    assert full["내용"].tolist()[0] == "테스트에이아이: 대표자 홍길동 → 김철수"


def test_names_are_read_in_bulk(
    engine: Engine,
    session: Session,
    officer: Actor,
    programmes: dict[str, Programme],
) -> None:
    """The number of queries does not grow with the number of entries."""
    for i in range(12):
        made = companies.create_company(
            session,
            officer,
            companies.NewCompany(
                name_ko=f"벌크기업{i}",
                industry="energy",
                cohort_year=2022,
                stage="startup",
                stage_since=date(2022, 2, 1),
                founded_on=date(2021, 1, 1),
            ),
        )
        _activity(session, officer, made, programmes["mentoring"])

    def queries(limit: int) -> tuple[int, history.History]:
        statements: list[str] = []

        def count(*args: object) -> None:
            if str(args[2]).lstrip().upper().startswith("SELECT"):
                statements.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            found = history.recent_history(session, officer, limit=limit)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements), found

    few, _ = queries(4)
    many, found = queries(36)
    assert len(found.entries) == 36
    assert many == few <= 6  # audit rows, activities, companies, programmes, users, kinds
    said = [describe(e, found.names, "ko", brief=True) for e in found.entries]
    assert "벌크기업11 · 멘토링 (2022.08.10) 등록" in said


def test_analysts_read_contact_changes_masked(
    session: Session, system: Actor, officer: Actor, company: Company
) -> None:
    """Every personal field is masked in a change, not only the representative's name: an
    e-mail or phone number changed later never reaches an analyst, old or new."""
    analyst = make_user(session, system, "analyst-c", Role.ANALYST)
    companies.update_company(
        session,
        officer,
        company.id,  # type: ignore[arg-type]
        version=company.version,
        changes={"email": "new@example.com", "phone": "010-9999-0000"},
    )
    masked = history.company_history(session, analyst, company.id)  # type: ignore[arg-type]
    changes = {e.field: (e.old, e.new) for e in masked.entries if e.action == "update"}
    assert changes == {"email": ("●●●", "●●●"), "phone": ("●●●", "●●●")}
    said = " ".join(history_table(masked, "ko")["내용"].tolist())
    assert "이메일: ●●●" in said and "전화번호: ●●●" in said  # the creation snapshot too
    for value in ("ceo@example.com", "new@example.com", "010-1234-5678", "010-9999-0000"):
        assert value not in said
    full = history.company_history(session, officer, company.id)  # type: ignore[arg-type]
    seen = {e.field: (e.old, e.new) for e in full.entries if e.action == "update"}
    assert seen == {
        "email": ("ceo@example.com", "new@example.com"),
        "phone": ("010-1234-5678", "010-9999-0000"),
    }
