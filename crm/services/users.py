"""Accounts: create, passwords (argon2), sign-in with throttling and lock-out."""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from crm.config import get_settings
from crm.errors import AuthError, NotFound
from crm.models import AuditAction, Role, User, utcnow
from crm.services import audit, sessions
from crm.services.actor import Actor, actor_from_user
from crm.services.editing import apply_changes, check_stale
from crm.services.permissions import Permission, begin_authorised_write
from crm.validation import Checker

MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,64}$")
_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _validate_password(check: Checker, password: str | None) -> None:
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        check.fail("password", "error.password_short", min=MIN_PASSWORD_LENGTH)


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    password: str | None = None,
) -> User:
    begin_authorised_write(session, actor, Permission.MANAGE_USERS)
    check = Checker()
    name = check.text("username", username, required=True, max_len=64)
    if name is not None and not USERNAME_RE.match(name):
        check.fail("username", "error.username_format")
    shown = check.text("display_name", display_name, required=True, max_len=100)
    role_value = check.choice("role", role, [r.value for r in Role])
    if password is not None:
        _validate_password(check, password)
    if name and session.exec(select(User).where(User.username == name)).first() is not None:
        check.fail("username", "error.username_taken")
    check.raise_if_errors()
    user = User(
        username=name,
        display_name=shown,
        role=role_value,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "app_user",
        user.id,
        version=user.version,
        new={"username": name, "display_name": shown, "role": role_value},
    )
    session.commit()
    return user


def set_password(session: Session, actor: Actor, username: str, password: str) -> User:
    """Set a password (admins for anyone; everyone for themselves); clears any lock-out. A reset
    by someone else ends every sign-in of the account."""
    user = get_user(session, username)
    if user.id != actor.id:
        begin_authorised_write(session, actor, Permission.MANAGE_USERS)
    check = Checker()
    _validate_password(check, password)
    check.raise_if_errors()
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    assert user.id is not None
    # The hash itself is never written to the audit trail.
    audit.record(session, actor, AuditAction.PASSWORD, "app_user", user.id, version=user.version)
    if user.id != actor.id:  # a reset (often after a leak) ends the account's open sign-ins
        sessions.revoke_all_for_user(session, user.id, commit=False)
    session.commit()
    return user


def update_user(
    session: Session, actor: Actor, user_id: int, *, version: int, changes: dict[str, object]
) -> User:
    """Change an account's name, role or active flag. `version` is the one the editor opened:
    a save over a newer one is refused only if another save changed the same fields."""
    begin_authorised_write(session, actor, Permission.MANAGE_USERS)
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFound(entity="app_user", id=user_id)
    check = Checker()
    clean: dict[str, object] = {}
    if "display_name" in changes:
        clean["display_name"] = check.text(
            "display_name", changes["display_name"], required=True, max_len=100
        )
    if "role" in changes:
        clean["role"] = check.choice("role", changes["role"], [r.value for r in Role])
    if "active" in changes:
        clean["active"] = bool(changes["active"])
    for name in sorted(set(changes) - {"display_name", "role", "active"}):
        check.fail(name, "error.unknown_field")
    demoted = clean.get("active") is False or clean.get("role", user.role) != Role.ADMIN
    if user.role == Role.ADMIN and user.active and demoted and _active_admins(session) <= 1:
        check.fail("active", "error.last_admin")
    check.raise_if_errors()
    check_stale(session, user, "app_user", version, clean)
    deactivated = user.active and clean.get("active") is False
    apply_changes(session, actor, user, "app_user", clean)
    if deactivated:  # a leaver's open browsers are signed out at their next action
        assert user.id is not None
        sessions.revoke_all_for_user(session, user.id, commit=False)
    session.commit()
    return user


def _active_admins(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, col(User.active), ~col(User.is_system))
    ).one()


def set_language(session: Session, actor: Actor, language: str) -> None:
    """Remember the user's language (their own preference; no permission needed)."""
    user = session.get(User, actor.id)
    if user is not None and language in ("ko", "en") and user.language != language:
        user.language = language
        session.add(user)
        session.commit()


def get_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("error.user_not_found", name=username)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))).all())


def list_officers(session: Session) -> list[User]:
    """Staff a company can be assigned to."""
    return list(
        session.exec(
            select(User)
            .where(
                col(User.active),
                col(User.role).in_([Role.OFFICER, Role.MANAGER]),
                ~col(User.is_system),
            )
            .order_by(col(User.display_name))
        ).all()
    )


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def authenticate(
    session: Session, username: str, password: str, *, now: datetime | None = None
) -> Actor:
    """Check a password. Failures are counted per account, slowed down, then lock it for a while."""
    settings = get_settings()
    now = now or utcnow()
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or user.is_system:
        _hasher_verify(_DUMMY_HASH, password)
        raise AuthError("auth.failed")
    locked_until = _as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        raise AuthError("auth.locked", minutes=settings.login_lock_minutes)
    if not user.active:
        raise AuthError("auth.inactive")
    if user.password_hash is None:
        raise AuthError("auth.no_password")
    if not _hasher_verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
            user.failed_logins = 0
            session.add(user)
            session.commit()
            raise AuthError("auth.locked", minutes=settings.login_lock_minutes)
        session.add(user)
        session.commit()
        time.sleep(failure_delay(user.failed_logins))
        raise AuthError("auth.failed")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    session.commit()
    return actor_from_user(user)


def failure_delay(failures_in_a_row: int) -> float:
    """Slow down guessing: each failure in a row costs a little longer (capped at 2 s)."""
    return min(0.25 * failures_in_a_row, 2.0)


def _hasher_verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
