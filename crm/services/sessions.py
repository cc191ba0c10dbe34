"""Browser sessions that survive a refresh: a random token in an HttpOnly cookie, stored here only
as its SHA-256 hash, re-checked on every use (not revoked, not expired, not idle, account active,
role read fresh). The cookie is set by a route of the app from a one-time hand-off nonce, so the
token itself never passes through a URL, a page or a log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm.clock import as_utc
from crm.config import get_settings
from crm.db import begin_write
from crm.errors import NotFound
from crm.models import AuditAction, User, UserSession, utcnow
from crm.services import audit
from crm.services.actor import Actor, actor_from_user
from crm.services.permissions import Permission, begin_authorised_write

# The longest a sign-in lasts however active it is (a working day and then some).
MAX_AGE = timedelta(hours=12)
# The one-time nonce the browser exchanges for the cookie right after signing in.
HANDOFF_TTL = timedelta(seconds=30)
# Activity is written back at most this often (a rerun need not be a database write).
TOUCH_EVERY = timedelta(seconds=30)


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    IDLE = "idle"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Ticket:
    """A session and its secret token (the token exists only in this object and the cookie)."""

    id: int
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a session: the fresh actor, or why it is refused."""

    session_id: int | None
    actor: Actor | None
    refusal: Refusal | None = None


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user_id: int
    username: str
    display_name: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _idle_limit() -> timedelta:
    return timedelta(minutes=get_settings().session_idle_minutes)


def create_session(session: Session, actor: Actor, *, now: datetime | None = None) -> Ticket:
    """A new session for a user who has just signed in (with their password)."""
    now = now or utcnow()
    token = _new_secret()
    begin_write(session)
    row = UserSession(
        token_hash=hash_secret(token),
        user_id=actor.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + MAX_AGE,
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return Ticket(row.id, token, row.expires_at)


def _judge(row: UserSession | None, user: User | None, now: datetime) -> Verdict:
    if row is None or row.id is None:
        return Verdict(None, None, Refusal.UNKNOWN)
    if row.revoked_at is not None:
        return Verdict(row.id, None, Refusal.REVOKED)
    if now >= as_utc(row.expires_at):
        return Verdict(row.id, None, Refusal.EXPIRED)
    if now - as_utc(row.last_seen_at) > _idle_limit():
        return Verdict(row.id, None, Refusal.IDLE)
    if user is None or not user.active or user.is_system:
        return Verdict(row.id, None, Refusal.INACTIVE)
    return Verdict(row.id, actor_from_user(user))


def _check_row(session: Session, row: UserSession | None, now: datetime) -> Verdict:
    user = session.get(User, row.user_id, populate_existing=True) if row is not None else None
    verdict = _judge(row, user, now)
    if verdict.actor is not None and row is not None and row.id is not None:
        _touch(session, row.id, as_utc(row.last_seen_at), now)
    else:
        session.rollback()
    return verdict


def _touch(session: Session, session_id: int, seen: datetime, now: datetime) -> None:
    if now - seen < TOUCH_EVERY:
        session.rollback()
        return
    session.rollback()  # end the read; the write takes the write lock from its start
    begin_write(session)
    table = UserSession.__table__  # type: ignore[attr-defined]
    session.execute(
        sa.update(table)
        .where(table.c.id == session_id, table.c.revoked_at.is_(None))
        .values(last_seen_at=now)
    )
    session.commit()


def check(session: Session, token: str | None, *, now: datetime | None = None) -> Verdict:
    """The session a cookie names, judged now (and its activity recorded)."""
    now = now or utcnow()
    if not token:
        return Verdict(None, None, Refusal.UNKNOWN)
    row = session.exec(
        select(UserSession).where(UserSession.token_hash == hash_secret(token))
    ).first()
    return _check_row(session, row, now)


def check_id(session: Session, session_id: int, *, now: datetime | None = None) -> Verdict:
    """The session a signed-in browser tab holds, judged now (and its activity recorded)."""
    now = now or utcnow()
    row = session.get(UserSession, session_id, populate_existing=True)
    return _check_row(session, row, now)


def resolve(session: Session, token: str | None, *, now: datetime | None = None) -> Actor | None:
    """The signed-in actor for a cookie's token, or None if the session may not be used."""
    return check(session, token, now=now).actor


def issue_handoff(session: Session, session_id: int, *, now: datetime | None = None) -> str:
    """A one-time nonce (valid 30 s) the browser exchanges for the session's cookie."""
    now = now or utcnow()
    nonce = _new_secret()
    begin_write(session)
    row = session.get(UserSession, session_id, populate_existing=True)
    if row is None:
        raise NotFound("sessions.not_found")
    row.handoff_hash = hash_secret(nonce)
    row.handoff_expires_at = now + HANDOFF_TTL
    session.add(row)
    session.commit()
    return nonce


def redeem_handoff(session: Session, nonce: str, *, now: datetime | None = None) -> Ticket | None:
    """Exchange a hand-off nonce (once) for a fresh token of its session; None if it is unknown,
    used, stale, or its session may no longer be used."""
    now = now or utcnow()
    if not nonce:
        return None
    nonce_hash = hash_secret(nonce)
    begin_write(session)
    row = session.exec(select(UserSession).where(UserSession.handoff_hash == nonce_hash)).first()
    if row is None or row.id is None or row.handoff_expires_at is None:
        session.rollback()
        return None
    if now >= as_utc(row.handoff_expires_at):
        session.rollback()
        return None
    user = session.get(User, row.user_id, populate_existing=True)
    if _judge(row, user, now).actor is None:
        session.rollback()
        return None
    token = _new_secret()
    table = UserSession.__table__  # type: ignore[attr-defined]
    # Conditional on the nonce still being there: two racing redemptions cannot both win.
    result = session.execute(
        sa.update(table)
        .where(table.c.id == row.id, table.c.handoff_hash == nonce_hash)
        .values(
            token_hash=hash_secret(token),
            handoff_hash=None,
            handoff_expires_at=None,
            last_seen_at=now,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return None
    session.commit()
    return Ticket(row.id, token, as_utc(row.expires_at))


def revoke(session: Session, token: str | None, *, now: datetime | None = None) -> bool:
    """End the session a cookie names (no-op for an unknown token)."""
    if not token:
        return False
    begin_write(session)
    table = UserSession.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sa.update(table)
        .where(table.c.token_hash == hash_secret(token), table.c.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_all_for_user(
    session: Session, user_id: int, *, now: datetime | None = None, commit: bool = True
) -> int:
    """End every session of an account (sign-out everywhere; deactivation). With commit=False
    the caller's transaction carries it."""
    begin_write(session)
    table = UserSession.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sa.update(table)
        .where(table.c.user_id == user_id, table.c.revoked_at.is_(None))
        .values(revoked_at=now or utcnow(), handoff_hash=None, handoff_expires_at=None)
    )
    if commit:
        session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def list_sessions(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> list[SessionInfo]:
    """Sessions that can still be used (admins only), most recently active first."""
    begin_authorised_write(session, actor, Permission.MANAGE_USERS)
    now = now or utcnow()
    rows = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(col(UserSession.revoked_at).is_(None))
        .order_by(col(UserSession.last_seen_at).desc(), col(UserSession.id).desc())
    ).all()
    session.rollback()
    out: list[SessionInfo] = []
    for row, user in rows:
        if _judge(row, user, now).actor is None or row.id is None or user.id is None:
            continue
        out.append(
            SessionInfo(
                id=row.id,
                user_id=user.id,
                username=user.username,
                display_name=user.display_name,
                created_at=as_utc(row.created_at),
                last_seen_at=as_utc(row.last_seen_at),
                expires_at=as_utc(row.expires_at),
            )
        )
    return out


def admin_revoke(
    session: Session, actor: Actor, session_id: int, *, now: datetime | None = None
) -> None:
    """An admin ends one session (audited); that browser is signed out at its next action."""
    begin_authorised_write(session, actor, Permission.MANAGE_USERS)
    now = now or utcnow()
    row = session.get(UserSession, session_id, populate_existing=True)
    if row is None or row.id is None:
        raise NotFound("sessions.not_found")
    if row.revoked_at is None:
        row.revoked_at = now
        row.handoff_hash = None
        row.handoff_expires_at = None
        session.add(row)
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            "user_session",
            row.id,
            field="revoked_at",
            new=now,
        )
    session.commit()
