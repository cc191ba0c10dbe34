"""The acting user: a plain value safe to keep in a UI session (never an ORM object)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from crm.errors import NotFound
from crm.models import Role, User

SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: Role


def actor_from_user(user: User) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.username, user.display_name, Role(user.role))


def actor_by_username(session: Session, username: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("error.user_not_found", name=username)
    return actor_from_user(user)


def system_actor(session: Session) -> Actor:
    """The named user the CLI and loaders act as; created on first use."""
    user = session.exec(select(User).where(User.username == SYSTEM_USERNAME)).first()
    if user is None:
        user = User(
            username=SYSTEM_USERNAME,
            display_name="System (CLI)",
            role=Role.ADMIN,
            is_system=True,
        )
        session.add(user)
        session.commit()
    return actor_from_user(user)
