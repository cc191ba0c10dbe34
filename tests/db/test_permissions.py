"""The permission matrix, enforced in the service layer: every role x every write.

A refused call raises PermissionDenied and leaves the database exactly as it was; an allowed
call goes through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from crm import demo
from crm.errors import PermissionDenied
from crm.models import Role, User
from crm.services import activities, companies, outcomes, programmes, stages, users
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.company_views import MASK, CompanyFilters, company_profile, list_companies
from crm.services.permissions import Permission, begin_authorised_write, check_permission
from tests.conftest import make_user, new_company
from tests.support import snapshot

MENTORING = {"mentor": "M", "topic": "T", "hours": 1}
W = dict[str, Any]

WRITES: dict[str, tuple[set[Role], Callable[[Session, Actor, W], object]]] = {
    "create_company": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: companies.create_company(s, a, new_company(name_ko="새회사", brn=None)),
    ),
    "update_company": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: companies.update_company(
            s, a, w["company"], version=1, changes={"notes": "x"}
        ),
    ),
    "archive_company": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: companies.archive_company(s, a, w["company"]),
    ),
    "change_stage": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: stages.change_stage(
            s, a, w["company"], stage="growth", entered_on=date(2022, 6, 1)
        ),
    ),
    "create_programme": (
        {Role.MANAGER, Role.ADMIN},
        lambda s, a, w: programmes.create_programme(
            s, a, name="신규", year=2023, kind="mentoring", budget_krw=1, target_companies=1
        ),
    ),
    "update_programme": (
        {Role.MANAGER, Role.ADMIN},
        lambda s, a, w: programmes.update_programme(
            s, a, w["programme"], version=1, changes={"budget_krw": 5}
        ),
    ),
    "log_activity": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: activities.log_activity(
            s, a, NewActivity(w["company"], w["programme"], date(2022, 3, 1), details=MENTORING)
        ),
    ),
    "log_activities": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: activities.log_activities(
            s, a, [NewActivity(w["company"], w["programme"], date(2022, 3, 1), details=MENTORING)]
        ),
    ),
    "update_activity": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: activities.update_activity(
            s, a, w["activity"], version=1, changes={"notes": "x"}
        ),
    ),
    "cancel_activity": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: activities.cancel_activity(s, a, w["activity"], version=1),
    ),
    "create_outcome": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: outcomes.create_outcome_report(
            s, a, company_id=w["company"], year=2022, quarter=2, figures={"employees": 3}
        ),
    ),
    "update_outcome": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: outcomes.update_outcome_report(
            s, a, w["report"], version=1, changes={"employees": 9}
        ),
    ),
    "create_user": (
        {Role.ADMIN},
        lambda s, a, w: users.create_user(
            s, a, username="newbie", display_name="N", role="officer", password="long-enough-pw"
        ),
    ),
    "update_user": (
        {Role.ADMIN},
        lambda s, a, w: users.update_user(
            s, a, w["other_user"], version=w["other_user_version"], changes={"role": "manager"}
        ),
    ),
    "reset_other_password": (
        {Role.ADMIN},
        lambda s, a, w: users.set_password(s, a, "bystander", "another-long-pw"),
    ),
    "demo_load": (
        {Role.ADMIN},
        lambda s, a, w: demo.load(s, a, companies=3, seed=1, replace=True),
    ),
}


@pytest.fixture
def world(session: Session, system: Actor, programmes: dict) -> W:
    company = companies.create_company(session, system, new_company())
    activity = activities.log_activity(
        session,
        system,
        NewActivity(company.id, programmes["mentoring"].id, date(2022, 2, 1), details=MENTORING),
    )
    report = outcomes.create_outcome_report(
        session, system, company_id=company.id, year=2022, quarter=1, figures={"employees": 2}
    )
    other = make_user(session, system, "bystander", Role.OFFICER)
    return {
        "company": company.id,
        "programme": programmes["mentoring"].id,
        "activity": activity.id,
        "report": report.id,
        "other_user": other.id,
        "other_user_version": session.get(User, other.id).version,
    }


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("write", list(WRITES))
def test_permission_matrix(
    engine: Engine, session: Session, system: Actor, world: W, role: Role, write: str
) -> None:
    allowed, call = WRITES[write]
    actor = make_user(session, system, f"actor-{role.value}", role)
    before = snapshot(engine)
    if role in allowed:
        call(session, actor, world)
        assert snapshot(engine) != before
    else:
        with pytest.raises(PermissionDenied):
            call(session, actor, world)
        session.rollback()
        assert snapshot(engine) == before


def test_deactivated_account_can_no_longer_write(
    engine: Engine, session: Session, system: Actor, world: W
) -> None:
    actor = make_user(session, system, "leaver", Role.OFFICER)
    users.update_user(
        session,
        system,
        actor.id,
        version=session.get(User, actor.id).version,
        changes={"active": False},
    )
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        companies.update_company(
            session, actor, world["company"], version=1, changes={"notes": "x"}
        )
    assert snapshot(engine) == before


def test_analyst_sees_personal_data_masked(session: Session, system: Actor, world: W) -> None:
    analyst = make_user(session, system, "analyst-x", Role.ANALYST)
    officer = make_user(session, system, "officer-x", Role.OFFICER)
    seen = company_profile(session, analyst, world["company"]).values
    assert (seen["email"], seen["phone"], seen["representative"]) == (MASK, MASK, "홍**")
    assert seen["name_ko"] == "테스트에이아이"
    full = company_profile(session, officer, world["company"]).values
    assert (full["email"], full["phone"], full["representative"]) == (
        "ceo@example.com",
        "010-1234-5678",
        "홍길동",
    )
    rows = list_companies(session, analyst).rows
    assert list(rows["email"]) == [MASK] and list(rows["phone"]) == [MASK]
    # An analyst cannot find a company by its (masked) representative's name either.
    assert list_companies(session, analyst, CompanyFilters(search="홍길동")).total == 0
    assert list_companies(session, officer, CompanyFilters(search="홍길동")).total == 1


def test_cohort_target_is_for_managers(engine: Engine, session: Session, system: Actor) -> None:
    from crm.models import Cohort
    from crm.services.programmes import set_cohort_target

    officer = make_user(session, system, "officer-t", Role.OFFICER)
    manager = make_user(session, system, "manager-t", Role.MANAGER)
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        set_cohort_target(session, officer, year=2022, target_companies=120)
    session.rollback()
    assert snapshot(engine) == before
    set_cohort_target(session, manager, year=2022, target_companies=99, name="2022 코호트")
    set_cohort_target(session, manager, year=2022, target_companies=120, version=1)
    cohort = session.get(Cohort, 2022, populate_existing=True)
    assert (cohort.target_companies, cohort.name, cohort.version) == (120, "2022 코호트", 2)


def _holds_write_transaction(session: Session) -> bool:
    return bool(session.connection().get_execution_options().get("crm_write"))


def test_only_the_write_check_opens_a_write_transaction(session: Session, officer: Actor) -> None:
    """check_permission reads the account and nothing more; begin_authorised_write first opens
    the write transaction (BEGIN IMMEDIATE on SQLite), then checks."""
    session.commit()
    assert check_permission(session, officer, Permission.EDIT_COMPANIES).id == officer.id
    assert session.in_transaction() and not _holds_write_transaction(session)
    session.rollback()
    assert begin_authorised_write(session, officer, Permission.EDIT_COMPANIES).id == officer.id
    assert _holds_write_transaction(session)
    session.rollback()
    with pytest.raises(PermissionDenied):
        check_permission(session, officer, Permission.MANAGE_USERS)
    session.rollback()
    with pytest.raises(PermissionDenied):
        begin_authorised_write(session, officer, Permission.MANAGE_USERS)
