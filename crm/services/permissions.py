"""Who may do what. Checked in every service write, whatever the UI shows or hides."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session

from crm.db import begin_write
from crm.errors import PermissionDenied
from crm.models import Role, User
from crm.services.actor import Actor


class Permission(StrEnum):
    EDIT_COMPANIES = "edit_companies"
    EDIT_ACTIVITIES = "edit_activities"
    EDIT_OUTCOMES = "edit_outcomes"
    EDIT_PROGRAMMES = "edit_programmes"
    BUILD_REPORTS = "build_reports"
    CLOSE_QUARTER = "close_quarter"
    IMPORT_DATA = "import_data"
    UNDO_IMPORT = "undo_import"
    MANAGE_USERS = "manage_users"
    VIEW_PERSONAL_DATA = "view_personal_data"
    VIEW_FUNNEL = "view_funnel"
    LOAD_DEMO = "load_demo"
    MANAGE_KINDS = "manage_kinds"


_OFFICER = {
    Permission.EDIT_COMPANIES,
    Permission.EDIT_ACTIVITIES,
    Permission.EDIT_OUTCOMES,
    Permission.IMPORT_DATA,
    Permission.VIEW_PERSONAL_DATA,
    Permission.VIEW_FUNNEL,
}
_MANAGER = _OFFICER | {
    Permission.EDIT_PROGRAMMES,
    Permission.BUILD_REPORTS,
    Permission.CLOSE_QUARTER,
    Permission.UNDO_IMPORT,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_OFFICER),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ANALYST: frozenset({Permission.VIEW_FUNNEL}),
    Role.ADMIN: frozenset(Permission),
}


def can(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]


def check_permission(session: Session, actor: Actor, permission: Permission) -> User:
    """Refuse unless the actor's *current* account (re-read now) is active and allowed. Opens
    no write transaction: for reads and previews that must be allowed but write nothing."""
    user = session.get(User, actor.id, populate_existing=True)
    if user is None or not user.active or not can(user.role, permission):
        raise PermissionDenied(action=permission.value)
    return user


def begin_authorised_write(session: Session, actor: Actor, permission: Permission) -> User:
    """Open the write transaction (SQLite: BEGIN IMMEDIATE), then check the permission as
    `check_permission` does. Every service write starts here."""
    begin_write(session)
    return check_permission(session, actor, permission)
