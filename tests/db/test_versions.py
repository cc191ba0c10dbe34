"""Accounts and cohort targets get the same optimistic save as companies: the version the editor
opened goes in; a save over a newer version that changed the same fields is refused, one that
changed other fields merges."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from crm.errors import ConflictError
from crm.models import Cohort, User
from crm.services import users
from crm.services.actor import Actor
from crm.services.programmes import set_cohort_target
from tests.support import snapshot


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, populate_existing=True)
    assert user is not None
    return user


def test_stale_account_save_on_the_same_field_is_refused(
    engine: Engine, session: Session, admin: Actor, officer: Actor
) -> None:
    opened = _user(session, officer.id).version
    users.update_user(
        session, admin, officer.id, version=opened, changes={"display_name": "김담당"}
    )
    before = snapshot(engine)
    with pytest.raises(ConflictError) as info:
        users.update_user(
            session, admin, officer.id, version=opened, changes={"display_name": "이담당"}
        )
    session.rollback()
    clash = info.value.clashes[0]
    assert (clash.field, clash.theirs, clash.yours) == ("display_name", "김담당", "이담당")
    assert snapshot(engine) == before
    assert _user(session, officer.id).display_name == "김담당"


def test_stale_account_save_on_other_fields_merges(
    session: Session, admin: Actor, officer: Actor
) -> None:
    opened = _user(session, officer.id).version
    users.update_user(
        session, admin, officer.id, version=opened, changes={"display_name": "김담당"}
    )
    users.update_user(session, admin, officer.id, version=opened, changes={"role": "manager"})
    user = _user(session, officer.id)
    assert (user.display_name, user.role) == ("김담당", "manager")


def test_current_account_version_saves(session: Session, admin: Actor, officer: Actor) -> None:
    for name in ("하나", "둘"):
        version = _user(session, officer.id).version
        users.update_user(
            session, admin, officer.id, version=version, changes={"display_name": name}
        )
    assert _user(session, officer.id).display_name == "둘"


def test_stale_cohort_target_is_refused(engine: Engine, session: Session, manager: Actor) -> None:
    set_cohort_target(session, manager, year=2022, target_companies=99)
    opened = session.get(Cohort, 2022).version
    set_cohort_target(session, manager, year=2022, target_companies=100, version=opened)
    before = snapshot(engine)
    with pytest.raises(ConflictError) as info:
        set_cohort_target(session, manager, year=2022, target_companies=120, version=opened)
    session.rollback()
    clash = info.value.clashes[0]
    assert (clash.field, clash.theirs, clash.yours) == ("target_companies", 100, 120)
    assert snapshot(engine) == before
    current = session.get(Cohort, 2022).version
    set_cohort_target(session, manager, year=2022, target_companies=120, version=current)
    assert session.get(Cohort, 2022, populate_existing=True).target_companies == 120


def test_cohort_created_meanwhile_is_a_conflict(
    engine: Engine, session: Session, manager: Actor
) -> None:
    set_cohort_target(session, manager, year=2023, target_companies=50)  # someone else, first
    before = snapshot(engine)
    with pytest.raises(ConflictError) as info:
        set_cohort_target(session, manager, year=2023, target_companies=60, version=None)
    session.rollback()
    assert [(c.field, c.theirs, c.yours) for c in info.value.clashes] == [
        ("target_companies", 50, 60)
    ]
    assert snapshot(engine) == before
