"""Portal links: a random token (256 bits) per company and request, kept only as its SHA-256
hash, valid until the due date plus a grace period, revoked when a new one is issued. A wrong,
expired or revoked token gets one generic refusal, and failed attempts are throttled per client
(the same discipline as sign-in sessions in crm/services/sessions.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm.clock import as_utc, zone
from crm.config import get_settings
from crm.db import begin_write
from crm.errors import CRMError
from crm.models import utcnow
from crm.portal.models import DataRequestCompany, PortalLink, PortalThrottle
from crm.services.sessions import hash_secret

TOKEN_BYTES = 32  # 256 bits (the issue asks for at least 128)
MAX_TOKEN_LENGTH = 128


class PortalRefused(CRMError):
    """The one refusal for every bad link (wrong, expired, revoked, throttled): it says nothing
    about which, so a guess learns nothing."""

    key = "portal.refused"


@dataclass(frozen=True)
class Access:
    """What a valid token opens: one company's answer to one request (plain values)."""

    ask_id: int
    company_id: int
    request_id: int


def link_expiry(due_on: date) -> datetime:
    """The end of the grace period's last day in the office's zone, as UTC."""
    settings = get_settings()
    last_day = due_on + timedelta(days=settings.portal_grace_days)
    end = datetime.combine(
        last_day + timedelta(days=1), time(0), tzinfo=zone(settings.office_timezone)
    )
    return as_utc(end)


def issue_links(
    session: Session, ask_ids: list[int], due_on: date, *, now: datetime | None = None
) -> dict[int, str]:
    """New tokens for many answers at once (earlier ones revoked): two statements, not two per
    company. The caller's transaction carries it."""
    now = now or utcnow()
    table = PortalLink.__table__  # type: ignore[attr-defined]
    tokens = {ask_id: secrets.token_urlsafe(TOKEN_BYTES) for ask_id in ask_ids}
    for start in range(0, len(ask_ids), 1000):
        part = ask_ids[start : start + 1000]
        session.execute(
            sa.update(table)
            .where(table.c.ask_id.in_(part), table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    if tokens:
        expires = link_expiry(due_on)
        session.execute(
            sa.insert(table),
            [
                {
                    "ask_id": ask_id,
                    "token_hash": hash_secret(token),
                    "created_at": now,
                    "expires_at": expires,
                }
                for ask_id, token in tokens.items()
            ],
        )
    return tokens


def revoke_links(session: Session, ask_id: int, *, now: datetime | None = None) -> int:
    """End every link of one company's answer (the caller commits)."""
    table = PortalLink.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sa.update(table)
        .where(table.c.ask_id == ask_id, table.c.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _client_key(client: str | None) -> str:
    return hash_secret(client or "unknown")


def _locked(row: PortalThrottle | None, now: datetime) -> bool:
    return row is not None and row.locked_until is not None and as_utc(row.locked_until) > now


def _count_failure(session: Session, key: str, now: datetime) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.portal_lock_minutes)
    row = session.get(PortalThrottle, key, populate_existing=True)
    if row is None:
        row = PortalThrottle(client=key, failures=0, window_start=now)
    if now - as_utc(row.window_start) > window:
        row.failures, row.window_start, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= settings.portal_max_failures:
        row.locked_until = now + window
        row.failures = 0
        row.window_start = now
    session.add(row)


def _valid_link(session: Session, token: str, now: datetime) -> PortalLink | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = session.exec(
        select(PortalLink).where(PortalLink.token_hash == hash_secret(token))
    ).first()
    if link is None or link.revoked_at is not None or now >= as_utc(link.expires_at):
        return None
    return link


def resolve(
    session: Session, token: str | None, client: str | None, *, now: datetime | None = None
) -> Access:
    """The company and request a token opens, or PortalRefused (the same for every reason). A
    valid token costs two indexed reads; a failure is counted (committed) before the refusal."""
    now = now or utcnow()
    key = _client_key(client)
    throttle = session.get(PortalThrottle, key, populate_existing=True)
    locked = _locked(throttle, now)
    link = None if locked else _valid_link(session, token or "", now)
    if link is None:
        session.rollback()
        if not locked:
            begin_write(session)
            _count_failure(session, key, now)
            session.commit()
        raise PortalRefused()
    row = session.exec(
        select(DataRequestCompany.company_id, DataRequestCompany.request_id).where(
            col(DataRequestCompany.id) == link.ask_id
        )
    ).one()
    session.rollback()
    return Access(ask_id=link.ask_id, company_id=row[0], request_id=row[1])
