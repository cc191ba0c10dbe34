"""Data requests, company side: everything goes through the token, so a link opens one
company's answer to one request and nothing else. Writes are audited as the portal's own
system account (companies have no accounts)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.db import begin_write
from crm.errors import FieldError, NotFound, ValidationError
from crm.models import AuditAction, Role, User, utcnow
from crm.portal.evidence import EvidenceRefused, check_file, evidence_limits
from crm.portal.links import Access, PortalRefused, resolve
from crm.portal.models import AskStatus, DataRequestCompany, Evidence, PatentClaim
from crm.portal.requests import Answer, load_answer, set_status
from crm.services import audit, outcomes
from crm.services.actor import Actor, actor_from_user
from crm.validation import Checker

PORTAL_USERNAME = "portal"
EDITABLE = frozenset(
    {AskStatus.NOT_STARTED.value, AskStatus.DRAFT.value, AskStatus.CHANGES_REQUESTED.value}
)
# Korean patent application (10-2022-0123456) and registration (10-2345678) numbers.
PATENT_NUMBER = re.compile(r"^\d{2}-(\d{4}-\d{7}|\d{7})$")
MAX_PATENTS = 200


def portal_actor(session: Session) -> Actor:
    """The system account the portal's writes are audited as (created on first use)."""
    user = session.exec(select(User).where(User.username == PORTAL_USERNAME)).first()
    if user is None:
        user = User(
            username=PORTAL_USERNAME,
            display_name="기업 포털 (company portal)",
            role=Role.OFFICER,
            is_system=True,
            active=False,  # it signs nobody in and holds no permissions
        )
        session.add(user)
        session.flush()
    return actor_from_user(user)


def view(session: Session, token: str | None, client: str | None) -> Answer:
    """The company's own answer, its previous figures and its evidence list."""
    access = resolve(session, token, client)
    answer = load_answer(session, access.ask_id)
    session.rollback()
    return answer


def _editable(session: Session, access: Access) -> DataRequestCompany:
    ask = session.get(DataRequestCompany, access.ask_id, populate_existing=True)
    if ask is None:
        session.rollback()
        raise PortalRefused()
    if ask.status not in EDITABLE:
        session.rollback()
        raise ValidationError([FieldError("status", "portal.error.locked")])
    return ask


def _patents(check: Checker, numbers: list[str]) -> list[str]:
    out: list[str] = []
    for raw in numbers[: MAX_PATENTS + 1]:
        text = "".join(str(raw).split())
        if not text:
            continue
        if not PATENT_NUMBER.match(text):
            check.fail("patents", "portal.error.patent_number", number=text[:30])
        elif text not in out:
            out.append(text)
    if len(numbers) > MAX_PATENTS:
        check.fail("patents", "portal.error.too_many_patents", max=MAX_PATENTS)
    return out


def save(
    session: Session,
    token: str | None,
    client: str | None,
    *,
    figures: dict[str, Any],
    patents: list[str],
    declared_name: str | None = None,
    declared_on: date | None = None,
    submit: bool = False,
) -> str:
    """Save the company's figures as a draft, or submit them (every asked figure, the
    declaration's name and date). Returns the new status."""
    access = resolve(session, token, client)
    begin_write(session)
    ask = _editable(session, access)
    answer = load_answer(session, access.ask_id)
    asked = answer.request.fields
    check = Checker()
    given = {f: figures.get(f) for f in asked}
    clean = outcomes.validate_figures(check, given, partial=not submit)
    clean = {f: v for f, v in clean.items() if v is not None}
    numbers = _patents(check, list(patents))
    name = check.text("declared_name", declared_name, required=submit, max_len=100)
    day = check.day("declared_on", declared_on, required=submit)
    if submit:
        for figure in asked:  # a blank is not a zero: every asked figure is typed in
            if given.get(figure) in (None, ""):
                check.fail(figure, "error.required")
        outcomes.cross_checks(check, clean)
    if check.errors:
        session.rollback()
        check.raise_if_errors()
    actor = portal_actor(session)
    status = AskStatus.SUBMITTED.value if submit else AskStatus.DRAFT.value
    changes: dict[str, Any] = {
        "figures": clean,
        "status": status,
        "declared_name": name,
        "declared_on": day,
    }
    if submit:
        changes["submitted_at"] = utcnow()
    set_status(session, actor, ask, changes, context=f"data request #{access.request_id}: company")
    table = PatentClaim.__table__  # type: ignore[attr-defined]
    session.execute(sa.delete(table).where(table.c.ask_id == access.ask_id))
    if numbers:
        session.execute(
            sa.insert(table),
            [
                {"ask_id": access.ask_id, "company_id": access.company_id, "number": n}
                for n in numbers
            ],
        )
    session.commit()
    return status


def add_evidence(
    session: Session,
    token: str | None,
    client: str | None,
    *,
    figure: str,
    filename: str,
    data: bytes,
) -> int:
    """Keep one evidence file for one asked figure (type by content, within the limits)."""
    access = resolve(session, token, client)
    limits = evidence_limits()
    checked = check_file(filename, data, limits)
    begin_write(session)
    _editable(session, access)
    answer = load_answer(session, access.ask_id)
    if figure not in answer.request.fields:
        session.rollback()
        raise ValidationError([FieldError("figure", "portal.error.figure")])
    count = session.exec(
        select(func.count()).select_from(Evidence).where(Evidence.ask_id == access.ask_id)
    ).one()
    if count >= limits.max_files:
        session.rollback()
        raise EvidenceRefused("portal.evidence.too_many", max=limits.max_files)
    row = Evidence(
        ask_id=access.ask_id,
        figure=figure,
        filename=checked.filename,
        kind=checked.kind.value,
        size=checked.size,
        sha256=checked.sha256,
        content=data,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session,
        portal_actor(session),
        AuditAction.CREATE,
        "evidence",
        row.id,
        new={
            "figure": figure,
            "filename": checked.filename,
            "kind": checked.kind.value,
            "size": checked.size,
            "sha256": checked.sha256,
        },
        context=f"data request #{access.request_id}: company",
    )
    session.commit()
    return row.id


def remove_evidence(
    session: Session, token: str | None, client: str | None, evidence_id: int
) -> None:
    """Remove one of this company's own evidence files (while its answer is open)."""
    access = resolve(session, token, client)
    begin_write(session)
    _editable(session, access)
    row = session.exec(
        select(Evidence).where(col(Evidence.id) == evidence_id, Evidence.ask_id == access.ask_id)
    ).first()
    if row is None or row.id is None:
        session.rollback()
        raise NotFound(entity="evidence", id=evidence_id)
    audit.record(
        session,
        portal_actor(session),
        AuditAction.DELETE,
        "evidence",
        row.id,
        old={"filename": row.filename, "sha256": row.sha256},
        context=f"data request #{access.request_id}: company",
    )
    session.delete(row)
    session.commit()
