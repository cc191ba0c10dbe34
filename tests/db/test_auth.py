"""Sign-in: argon2 hashes, throttling, lock-out, inactive accounts, password resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from crm.errors import AuthError, ValidationError
from crm.models import AuditEntry, User
from crm.services import users
from crm.services.actor import Actor

PASSWORD = "correct horse battery"


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(users.time, "sleep", slept.append)
    return slept


def test_password_is_hashed_never_stored_or_audited(session: Session, officer: Actor) -> None:
    user = session.exec(select(User).where(User.username == "officer1")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    audit_text = " ".join(
        str(v) for e in session.exec(select(AuditEntry)).all() for v in (e.old_value, e.new_value)
    )
    assert PASSWORD not in audit_text and user.password_hash not in audit_text


def test_sign_in_ok_and_case_insensitive_username(session: Session, officer: Actor) -> None:
    assert users.authenticate(session, " Officer1 ", PASSWORD).id == officer.id
    assert session.exec(select(User).where(User.id == officer.id)).one().last_login_at is not None


def test_failures_slow_down_then_lock(
    session: Session, officer: Actor, no_sleep: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("CRM_LOGIN_LOCK_MINUTES", "15")
    for _ in range(2):
        with pytest.raises(AuthError) as info:
            users.authenticate(session, "officer1", "wrong")
        assert info.value.key == "auth.failed"
    assert no_sleep == [0.25, 0.5]
    with pytest.raises(AuthError) as info:
        users.authenticate(session, "officer1", "wrong")
    assert info.value.key == "auth.locked"
    with pytest.raises(AuthError) as info:  # even the right password is refused while locked
        users.authenticate(session, "officer1", PASSWORD)
    assert info.value.key == "auth.locked"
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert users.authenticate(session, "officer1", PASSWORD, now=later).id == officer.id


def test_reset_password_clears_lock(
    session: Session,
    admin: Actor,
    officer: Actor,
    no_sleep: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_LOGIN_MAX_FAILURES", "1")
    with pytest.raises(AuthError):
        users.authenticate(session, "officer1", "wrong")
    users.set_password(session, admin, "officer1", "a brand new password")
    assert users.authenticate(session, "officer1", "a brand new password").id == officer.id


def test_inactive_unknown_system_and_short_passwords(
    session: Session, admin: Actor, officer: Actor, system: Actor
) -> None:
    users.update_user(
        session,
        admin,
        officer.id,
        version=session.get(User, officer.id).version,
        changes={"active": False},
    )
    with pytest.raises(AuthError) as info:
        users.authenticate(session, "officer1", PASSWORD)
    assert info.value.key == "auth.inactive"
    for name in ("nobody", "system"):
        with pytest.raises(AuthError) as info:
            users.authenticate(session, name, "whatever")
        assert info.value.key == "auth.failed"
    with pytest.raises(ValidationError) as err:
        users.set_password(session, admin, "admin1", "short")
    assert err.value.errors[0].key == "error.password_short"


def test_last_admin_cannot_be_deactivated(session: Session, admin: Actor) -> None:
    with pytest.raises(ValidationError) as info:
        users.update_user(
            session,
            admin,
            admin.id,
            version=session.get(User, admin.id).version,
            changes={"active": False},
        )
    assert info.value.errors[0].key == "error.last_admin"
    assert session.get(User, admin.id, populate_existing=True).active
