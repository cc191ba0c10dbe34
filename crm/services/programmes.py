"""The support-programme catalogue: one row per programme and year, with budget and target."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from crm.errors import Clash, ConflictError, NotFound
from crm.models import AuditAction, Cohort, Programme, SupportKind
from crm.services import audit
from crm.services.actor import Actor
from crm.services.editing import apply_changes, check_stale, flush_or_conflict
from crm.services.permissions import Permission, begin_authorised_write
from crm.validation import MAX_KRW, Checker


def _validate(session: Session, check: Checker, data: dict[str, Any], partial: bool) -> dict:
    rules: dict[str, Any] = {
        "name": lambda v: check.text("name", v, required=True, max_len=200),
        "year": lambda v: check.integer("year", v, required=True, minimum=2000, maximum=2100),
        "kind": lambda v: _kind(session, check, v),
        "budget_krw": lambda v: check.integer("budget_krw", v, required=True, maximum=MAX_KRW),
        "target_companies": lambda v: check.integer(
            "target_companies", v, required=True, maximum=1_000_000
        ),
    }
    for field in sorted(set(data) - set(rules)):
        check.fail(field, "error.unknown_field")
    return {f: rule(data.get(f)) for f, rule in rules.items() if f in data or not partial}


def _kind(session: Session, check: Checker, value: Any) -> str | None:
    code = check.text("kind", value, required=True, max_len=32)
    if code is not None and session.get(SupportKind, code) is None:
        check.fail("kind", "error.kind_unknown")
        return None
    return code


def _check_unique(
    session: Session, check: Checker, name: str | None, year: int | None, exclude: int | None
) -> None:
    if name is None or year is None:
        return
    other = session.exec(
        select(Programme).where(Programme.name == name, Programme.year == year)
    ).first()
    if other is not None and other.id != exclude:
        check.fail("name", "error.programme_duplicate")


def create_programme(
    session: Session,
    actor: Actor,
    *,
    name: str,
    year: int,
    kind: str,
    budget_krw: int,
    target_companies: int,
) -> Programme:
    begin_authorised_write(session, actor, Permission.EDIT_PROGRAMMES)
    check = Checker()
    clean = _validate(
        session,
        check,
        {
            "name": name,
            "year": year,
            "kind": kind,
            "budget_krw": budget_krw,
            "target_companies": target_companies,
        },
        partial=False,
    )
    _check_unique(session, check, clean.get("name"), clean.get("year"), None)
    check.raise_if_errors()
    programme = Programme(**clean)
    session.add(programme)
    session.flush()
    assert programme.id is not None
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "programme",
        programme.id,
        version=programme.version,
        new=clean,
    )
    session.commit()
    return programme


def update_programme(
    session: Session, actor: Actor, programme_id: int, *, version: int, changes: dict[str, Any]
) -> Programme:
    begin_authorised_write(session, actor, Permission.EDIT_PROGRAMMES)
    programme = get_programme(session, programme_id)
    check = Checker()
    clean = _validate(session, check, changes, partial=True)
    if "name" in clean or "year" in clean:
        _check_unique(
            session,
            check,
            clean.get("name", programme.name),
            clean.get("year", programme.year),
            programme_id,
        )
    check.raise_if_errors()
    check_stale(session, programme, "programme", version, clean)
    apply_changes(session, actor, programme, "programme", clean)
    session.commit()
    return programme


def get_programme(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id, populate_existing=True)
    if programme is None:
        raise NotFound(entity="programme", id=programme_id)
    return programme


def list_programmes(session: Session, year: int | None = None) -> list[Programme]:
    query = select(Programme).order_by(
        col(Programme.year), col(Programme.kind), col(Programme.name)
    )
    if year is not None:
        query = query.where(Programme.year == year)
    return list(session.exec(query).all())


def _refuse_unseen_cohort(session: Session, cohort: Cohort, changes: dict[str, Any]) -> None:
    created = audit.history(session, "cohort", cohort.year)
    by, at = (created[-1][1], created[-1][0].at) if created else ("?", None)
    clashes = [
        Clash(field, getattr(cohort, field), value, by, at)
        for field, value in changes.items()
        if getattr(cohort, field) != value
    ]
    if clashes:
        raise ConflictError(clashes)


def set_cohort_target(
    session: Session,
    actor: Actor,
    *,
    year: int,
    target_companies: int,
    name: str | None = None,
    version: int | None = None,
) -> Cohort:
    """Create or change a programme year's headline target (managers). `version` is the cohort's
    version when the editor opened it (None: there was no cohort yet); a save over a newer one
    that another save changed the same fields of is refused with ConflictError."""
    begin_authorised_write(session, actor, Permission.EDIT_PROGRAMMES)
    check = Checker()
    y = check.integer("year", year, required=True, minimum=2000, maximum=2100)
    target = check.integer("target_companies", target_companies, required=True, maximum=1_000_000)
    label = check.text("name", name, max_len=200)
    check.raise_if_errors()
    assert y is not None and target is not None
    cohort = session.get(Cohort, y, populate_existing=True)
    if cohort is None:
        cohort = Cohort(year=y, name=label or f"{y}", target_companies=target)
        session.add(cohort)
        session.flush()
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            "cohort",
            y,
            version=cohort.version,
            new={"name": cohort.name, "target_companies": target},
        )
    else:
        changes: dict[str, Any] = {"target_companies": target}
        if label:
            changes["name"] = label
        if version is None:  # created by someone else since the editor saw no cohort
            _refuse_unseen_cohort(session, cohort, changes)
        else:
            check_stale(session, cohort, "cohort", version, changes)
        diff = {k: (getattr(cohort, k), v) for k, v in changes.items() if getattr(cohort, k) != v}
        for key, (_, value) in diff.items():
            setattr(cohort, key, value)
        session.add(cohort)
        flush_or_conflict(session)
        audit.record_changes(session, actor, AuditAction.UPDATE, "cohort", y, cohort.version, diff)
    session.commit()
    return cohort


def get_cohort(session: Session, year: int) -> Cohort | None:
    return session.get(Cohort, year)
