"""Read side of the audit trail for people: audit rows with everything needed to say them in
words (the records' names looked up in bulk, a restatement's reason joined to its change).
Account events are for admins only; personal contact values are masked for analysts.
The sentences themselves are made by crm/ui/history.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm.kinds.spec import KindField, kind_fields
from crm.models import (
    Activity,
    AuditEntry,
    Company,
    ImportBatch,
    OutcomeReport,
    Programme,
    Role,
    SupportKind,
    User,
)
from crm.services.actor import Actor
from crm.services.companies import PERSONAL_FIELDS
from crm.services.company_views import mask_value
from crm.services.permissions import Permission, can

# Sign-ins, lock-outs, passwords, roles, sessions: what the accounts page is about.
ACCOUNT_ENTITIES = frozenset({"app_user", "user_session", "auth_session", "session"})
ACCOUNT_ACTIONS = frozenset(
    {"password", "login", "logout", "lock", "lockout", "unlock", "revoke", "sign_in", "sign_out"}
)
REFERENCE_FIELDS = {"company_id": "company", "programme_id": "programme", "officer_id": "user"}
RESTATEMENT_PREFIX = "restatement"
_IMPORT = re.compile(r"^import #(\d+) ")
_UNDO = re.compile(r"^undo import #(\d+)$")
_RESTATED_RECORD = re.compile(r"^(\w+) #(\d+) (\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Entry:
    """One audit row as stored (values already masked for the reader), plus the reason and
    periods of the restatement it belongs to, if any."""

    id: int
    at: datetime
    who: str
    actor_id: int
    action: str
    entity: str
    entity_id: int
    field: str | None
    old: str | None
    new: str | None
    context: str | None
    reason: str | None = None
    periods: tuple[tuple[int, int], ...] = ()
    by_system: bool = False  # the CLI's account: named in the reader's language


@dataclass(frozen=True)
class ActivityRef:
    company_id: int
    kind: str
    start_on: date


@dataclass(frozen=True)
class ReportRef:
    company_id: int
    year: int
    quarter: int


@dataclass
class Names:
    """What ids in the entries stand for, read once for the whole list."""

    companies: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    programmes: dict[int, str] = field(default_factory=dict)
    kinds: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Every kind's declared fields by name (first kind in order wins): labels, choices, money.
    kind_fields: dict[str, KindField] = field(default_factory=dict)
    activities: dict[int, ActivityRef] = field(default_factory=dict)
    reports: dict[int, ReportRef] = field(default_factory=dict)
    imports: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class History:
    entries: list[Entry]
    names: Names


def is_account_event(entity: str, action: str) -> bool:
    return entity in ACCOUNT_ENTITIES or action in ACCOUNT_ACTIONS


def snapshot(text: str | None) -> dict[str, Any] | None:
    """A created (or deleted) record's values, stored as a JSON object; None otherwise."""
    if not text or not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def parse_period(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{4})-Q([1-4])", text.strip())
    return (int(match[1]), int(match[2])) if match else None


def restated_periods(context: str | None) -> tuple[tuple[int, int], ...]:
    """'restatement 2022-Q3, 2022-Q4' -> ((2022, 3), (2022, 4))."""
    if not context or not context.startswith(RESTATEMENT_PREFIX):
        return ()
    rest = context.removeprefix(RESTATEMENT_PREFIX)
    return tuple(p for p in (parse_period(part) for part in rest.split(",")) if p)


def import_id(context: str | None) -> int | None:
    """The import batch a change came from (or whose undo it is)."""
    if not context:
        return None
    match = _IMPORT.match(context + " ") or _UNDO.match(context)
    return int(match[1]) if match else None


def restated_record(context: str | None) -> tuple[str, int, tuple[int, int]] | None:
    """A restatement row's context: 'activity #423 2022-Q3' -> ('activity', 423, (2022, 3))."""
    match = _RESTATED_RECORD.match(context or "")
    if not match:
        return None
    return match[1], int(match[2]), (int(match[3]), int(match[4]))


_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    User.display_name,
    AuditEntry.actor_id,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.field,
    AuditEntry.old_value,
    AuditEntry.new_value,
    AuditEntry.context,
    User.is_system,
)


def _account_filter() -> sa.ColumnElement[bool]:
    return sa.and_(
        col(AuditEntry.entity).not_in(sorted(ACCOUNT_ENTITIES)),
        col(AuditEntry.action).not_in(sorted(ACCOUNT_ACTIONS)),
    )


def company_history(session: Session, actor: Actor, company_id: int, limit: int = 500) -> History:
    """The audit rows of a company, its activities and its outcome reports, newest first."""
    activity_ids = select(Activity.id).where(Activity.company_id == company_id)
    report_ids = select(OutcomeReport.id).where(OutcomeReport.company_id == company_id)
    query = (
        sa.select(*_COLUMNS)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(
            sa.or_(
                sa.and_(AuditEntry.entity == "company", AuditEntry.entity_id == company_id),
                sa.and_(
                    AuditEntry.entity == "activity", col(AuditEntry.entity_id).in_(activity_ids)
                ),
                sa.and_(
                    AuditEntry.entity == "outcome_report", col(AuditEntry.entity_id).in_(report_ids)
                ),
            )
        )
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    return _history(session, actor, session.execute(query).all())


def recent_history(session: Session, actor: Actor, limit: int = 12) -> History:
    """The latest changes anyone made; account events only for admins."""
    query = sa.select(*_COLUMNS).join(User, col(User.id) == AuditEntry.actor_id)
    if actor.role != Role.ADMIN:
        query = query.where(_account_filter())
    query = query.order_by(col(AuditEntry.id).desc()).limit(limit)
    return _history(session, actor, session.execute(query).all())


def _entry(r: Any, old: str | None, new: str | None) -> Entry:
    """An entry from a row of `_COLUMNS`, with its values as the reader may see them."""
    return Entry(
        id=r.id,
        at=r.at,
        who=r.display_name,
        by_system=bool(r.is_system),
        actor_id=r.actor_id,
        action=r.action,
        entity=r.entity,
        entity_id=r.entity_id,
        field=r.field,
        old=old,
        new=new,
        context=r.context,
        periods=restated_periods(r.context),
    )


def _history(session: Session, actor: Actor, rows: Iterable[Any]) -> History:
    masked = not can(actor.role, Permission.VIEW_PERSONAL_DATA)
    entries = []
    for r in rows:
        old, new = r.old_value, r.new_value
        if masked:
            old, new = mask(r.field, old), mask(r.field, new)
        entries.append(_entry(r, old, new))
    entries = _with_reasons(session, entries)
    return History(entries, lookup_names(session, entries))


def mask(field_name: str | None, value: str | None) -> str | None:
    """Personal contact values hidden from readers who may not see them (also in snapshots)."""
    if value is None:
        return None
    if field_name in PERSONAL_FIELDS:
        return mask_value(field_name, value)
    values = snapshot(value) if field_name is None else None
    if values is None:
        return value
    for name in PERSONAL_FIELDS:
        if values.get(name):
            values[name] = mask_value(name, values[name])
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def _with_reasons(session: Session, entries: list[Entry]) -> list[Entry]:
    """Join each restated change to its reason: the restatement row written right after it in
    the same transaction (action restate, entity restatement, context '<entity> #<id> <period>')."""
    restated = {
        e.id
        for e in entries
        if e.entity != "restatement" and (e.context or "").startswith(RESTATEMENT_PREFIX)
    }
    if not restated:
        return entries
    targets = {(e.entity, e.entity_id) for e in entries if e.id in restated}
    reason_rows = session.execute(
        sa.select(AuditEntry.id, AuditEntry.actor_id, AuditEntry.new_value, AuditEntry.context)
        .where(
            AuditEntry.action == "restate",
            AuditEntry.entity == "restatement",
            sa.or_(
                *(col(AuditEntry.context).like(f"{entity} #{rid} %") for entity, rid in targets)
            ),
        )
        .order_by(col(AuditEntry.id))
    ).all()
    found: dict[tuple[str, int], list[tuple[int, int, str, tuple[int, int]]]] = {}
    for rid, actor_id, reason, context in reason_rows:
        parsed = restated_record(context)
        if parsed:
            found.setdefault((parsed[0], parsed[1]), []).append(
                (rid, actor_id, reason or "", parsed[2])
            )
    out = []
    for e in entries:
        candidates = found.get((e.entity, e.entity_id), [])
        after = [c for c in candidates if c[0] > e.id and c[1] == e.actor_id]
        if e.id in restated and after:
            first = after[0]
            periods = e.periods or tuple(c[3] for c in after if c[2] == first[2])
            e = replace(e, reason=first[2], periods=tuple(dict.fromkeys(periods)))
        out.append(e)
    return out


def _ids(values: Iterable[Any]) -> set[int]:
    out = set()
    for v in values:
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return out


def lookup_names(session: Session, entries: list[Entry]) -> Names:
    """Every id the entries mention, read in one query per table."""
    refs: dict[str, list[Any]] = {"company": [], "programme": [], "user": []}
    by_entity: dict[str, set[int]] = {}
    for e in entries:
        by_entity.setdefault(e.entity, set()).add(e.entity_id)
        if e.field in REFERENCE_FIELDS:
            refs[REFERENCE_FIELDS[e.field]] += [e.old, e.new]
        for values in (snapshot(e.new), snapshot(e.old)):
            for name, kind in REFERENCE_FIELDS.items():
                if values and values.get(name) is not None:
                    refs[kind].append(values[name])
        record = restated_record(e.context) if e.entity == "restatement" else None
        if record:
            by_entity.setdefault(record[0], set()).add(record[1])
    names = Names()
    activity_ids = sorted(by_entity.get("activity", set()))
    if activity_ids:
        for aid, company_id, kind, start_on in session.execute(
            sa.select(Activity.id, Activity.company_id, Programme.kind, Activity.start_on)
            .join(Programme, col(Programme.id) == Activity.programme_id)
            .where(col(Activity.id).in_(activity_ids))
        ).all():
            names.activities[aid] = ActivityRef(company_id, kind, start_on)
    report_ids = sorted(by_entity.get("outcome_report", set()))
    if report_ids:
        for rid, company_id, year, quarter in session.execute(
            sa.select(
                OutcomeReport.id,
                OutcomeReport.company_id,
                OutcomeReport.year,
                OutcomeReport.quarter,
            ).where(col(OutcomeReport.id).in_(report_ids))
        ).all():
            names.reports[rid] = ReportRef(company_id, year, quarter)
    company_ids = (
        _ids(refs["company"])
        | by_entity.get("company", set())
        | {a.company_id for a in names.activities.values()}
        | {r.company_id for r in names.reports.values()}
    )
    names.companies = _names_of(session, Company.id, Company.name_ko, company_ids)
    programme_ids = _ids(refs["programme"]) | by_entity.get("programme", set())
    names.programmes = _names_of(session, Programme.id, Programme.name, programme_ids)
    user_ids = _ids(refs["user"]) | by_entity.get("app_user", set())
    names.users = _names_of(session, User.id, User.display_name, user_ids)
    kind_rows = session.execute(
        sa.select(
            SupportKind.code, SupportKind.name_ko, SupportKind.name_en, SupportKind.fields
        ).order_by(col(SupportKind.sort_order), col(SupportKind.code))
    ).all()
    names.kinds = {code: (ko, en) for code, ko, en, _ in kind_rows}
    for *_, fields in kind_rows:
        for declared in kind_fields(fields, include_retired=True):
            names.kind_fields.setdefault(declared.name, declared)
    batch_ids = {i for i in (import_id(e.context) for e in entries) if i is not None}
    names.imports = _names_of(session, ImportBatch.id, ImportBatch.filename, batch_ids)
    return names


def _names_of(session: Session, id_column: Any, name_column: Any, ids: set[int]) -> dict[int, str]:
    """id -> name for `ids` in one query (nothing to ask when there are none)."""
    if not ids:
        return {}
    rows = session.execute(sa.select(id_column, name_column).where(id_column.in_(ids))).all()
    return {int(i): str(name) for i, name in rows}


@dataclass(frozen=True)
class RestatedChanges:
    """What each restatement changed (or added), keyed by the restatement's id, and the names
    its entries mention."""

    changes: dict[int, list[Entry]]
    names: Names


def restated_changes(session: Session, restatement_ids: Iterable[int]) -> RestatedChanges:
    """The audited changes behind each restatement row: the record's restated changes (or its
    creation, for a record added after the close) written in the same transaction just before
    the restatement's own audit row. One restatement per closed quarter shares those changes."""
    wanted = set(restatement_ids)
    if not wanted:
        return RestatedChanges({}, Names())
    markers = session.execute(
        sa.select(AuditEntry.id, AuditEntry.entity_id, AuditEntry.context).where(
            AuditEntry.action == "restate",
            AuditEntry.entity == "restatement",
            col(AuditEntry.entity_id).in_(sorted(wanted)),
        )
    ).all()
    records = {parsed[:2] for _, _, c in markers if (parsed := restated_record(c))}
    if not records:
        return RestatedChanges({}, Names())
    # Every restatement of these records (of any year), to tell one correction from the next.
    all_markers = session.execute(
        sa.select(AuditEntry.id, AuditEntry.entity_id, AuditEntry.context).where(
            AuditEntry.action == "restate",
            AuditEntry.entity == "restatement",
            sa.or_(*(col(AuditEntry.context).like(f"{e} #{rid} %") for e, rid in records)),
        )
    ).all()
    rows = session.execute(
        sa.select(*_COLUMNS)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(
            col(AuditEntry.context).like(f"{RESTATEMENT_PREFIX}%"),
            sa.or_(
                *(
                    sa.and_(AuditEntry.entity == entity, AuditEntry.entity_id == rid)
                    for entity, rid in records
                )
            ),
        )
        .order_by(col(AuditEntry.id))
    ).all()
    events: dict[tuple[str, int], list[tuple[int, Entry | int]]] = {}
    for audit_id, restatement_id, context in all_markers:
        parsed = restated_record(context)
        if parsed and parsed[:2] in records:
            events.setdefault(parsed[:2], []).append((audit_id, restatement_id))
    for r in rows:
        events.setdefault((r.entity, r.entity_id), []).append(
            (r.id, _entry(r, r.old_value, r.new_value))
        )
    changes: dict[int, list[Entry]] = {}
    for sequence in events.values():
        # Changes, then one marker per closed quarter they restate; the next change starts anew.
        current: list[Entry] = []
        after_marker = False
        for _, event in sorted(sequence, key=lambda pair: pair[0]):
            if isinstance(event, Entry):
                if after_marker:
                    current, after_marker = [], False
                current.append(event)
            else:
                if event in wanted:
                    changes[event] = list(current)
                after_marker = True
    every = [e for own in changes.values() for e in own]
    return RestatedChanges(changes, lookup_names(session, every))


def record_names(session: Session, records: Iterable[tuple[str, int]]) -> Names:
    """The names for records named by (entity, id) alone (not through audit entries)."""
    entries = [
        Entry(
            id=0,
            at=datetime.min,
            who="",
            actor_id=0,
            action="",
            entity=entity,
            entity_id=entity_id,
            field=None,
            old=None,
            new=None,
            context=None,
        )
        for entity, entity_id in records
    ]
    return lookup_names(session, entries) if entries else Names()
