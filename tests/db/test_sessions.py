"""Browser sessions (crm/services/sessions.py) on both engines: create, resolve, hand-off, idle,
absolute expiry, revoke, sign-out everywhere, deactivation, admin list and revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from crm.errors import PermissionDenied
from crm.models import AuditEntry, Role, User, UserSession
from crm.services import sessions, users
from crm.services.actor import Actor

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row(session: Session, session_id: int) -> UserSession:
    row = session.get(UserSession, session_id, populate_existing=True)
    assert row is not None
    return row


def test_token_is_random_and_stored_only_as_its_hash(session: Session, officer: Actor) -> None:
    first = sessions.create_session(session, officer, now=T0)
    second = sessions.create_session(session, officer, now=T0)
    assert first.token != second.token and len(first.token) >= 43
    stored = [r.token_hash for r in session.exec(select(UserSession)).all()]
    assert first.token not in stored and second.token not in stored
    assert sessions.hash_secret(first.token) in stored
    assert first.expires_at == T0 + timedelta(hours=12)


def test_resolve_gives_the_fresh_account(session: Session, admin: Actor, officer: Actor) -> None:
    ticket = sessions.create_session(session, officer, now=T0)
    actor = sessions.resolve(session, ticket.token, now=T0 + timedelta(minutes=1))
    assert actor == officer
    users.update_user(
        session,
        admin,
        officer.id,
        version=session.get(User, officer.id).version,
        changes={"role": Role.MANAGER.value},
    )
    again = sessions.resolve(session, ticket.token, now=T0 + timedelta(minutes=2))
    assert again is not None and again.role == Role.MANAGER
    assert sessions.resolve(session, "not-a-token", now=T0) is None
    assert sessions.resolve(session, "", now=T0) is None


def test_idle_limit_uses_the_setting_and_activity_extends_it(
    session: Session, officer: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "30")
    ticket = sessions.create_session(session, officer, now=T0)
    # Active every 20 minutes for two hours: never idle, and the activity is recorded.
    for step in range(1, 7):
        moment = T0 + timedelta(minutes=20 * step)
        assert sessions.resolve(session, ticket.token, now=moment) == officer
    assert _row(session, ticket.id).last_seen_at.replace(tzinfo=UTC) == T0 + timedelta(hours=2)
    late = T0 + timedelta(hours=2, minutes=31)
    verdict = sessions.check(session, ticket.token, now=late)
    assert verdict.actor is None and verdict.refusal == sessions.Refusal.IDLE


def test_absolute_expiry_however_active(session: Session, officer: Actor) -> None:
    ticket = sessions.create_session(session, officer, now=T0)
    moment = T0
    while moment < T0 + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=10)
        assert sessions.resolve(session, ticket.token, now=moment) == officer
    verdict = sessions.check(session, ticket.token, now=T0 + timedelta(hours=12))
    assert verdict.refusal == sessions.Refusal.EXPIRED


def test_revoke_one_token(session: Session, officer: Actor) -> None:
    kept = sessions.create_session(session, officer, now=T0)
    ended = sessions.create_session(session, officer, now=T0)
    assert sessions.revoke(session, ended.token, now=T0) is True
    assert sessions.revoke(session, ended.token, now=T0) is False
    verdict = sessions.check(session, ended.token, now=T0)
    assert verdict.refusal == sessions.Refusal.REVOKED
    assert sessions.resolve(session, kept.token, now=T0) == officer


def test_revoke_all_for_user_signs_out_every_browser_of_that_account_only(
    session: Session, officer: Actor, officer2: Actor
) -> None:
    mine = [sessions.create_session(session, officer, now=T0) for _ in range(3)]
    theirs = sessions.create_session(session, officer2, now=T0)
    assert sessions.revoke_all_for_user(session, officer.id, now=T0) == 3
    assert [sessions.resolve(session, t.token, now=T0) for t in mine] == [None, None, None]
    assert sessions.check_id(session, mine[0].id, now=T0).refusal == sessions.Refusal.REVOKED
    assert sessions.resolve(session, theirs.token, now=T0) == officer2


def test_deactivation_revokes_every_session(session: Session, admin: Actor, officer: Actor) -> None:
    tickets = [sessions.create_session(session, officer) for _ in range(2)]
    users.update_user(
        session,
        admin,
        officer.id,
        version=session.get(User, officer.id).version,
        changes={"active": False},
    )
    for ticket in tickets:
        assert _row(session, ticket.id).revoked_at is not None
        assert sessions.check(session, ticket.token).refusal == sessions.Refusal.REVOKED
    # Reactivating does not bring the old browsers back.
    users.update_user(
        session,
        admin,
        officer.id,
        version=session.get(User, officer.id).version,
        changes={"active": True},
    )
    assert sessions.resolve(session, tickets[0].token) is None


def test_password_reset_by_an_admin_ends_every_sign_in_a_change_of_ones_own_does_not(
    session: Session, admin: Actor, officer: Actor
) -> None:
    own = sessions.create_session(session, officer)
    users.set_password(session, officer, officer.username, "a-new-long-password-1")
    assert sessions.check(session, own.token).actor is not None
    others = [sessions.create_session(session, officer) for _ in range(2)]
    admin_ticket = sessions.create_session(session, admin)
    users.set_password(session, admin, officer.username, "reset-by-the-admin-2")
    for ticket in [own, *others]:
        assert sessions.check(session, ticket.token).refusal == sessions.Refusal.REVOKED
    assert sessions.check(session, admin_ticket.token).actor is not None  # only that account


def test_inactive_account_is_refused_even_if_its_session_was_not_revoked(
    session: Session, officer: Actor
) -> None:
    from crm.models import User

    ticket = sessions.create_session(session, officer)
    user = session.get(User, officer.id)
    assert user is not None
    user.active = False  # as a direct database edit would, bypassing the service hook
    session.add(user)
    session.commit()
    assert sessions.check(session, ticket.token).refusal == sessions.Refusal.INACTIVE


def test_handoff_is_single_use_short_lived_and_rotates_the_token(
    session: Session, officer: Actor
) -> None:
    ticket = sessions.create_session(session, officer, now=T0)
    nonce = sessions.issue_handoff(session, ticket.id, now=T0)
    assert nonce not in {_row(session, ticket.id).handoff_hash}
    redeemed = sessions.redeem_handoff(session, nonce, now=T0 + timedelta(seconds=5))
    assert redeemed is not None and redeemed.id == ticket.id
    assert redeemed.token != ticket.token
    assert sessions.resolve(session, redeemed.token, now=T0 + timedelta(seconds=6)) == officer
    assert sessions.resolve(session, ticket.token, now=T0 + timedelta(seconds=6)) is None
    assert sessions.redeem_handoff(session, nonce, now=T0 + timedelta(seconds=7)) is None
    stale = sessions.issue_handoff(session, ticket.id, now=T0)
    assert sessions.redeem_handoff(session, stale, now=T0 + timedelta(seconds=31)) is None
    assert sessions.redeem_handoff(session, "made-up", now=T0) is None


def test_handoff_of_a_revoked_session_gives_no_cookie(session: Session, officer: Actor) -> None:
    ticket = sessions.create_session(session, officer, now=T0)
    nonce = sessions.issue_handoff(session, ticket.id, now=T0)
    sessions.revoke_all_for_user(session, officer.id, now=T0)
    assert sessions.redeem_handoff(session, nonce, now=T0) is None


def test_admin_lists_live_sessions_and_revokes_one_audited(
    session: Session, admin: Actor, officer: Actor, analyst: Actor
) -> None:
    now = datetime.now(UTC)
    live = sessions.create_session(session, officer, now=now - timedelta(minutes=5))
    other = sessions.create_session(session, analyst, now=now - timedelta(minutes=1))
    idle = sessions.create_session(session, officer, now=now - timedelta(hours=3))
    revoked = sessions.create_session(session, analyst, now=now)
    sessions.revoke(session, revoked.token)
    listed = sessions.list_sessions(session, admin, now=now)
    assert [(s.id, s.username) for s in listed] == [(other.id, "analyst1"), (live.id, "officer1")]
    assert listed[1].display_name == "Officer1 테스트"
    assert idle.id not in {s.id for s in listed}

    sessions.admin_revoke(session, admin, live.id)
    assert sessions.resolve(session, live.token) is None
    assert [s.id for s in sessions.list_sessions(session, admin)] == [other.id]
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "user_session")).one()
    assert (entry.actor_id, entry.entity_id, entry.field) == (admin.id, live.id, "revoked_at")
    audit_text = " ".join(
        str(v)
        for e in session.exec(select(AuditEntry)).all()
        for v in (e.old_value, e.new_value, e.context)
    )
    assert live.token not in audit_text and other.token not in audit_text


def test_only_admins_list_or_revoke_sessions(
    session: Session, officer: Actor, manager: Actor
) -> None:
    ticket = sessions.create_session(session, manager)
    with pytest.raises(PermissionDenied):
        sessions.list_sessions(session, officer)
    with pytest.raises(PermissionDenied):
        sessions.admin_revoke(session, manager, ticket.id)
    assert sessions.resolve(session, ticket.token) == manager
