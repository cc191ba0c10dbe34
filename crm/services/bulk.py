"""Bulk forms of the services' writes, for many rows at once (the importer, quick entry).

Each row is checked by the same rules its single form uses (crm/services/companies.py,
stages.py, activities.py, outcomes.py, crm/validation.py); the rows are written with
executemany through SQLAlchemy Core (new rows) or one ORM flush (changed rows, so the version
check still applies), and every row gets the audit entries its single form writes
(audit.entry_row). Nothing here commits: the caller's transaction holds the whole batch, so it
is saved whole or not at all. A batch with any invalid row raises BatchError (errors per row,
numbered from 1) before anything is written.

One difference from the single forms, kept on purpose: a created company's first stage is
recorded inside its one "create" entry ("stage", "stage_since"), where add_company writes it
as a second entry; the company page and import undo read both forms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from crm.errors import ConflictError, FieldError
from crm.models import (
    Activity,
    ActivityStatus,
    AuditAction,
    AuditEntry,
    Company,
    OutcomeReport,
    Stage,
    StageEntry,
    utcnow,
)
from crm.quarters import Quarter
from crm.services import audit
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.activities import (
    BatchError,
    BatchRowError,
    NewActivity,
    check_new_activity,
    validate_changes,
    with_defaults,
)
from crm.services.actor import Actor
from crm.services.closing import check_open, closed_quarters
from crm.services.companies import PROFILE_FIELDS, PROFILE_RULES, NewCompany, ProfileRule
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.stages import current_stage_subquery, move_rules
from crm.validation import Checker

Checked = tuple[dict[str, Any], list[FieldError]]
CHUNK = 500  # ids per IN (...) when loading the rows a batch refers to


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ClosedQuarters:
    """check_open, asked only for the quarters that are closed (loaded once per batch), so a
    batch does not query once per row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.closed = closed_quarters(session)

    def check(
        self,
        check: Checker,
        field_name: str,
        *,
        day: date | None = None,
        year: int | None = None,
        quarter: int | None = None,
    ) -> None:
        key = (day.year, Quarter.of(day).number) if day is not None else (year, quarter)
        if key in self.closed:
            check_open(check, self.session, field_name, day=day, year=year, quarter=quarter)


def raise_row_errors(checked: Sequence[Checked]) -> None:
    """BatchError listing every row (numbered from 1) that has errors; nothing if none has."""
    failures = [BatchRowError(i, errors) for i, (_, errors) in enumerate(checked, 1) if errors]
    if failures:
        raise BatchError(failures)


def reserve_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """`count` unused ids of `table`, so that new rows are inserted with their ids in one
    executemany, and the rows that refer to them written without reading anything back
    (RETURNING in the rows' order makes SQLAlchemy insert one row per statement on SQLite).

    SQLite: the write transaction (BEGIN IMMEDIATE, begin_authorised_write) holds the
    database's write lock until commit, so no one else inserts in between; the ids continue
    after both the highest id and sqlite_sequence (an AUTOINCREMENT table never reuses the id
    of a deleted row). PostgreSQL: taken from the column's own sequence, as generated ids are."""
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        used = connection.exec_driver_sql(
            "SELECT max(seq) FROM sqlite_sequence WHERE name = ?", (table.name,)
        ).scalar()
        top = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
        start = max(used or 0, top or 0) + 1
        return list(range(start, start + count))
    rows = connection.execute(
        sa.text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
        ),
        {"table": table.name, "count": count},
    )
    return sorted(row[0] for row in rows)


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` (one executemany) with reserved ids; returns their ids in the rows' order."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    ids = reserve_ids(session, table, len(rows))
    session.execute(sa.insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def insert_audit(session: Session, entries: list[dict[str, Any]]) -> None:
    """The batch's audit entries (audit.entry_row each), in one executemany."""
    if entries:
        session.execute(sa.insert(AuditEntry.__table__), entries)  # type: ignore[attr-defined]


def _versioned(now: datetime) -> dict[str, Any]:
    """The columns every new versioned row starts with."""
    return {"version": 1, "created_at": now, "updated_at": now}


def save_changes(
    session: Session,
    actor: Actor,
    entity: str,
    changed: list[tuple[Any, dict[str, Any]]],
    context: str | None,
    now: datetime,
) -> None:
    """editing.apply_changes for many rows: each row's changed fields saved with its version
    moved on, in one executemany per set of changed fields, only where the row is still at the
    version it was read at (else ConflictError, as a stale single save); then one "update"
    entry per changed field."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    entries: list[dict[str, Any]] = []
    for obj, changes in changed:
        diff = {
            name: (getattr(obj, name), value)
            for name, value in changes.items()
            if audit.to_text(getattr(obj, name)) != audit.to_text(value)
        }
        if not diff:
            continue
        version = obj.version + 1
        params = {f"new_{name}": new for name, (_, new) in diff.items()}
        groups.setdefault(tuple(diff), []).append(
            {"row_id": obj.id, "read_version": obj.version, "new_version": version, **params}
        )
        entries += [
            audit.entry_row(
                actor,
                AuditAction.UPDATE,
                entity,
                obj.id,
                version=version,
                field=name,
                old=old,
                new=new,
                context=context,
                at=now,
            )
            for name, (old, new) in diff.items()
        ]
        session.expire(obj)  # read again when next used
    if not groups:
        return
    table = type(changed[0][0]).__table__
    for names, rows in groups.items():
        statement = (
            sa.update(table)
            .where(
                table.c.id == sa.bindparam("row_id"),
                table.c.version == sa.bindparam("read_version"),
            )
            .values(
                {name: sa.bindparam(f"new_{name}") for name in names}
                | {"version": sa.bindparam("new_version"), "updated_at": now}
            )
        )
        result = session.connection().execute(statement, rows)
        if result.rowcount != len(rows):  # someone saved one of them since it was read
            session.rollback()
            raise ConflictError([])
    insert_audit(session, entries)


def _load(session: Session, model: type[Any], ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    out: dict[int, Any] = {}
    for part in chunks(wanted):
        for row in session.exec(select(model).where(col(model.id).in_(part))).all():
            out[row.id] = row
    return out


# companies ---------------------------------------------------------------------------------------


_ANSWERS = "crm.bulk.rule_answers"  # the key of the answers in Session.info
Answers = dict[tuple[str, type, Any], tuple[Any, list[FieldError]]]


def _transaction_answers(session: Session) -> Answers:
    """The rule answers kept for the session's current transaction. An import checks its rows
    for the preview and again in the bulk write, in one transaction: the second check finds
    every value answered. A new transaction starts afresh (an officer may have been
    deactivated since)."""
    transaction = session.get_transaction()
    if transaction is None:
        return {}
    kept = session.info.get(_ANSWERS)
    if kept is None or kept[0] is not transaction:
        kept = session.info[_ANSWERS] = (transaction, {})
    answers: Answers = kept[1]
    return answers


class _RuleAnswers:
    """Each rule's answer (clean value, errors) for a value, worked out once per distinct value
    (industries, dates, officers and stages repeat down a file) and transaction: the rule
    itself answers."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.answers = _transaction_answers(session)

    def __call__(self, name: str, rule: ProfileRule, value: Any) -> tuple[Any, list[FieldError]]:
        key = (name, type(value), value)  # True, 1 and 1.0 are equal keys, checked differently
        try:
            return self.answers[key]
        except KeyError:
            pass
        except TypeError:  # unhashable: not kept
            return self.ask(rule, value)
        answer = self.answers[key] = self.ask(rule, value)
        return answer

    def ask(self, rule: ProfileRule, value: Any) -> tuple[Any, list[FieldError]]:
        check = Checker()
        clean = rule(self.session, check, value)
        return clean, check.errors


def brn_owners(session: Session, brns: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(id, name) of the company holding each of `brns` that one holds."""
    wanted = sorted({b for b in brns if b})
    out: dict[str, tuple[int, str]] = {}
    for part in chunks(wanted):
        rows = session.exec(
            select(Company.brn, Company.id, Company.name_ko).where(col(Company.brn).in_(part))
        ).all()
        out.update({brn: (cid, name) for brn, cid, name in rows if brn and cid})
    return out


def check_new_companies(session: Session, rows: Sequence[NewCompany]) -> list[Checked]:
    """add_company's checks for each row: the same errors in the same order, and the clean
    profile plus "stage" and "stage_since". A registration number is refused when a stored
    company or an earlier valid row of the batch has it."""
    answer = _RuleAnswers(session)
    stage_rules = company_service.NEW_STAGE_RULES
    firsts: list[tuple[dict[str, Any], list[FieldError]]] = []
    for new in rows:
        clean: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, rule in (*PROFILE_RULES.items(), *stage_rules.items()):
            value, found = answer(name, rule, getattr(new, name))
            clean[name] = value
            if found:
                errors += found
        firsts.append((clean, errors))
    owners = {
        b: name for b, (_, name) in brn_owners(session, (c["brn"] for c, _ in firsts)).items()
    }
    out: list[Checked] = []
    for new, (clean, errors) in zip(rows, firsts, strict=True):
        check = Checker()
        check.errors = errors
        brn = clean["brn"]
        company_service.new_company_rules(
            check, clean, clean["stage"], new.founded_on, owners.get(brn) if brn else None
        )
        if brn and not check.errors:
            owners[brn] = clean["name_ko"]
        out.append((clean, check.errors))
    return out


def add_companies(
    session: Session, actor: Actor, rows: Sequence[NewCompany], *, context: str | None = None
) -> list[int]:
    """add_company for many rows: checked (BatchError if any row is refused), then each
    company, its first stage entry and one "create" entry holding its profile and stage.
    Returns the new ids in the rows' order; the caller commits."""
    begin_authorised_write(session, actor, Permission.EDIT_COMPANIES)
    checked = check_new_companies(session, rows)
    raise_row_errors(checked)
    now = utcnow()
    cleans = [clean for clean, _ in checked]
    ids = _insert(
        session,
        Company,
        [
            {**{f: c[f] for f in PROFILE_FIELDS}, "archived": False, **_versioned(now)}
            for c in cleans
        ],
    )
    _insert(
        session,
        StageEntry,
        [
            {
                "company_id": company_id,
                "stage": c["stage"],
                "entered_on": c["stage_since"],
                "reason": None,
                "recorded_by_id": actor.id,
                "recorded_at": now,
            }
            for company_id, c in zip(ids, cleans, strict=True)
        ],
    )
    insert_audit(
        session,
        [
            audit.entry_row(
                actor,
                AuditAction.CREATE,
                "company",
                company_id,
                version=1,
                new={k: audit.to_text(v) for k, v in c.items()},
                context=context,
                at=now,
            )
            for company_id, c in zip(ids, cleans, strict=True)
        ],
    )
    return ids


@dataclass(frozen=True)
class CompanyUpdate:
    """Changes to one company's profile, and a stage it moves to on a day (no reason given:
    moving back is refused, as change_stage refuses it without one)."""

    company_id: int
    changes: dict[str, Any] = field(default_factory=dict)
    stage: tuple[Stage, date] | None = None


def check_company_update(
    session: Session,
    company: Company,
    last: tuple[str, date],
    update: CompanyUpdate,
    *,
    taken_by: str | None,
    today: date,
) -> Checked:
    """update_company's checks on the changes and change_stage's on the move, for a company at
    stage `last` (stage, day); `taken_by`: the company that already has the registration
    number the changes give, if any. The move's date is reported as "stage_since"."""
    check = Checker()
    clean = company_service.validate_profile(session, check, update.changes, partial=True)
    if check.errors:
        return clean, check.errors
    stage_after = last[0]
    if update.stage is not None:
        target, day = update.stage
        founded = clean.get("founded_on") or company.founded_on
        move_rules(
            check,
            company,
            (Stage(last[0]), last[1]),
            target,
            day,
            why=None,
            founded=founded,
            today=today,
            day_field="stage_since",
        )
        stage_after = target.value
    if clean:
        company_service.changed_profile_rules(check, company, clean, stage_after, taken_by)
    unique: list[FieldError] = []
    for error in check.errors:  # both rules refuse an archived company
        if error not in unique:
            unique.append(error)
    return clean, unique


def last_stages(session: Session, company_ids: Iterable[int]) -> dict[int, tuple[str, date]]:
    """Each company's current (stage, day)."""
    current = current_stage_subquery()
    out: dict[int, tuple[str, date]] = {}
    for part in chunks(sorted(set(company_ids))):
        rows = session.execute(
            select(current.c.company_id, current.c.stage, current.c.entered_on).where(
                current.c.company_id.in_(part)
            )
        ).all()
        out.update({cid: (stage, day) for cid, stage, day in rows})
    return out


def _stored_brn(session: Session, value: Any) -> str:
    """A registration number as stored ("" when none or not one)."""
    return PROFILE_RULES["brn"](session, Checker(), value) or "" if value else ""


def update_companies(
    session: Session,
    actor: Actor,
    updates: Sequence[CompanyUpdate],
    *,
    context: str | None = None,
    today: date | None = None,
) -> None:
    """update_company (and change_stage for a move) for many companies: checked (BatchError if
    any is refused), then the stage entries with their audit entries, and the changed fields
    in one flush with an "update" entry each. The caller commits."""
    begin_authorised_write(session, actor, Permission.EDIT_COMPANIES)
    ids = [u.company_id for u in updates]
    companies = _load(session, Company, ids)
    lasts = last_stages(session, ids)
    owners = brn_owners(session, (_stored_brn(session, u.changes.get("brn")) for u in updates))
    checked: list[Checked] = []
    for update in updates:
        company = companies.get(update.company_id)
        if company is None or update.company_id not in lasts:
            missing = {"entity": "company", "id": update.company_id}
            checked.append(({}, [FieldError("company", "error.not_found", missing)]))
            continue
        brn = _stored_brn(session, update.changes.get("brn"))
        owner = owners.get(brn) if brn else None
        checked.append(
            check_company_update(
                session,
                company,
                lasts[update.company_id],
                update,
                taken_by=owner[1] if owner and owner[0] != company.id else None,
                today=today or date.today(),
            )
        )
    raise_row_errors(checked)
    now = utcnow()
    moves = [(u.company_id, u.stage) for u in updates if u.stage is not None]
    _insert(
        session,
        StageEntry,
        [
            {
                "company_id": cid,
                "stage": stage.value,
                "entered_on": day,
                "reason": None,
                "recorded_by_id": actor.id,
                "recorded_at": now,
            }
            for cid, (stage, day) in moves
        ],
    )
    insert_audit(
        session,
        [
            audit.entry_row(
                actor,
                AuditAction.STAGE_CHANGE,
                "company",
                cid,
                field="stage",
                new=audit.stage_move_text(stage.value, day),
                context=context,
                at=now,
            )
            for cid, (stage, day) in moves
        ],
    )
    changed = [
        (companies[u.company_id], clean)
        for u, (clean, _) in zip(updates, checked, strict=True)
        if clean
    ]
    save_changes(session, actor, "company", changed, context, now)


# activities --------------------------------------------------------------------------------------


def check_new_activities(
    session: Session,
    rows: Sequence[NewActivity],
    *,
    archived: dict[int, bool],
    closed: ClosedQuarters,
    restating: bool = False,
) -> list[Checked]:
    """add_activity's checks for each row (`archived`: each existing company's state; a
    company id not in it does not exist)."""
    return [
        check_new_activity_row(session, new, archived.get(new.company_id), closed, restating)
        for new in rows
    ]


def check_new_activity_row(
    session: Session,
    new: NewActivity,
    archived: bool | None,
    closed: ClosedQuarters,
    restating: bool = False,
) -> Checked:
    """add_activity's checks for one row (`archived`: its company's state, None if there is
    no such company; a company the same batch creates is not archived)."""
    check = Checker()
    clean = check_new_activity(session, check, new, archived)
    if not restating and clean.get("start_on"):
        closed.check(check, "start_on", day=clean["start_on"])
    return clean, check.errors


def company_states(session: Session, company_ids: Iterable[int]) -> dict[int, bool]:
    """Whether each existing company of `company_ids` is archived."""
    out: dict[int, bool] = {}
    for part in chunks(sorted(set(company_ids))):
        rows = session.exec(
            select(Company.id, Company.archived).where(col(Company.id).in_(part))
        ).all()
        out.update({cid: archived for cid, archived in rows if cid is not None})
    return out


def add_activities(
    session: Session,
    actor: Actor,
    rows: Sequence[NewActivity],
    *,
    context: str | None = None,
    restating: bool = False,
) -> list[int]:
    """add_activity for many rows: checked (BatchError if any row is refused), then written
    with one "create" entry each. Returns the new ids in the rows' order; the caller commits."""
    begin_authorised_write(session, actor, Permission.EDIT_ACTIVITIES)
    checked = check_new_activities(
        session,
        rows,
        archived=company_states(session, (r.company_id for r in rows)),
        closed=ClosedQuarters(session),
        restating=restating,
    )
    raise_row_errors(checked)
    now = utcnow()
    stored = [
        {"company_id": new.company_id, **with_defaults(clean, actor)}
        for new, (clean, _) in zip(rows, checked, strict=True)
    ]
    ids = _insert(session, Activity, [{**s, **_versioned(now)} for s in stored])
    insert_audit(
        session,
        [
            audit.entry_row(
                actor,
                AuditAction.CREATE,
                "activity",
                activity_id,
                version=1,
                new=s,
                context=context,
                at=now,
            )
            for activity_id, s in zip(ids, stored, strict=True)
        ],
    )
    return ids


def check_activity_changes(
    session: Session, activity: Activity, changes: dict[str, Any], closed: ClosedQuarters
) -> Checked:
    """update_activity's checks."""
    check = Checker()
    if activity.status == ActivityStatus.CANCELLED:
        check.fail("status", "error.activity_cancelled")
        return {}, check.errors
    clean = validate_changes(session, check, changes, partial=True, current=activity)
    closed.check(check, "start_on", day=activity.start_on)
    if clean.get("start_on"):
        closed.check(check, "start_on", day=clean["start_on"])
    return clean, check.errors


def update_activities(
    session: Session,
    actor: Actor,
    updates: Sequence[tuple[int, dict[str, Any]]],
    *,
    context: str | None = None,
) -> None:
    """update_activity for many (activity id, changes): checked (BatchError if any is
    refused), then saved in one flush with an "update" entry per changed field."""
    begin_authorised_write(session, actor, Permission.EDIT_ACTIVITIES)
    activities = _load(session, Activity, (i for i, _ in updates))
    closed = ClosedQuarters(session)
    checked = [
        check_activity_changes(session, activities[i], changes, closed)
        if i in activities
        else ({}, [FieldError("activity", "error.not_found", {"entity": "activity", "id": i})])
        for i, changes in updates
    ]
    raise_row_errors(checked)
    changed = [(activities[i], clean) for (i, _), (clean, _) in zip(updates, checked, strict=True)]
    save_changes(session, actor, "activity", changed, context, utcnow())


# outcome reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOutcomeReport:
    company_id: int
    year: int | None
    quarter: int | None
    figures: dict[str, Any]


def check_new_outcome(
    new: NewOutcomeReport, closed: ClosedQuarters, taken: set[tuple[int, int]] | None
) -> Checked:
    """add_outcome_report's checks (`taken`: the (year, quarter) of the company's reports;
    None if there is no such company)."""
    check = Checker()
    year = check.integer("year", new.year, required=True, minimum=2000, maximum=2100)
    quarter = check.integer("quarter", new.quarter, required=True, minimum=1, maximum=4)
    clean = outcome_service.validate_figures(check, new.figures, partial=False)
    outcome_service.cross_checks(check, clean)
    if taken is None:
        check.fail("company_id", "error.not_found", entity="company", id=new.company_id)
    elif year and quarter:
        if (year, quarter) in taken:
            check.fail("quarter", "error.outcome_duplicate")
        closed.check(check, "quarter", year=year, quarter=quarter)
    return {"company_id": new.company_id, "year": year, "quarter": quarter, **clean}, check.errors


def add_outcome_reports(
    session: Session,
    actor: Actor,
    rows: Sequence[NewOutcomeReport],
    *,
    context: str | None = None,
) -> list[int]:
    """add_outcome_report for many rows: checked (BatchError if any row is refused, a second
    report for a company's quarter too), then written with one "create" entry each."""
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    company_ids = {r.company_id for r in rows}
    taken: dict[int, set[tuple[int, int]]] = {
        cid: set() for cid in company_states(session, company_ids)
    }
    for part in chunks(sorted(company_ids)):
        for cid, year, quarter in session.exec(
            select(OutcomeReport.company_id, OutcomeReport.year, OutcomeReport.quarter).where(
                col(OutcomeReport.company_id).in_(part)
            )
        ).all():
            taken[cid].add((year, quarter))
    closed = ClosedQuarters(session)
    checked: list[Checked] = []
    for new in rows:
        clean, errors = check_new_outcome(new, closed, taken.get(new.company_id))
        if not errors:
            taken[new.company_id].add((clean["year"], clean["quarter"]))
        checked.append((clean, errors))
    raise_row_errors(checked)
    now = utcnow()
    cleans = [clean for clean, _ in checked]
    ids = _insert(
        session,
        OutcomeReport,
        [{"notes": None, **c, **_versioned(now)} for c in cleans],
    )
    insert_audit(
        session,
        [
            audit.entry_row(
                actor,
                AuditAction.CREATE,
                "outcome_report",
                report_id,
                version=1,
                new=c,
                context=context,
                at=now,
            )
            for report_id, c in zip(ids, cleans, strict=True)
        ],
    )
    return ids


def check_outcome_changes(
    report: OutcomeReport, changes: dict[str, Any], closed: ClosedQuarters
) -> Checked:
    """update_outcome_report's checks."""
    check = Checker()
    clean = outcome_service.validate_figures(check, changes, partial=True)
    merged = {f: clean.get(f, getattr(report, f)) for f in outcome_service.FIGURE_FIELDS}
    outcome_service.cross_checks(check, merged)
    closed.check(check, "quarter", year=report.year, quarter=report.quarter)
    return clean, check.errors


def update_outcome_reports(
    session: Session,
    actor: Actor,
    updates: Sequence[tuple[int, dict[str, Any]]],
    *,
    context: str | None = None,
) -> None:
    """update_outcome_report for many (report id, changes), as update_activities does."""
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    reports = _load(session, OutcomeReport, (i for i, _ in updates))
    closed = ClosedQuarters(session)
    checked = [
        check_outcome_changes(reports[i], changes, closed)
        if i in reports
        else (
            {},
            [
                FieldError(
                    "outcome_report", "error.not_found", {"entity": "outcome_report", "id": i}
                )
            ],
        )
        for i, changes in updates
    ]
    raise_row_errors(checked)
    changed = [(reports[i], clean) for (i, _), (clean, _) in zip(updates, checked, strict=True)]
    save_changes(session, actor, "outcome_report", changed, context, utcnow())
