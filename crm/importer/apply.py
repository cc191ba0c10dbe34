"""Apply a confirmed import: one transaction for the whole file (every row or none), an
ImportBatch row, and audit entries whose context names the import ("import #12 file.xlsx").

Updates and stage moves go through the services' own non-committing functions
(editing.apply_changes, stages.add_entry). New rows are checked by the services' validators
during planning (see validate.py) and then inserted in bulk (BulkInsert), with ids reserved up
front (reserve_ids) so that stage entries and audit entries are written without reading
anything back. They are the rows add_company / add_activity / add_outcome_report write, with
one difference in the audit trail: a created company gets one "create" entry whose snapshot
also holds its stage and stage date, where add_company writes that as a second entry
(company_snapshots). One flush per row made a 50,000-row file ~75x slower than a bulk insert,
and SQLAlchemy's per-row parameter handling still ~6x (benchmarks/import_rows.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from json.encoder import encode_basestring
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session

from crm.i18n import t
from crm.importer.errors import ImportHasErrors
from crm.importer.gcpause import gc_paused
from crm.importer.model import (
    ImportOptions,
    ImportPreview,
    ImportResult,
    RowStatus,
    SourceTable,
)
from crm.importer.preview import (
    ActivityNewPlan,
    ActivityUpdatePlan,
    CompanyUpdatePlan,
    NewCompanyPlan,
    OutcomeNewPlan,
    OutcomeUpdatePlan,
    plan_import,
)
from crm.models import (
    Activity,
    ActivityStatus,
    AuditAction,
    AuditEntry,
    Company,
    ImportBatch,
    OutcomeReport,
    StageEntry,
    utcnow,
)
from crm.services import audit, stages
from crm.services.actor import Actor
from crm.services.companies import PROFILE_FIELDS
from crm.services.editing import apply_changes
from crm.services.permissions import Permission, begin_authorised_write

Progress = Callable[[float, str], None]
WRITE_CHUNK = 2000
CONTEXT_MAX = 200
_ADVISORY_LOCK_KEY = 7_020_007  # PostgreSQL: one import at a time, so two cannot both create X
_CREATE = AuditAction.CREATE.value
Columns = dict[str, list[Any]]


def batch_context(batch_id: int, filename: str) -> str:
    """The audit context of every change an import makes (how undo finds them)."""
    return f"import #{batch_id} {filename}"[:CONTEXT_MAX]


def _no_progress(fraction: float, message: str) -> None:
    return None


def reserve_ids(connection: Connection, table: sa.Table, count: int) -> list[int]:
    """`count` unused ids of `table`, so its new rows can be inserted with their ids and the
    rows that refer to them written without reading anything back.

    SQLite: the import has written its ImportBatch row, so its connection holds the database's
    write lock until commit and no one else can insert in between; the ids continue after both
    the highest id and sqlite_sequence (an AUTOINCREMENT table never reuses the id of a deleted
    row, and an explicit id moves sqlite_sequence on as a generated one would). PostgreSQL:
    taken from the column's own sequence (nextval), as generated ids would be."""
    if count == 0:
        return []
    if connection.dialect.name == "sqlite":
        used = connection.exec_driver_sql(
            "SELECT max(seq) FROM sqlite_sequence WHERE name = ?", (table.name,)
        ).scalar()
        top = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
        start = max(used or 0, top or 0) + 1
        return list(range(start, start + count))
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        )
        return sorted(row[0] for row in rows)
    raise NotImplementedError(f"reserving ids on {connection.dialect.name}")


def _processed(values: list[Any], process: Callable[[Any], Any] | None) -> list[Any]:
    """A column's values as the column type's bind processor hands them to the driver (None
    included: a JSON column stores it as JSON null), each distinct value processed once (dates
    and flags repeat down a column)."""
    if process is None:
        return values
    seen: dict[tuple[type, Any], Any] = {}
    out = []
    for value in values:
        key = (type(value), value)  # True, 1 and 1.0 are equal keys but may process differently
        try:
            out.append(seen[key])
        except KeyError:
            seen[key] = done = process(value)
            out.append(done)
        except TypeError:  # unhashable (a JSON column's dict)
            out.append(process(value))
    return out


# A created company's audit snapshot: its keys in the order json.dumps(sort_keys=True) writes them.
SNAPSHOT_KEYS = tuple(sorted((*PROFILE_FIELDS, "stage", "stage_since")))
_SNAPSHOT = "{" + ", ".join(f"{encode_basestring(k)}: %s" for k in SNAPSHOT_KEYS) + "}"


def _json_texts(values: list[Any]) -> list[str]:
    """Each value's audit text (audit.to_text) as json.dumps(ensure_ascii=False) writes it
    inside an object: "null", or the text as a JSON string (other values than text, such as
    dates and years, repeat down a column: each distinct one is converted once)."""
    seen: dict[Any, str] = {}
    out = []
    for value in values:
        if type(value) is str:
            out.append(encode_basestring(value))
        elif value is None:
            out.append("null")
        else:
            key = (type(value), value)
            try:
                text = seen[key]
            except KeyError:
                text = seen[key] = encode_basestring(audit.to_text(value))
            except TypeError:  # unhashable
                text = encode_basestring(audit.to_text(value))
            out.append(text)
    return out


def company_snapshots(plans: list[NewCompanyPlan]) -> list[str]:
    """The audit text of each company an import creates: add_company's snapshot (every profile
    field as audit text) plus "stage" and "stage_since", which add_company records in a second
    entry (stage_change). One entry per company instead of two keeps a large import's writes
    down; the company page shows the stage among the created values, and undo removes a created
    company's stage entries together with it whichever way its stage was recorded.

    The same text as audit.to_text(snapshot) (json.dumps, sorted keys), written column by
    column into a template instead of one dumps per company."""
    columns = {name: [plan.clean[name] for plan in plans] for name in PROFILE_FIELDS}
    columns["stage"] = [plan.stage for plan in plans]
    columns["stage_since"] = [plan.since for plan in plans]
    texts = [_json_texts(columns[name]) for name in SNAPSHOT_KEYS]
    return [_SNAPSHOT % row for row in zip(*texts, strict=True)]


@dataclass(frozen=True)
class _Statement:
    """A compiled single-row INSERT split into "INSERT INTO t (...) VALUES " and "(?, ..., ?)",
    with each parameter's column name and bind processor, in parameter order."""

    head: str
    group: str
    columns: list[tuple[str, Callable[[Any], Any] | None]]
    rows_per_statement: int

    def sql(self, rows: int) -> str:
        return self.head + ", ".join([self.group] * rows)


class BulkInsert:
    """INSERTs of many rows on the session's connection, in SQLAlchemy Core.

    SQLite: the INSERT is compiled by SQLAlchemy once per table and column set; each column's
    values go through that column type's own bind processor (dates and times stored exactly as
    an ORM insert stores them, each distinct value processed once), and the rows reach the
    driver as plain parameters of multi-row INSERTs (VALUES (...), (...), ...), several hundred
    rows per statement. SQLAlchemy's per-row parameter handling, and SQLite's per-statement
    work in an executemany, cost more than inserting the rows did.
    PostgreSQL: an ordinary executemany of insert(table), which SQLAlchemy itself sends as
    multi-row INSERTs ("insertmanyvalues")."""

    MAX_ROWS_PER_STATEMENT = 500

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.sqlite = self.dialect.name == "sqlite"
        self.statements: dict[tuple[str, frozenset[str]], _Statement] = {}

    def statement(self, table: sa.Table, names: frozenset[str]) -> _Statement:
        key = (table.name, names)
        if key not in self.statements:
            compiled = sa.insert(table).compile(dialect=self.dialect, column_keys=sorted(names))
            order = list(compiled.positiontup or [])
            if set(order) != names or len(order) != len(names):
                # a column left out would get its default from SQLAlchemy, not from here
                raise ValueError(f"insert into {table.name}: parameters {order} != {sorted(names)}")
            group = "(" + ", ".join(["?"] * len(order)) + ")"
            if not compiled.string.endswith(" VALUES " + group):
                raise ValueError(f"unexpected INSERT for {table.name}: {compiled.string}")
            limit = self.connection.connection.driver_connection.getlimit(  # type: ignore[union-attr]
                sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
            )
            self.statements[key] = _Statement(
                head=compiled.string[: -len(group)],
                group=group,
                columns=[
                    (n, table.c[n].type.dialect_impl(self.dialect).bind_processor(self.dialect))
                    for n in order
                ],
                rows_per_statement=max(1, min(limit // len(order), self.MAX_ROWS_PER_STATEMENT)),
            )
        return self.statements[key]

    def insert(self, table: sa.Table, columns: Columns, constants: dict[str, Any]) -> None:
        """Rows given column by column (`columns`, equal lengths) plus `constants` shared by
        every row. A column with a default must be given (the default is not applied here)."""
        count = len(next(iter(columns.values())))
        if count == 0:
            return
        if not self.sqlite:
            names = [*columns, *constants]
            shared = tuple(constants.values())
            rows = [
                dict(zip(names, (*values, *shared), strict=True))
                for values in zip(*columns.values(), strict=True)
            ]
            self.connection.execute(sa.insert(table), rows)
            return
        statement = self.statement(table, frozenset(columns) | frozenset(constants))
        ordered: list[Any] = []
        for name, process in statement.columns:
            if name in constants:
                value = constants[name]
                ordered.append(repeat(value if process is None else process(value), count))
            else:
                ordered.append(_processed(columns[name], process))
        rows = list(zip(*ordered, strict=True))
        size = statement.rows_per_statement
        full = statement.sql(size)
        for start in range(0, count, size):
            part = rows[start : start + size]
            sql = full if len(part) == size else statement.sql(len(part))
            self.connection.exec_driver_sql(sql, tuple(chain.from_iterable(part)))


class Writer:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        context: str,
        progress: Progress,
        lang: str,
        total: int,
    ) -> None:
        self.session = session
        self.actor = actor
        self.context = context
        self.progress = progress
        self.lang = lang
        self.total = max(total, 1)
        self.done = 0
        self.now = utcnow()
        self.bulk = BulkInsert(session.connection())

    def advance(self, count: int) -> None:
        self.done += count
        fraction = 0.3 + 0.65 * min(self.done / self.total, 1.0)
        self.progress(
            fraction, t("importer.progress.writing", self.lang, done=self.done, total=self.total)
        )

    def insert_audit(self, entity: str, ids: list[int], snapshots: list[str | None]) -> None:
        """One "create" entry per new row: its version 1 and every value it was created with,
        as add_company / add_activity / add_outcome_report record them."""
        self.bulk.insert(
            AuditEntry.__table__,  # type: ignore[attr-defined]
            {"entity_id": ids, "new_value": snapshots},
            {
                "at": self.now,
                "actor_id": self.actor.id,
                "action": _CREATE,
                "entity": entity,
                "entity_version": 1,
                "field": None,
                "old_value": None,
                "context": self.context,
            },
        )

    def versioned(self) -> dict[str, Any]:
        """The columns every new versioned row starts with."""
        return {"version": 1, "created_at": self.now, "updated_at": self.now}

    def row_columns(
        self,
        table: sa.Table,
        cleans: list[dict[str, Any]],
        ids: list[int],
        optional: tuple[str, ...] = (),
    ) -> Columns:
        """The new rows' values column by column: every column of `table` but the versioned
        ones comes from each row's clean values; only `optional` ones may be left out (None)."""
        names = [c.name for c in table.columns if c.name not in ("id", *self.versioned())]
        columns: Columns = {
            f: [c.get(f) for c in cleans] if f in optional else [c[f] for c in cleans]
            for f in names
        }
        columns["id"] = ids
        return columns

    # creates (bulk) ------------------------------------------------------------------------------

    def create_companies(self, plans: list[NewCompanyPlan], count_rows: bool) -> dict[str, int]:
        """Companies with their first stage entry, as add_company writes them, and one audit
        entry per company recording every profile value and the stage it starts at (see
        company_snapshots)."""
        table = Company.__table__  # type: ignore[attr-defined]
        all_ids = reserve_ids(self.bulk.connection, table, len(plans))
        ids: dict[str, int] = {}
        for start in range(0, len(plans), WRITE_CHUNK):
            part = plans[start : start + WRITE_CHUNK]
            new_ids = all_ids[start : start + WRITE_CHUNK]
            cleans = [plan.clean for plan in part]
            columns: Columns = {f: [c[f] for c in cleans] for f in PROFILE_FIELDS}
            columns["id"] = new_ids
            self.bulk.insert(table, columns, {"archived": False, **self.versioned()})
            self.bulk.insert(
                StageEntry.__table__,  # type: ignore[attr-defined]
                {
                    "company_id": new_ids,
                    "stage": [plan.stage for plan in part],
                    "entered_on": [plan.since for plan in part],
                },
                {"reason": None, "recorded_by_id": self.actor.id, "recorded_at": self.now},
            )
            self.insert_audit("company", new_ids, company_snapshots(part))
            ids.update(zip((plan.key for plan in part), new_ids, strict=True))
            if count_rows:
                self.advance(len(part))
        return ids

    def create_activities(
        self, plans: list[ActivityNewPlan], new_companies: dict[str, int]
    ) -> None:
        """Activities as add_activity writes them (status and officer defaulted the same way)."""
        table = Activity.__table__  # type: ignore[attr-defined]
        all_ids = reserve_ids(self.bulk.connection, table, len(plans))
        for start in range(0, len(plans), WRITE_CHUNK):
            part = plans[start : start + WRITE_CHUNK]
            new_ids = all_ids[start : start + WRITE_CHUNK]
            cleans = []
            for plan in part:
                clean = dict(plan.clean)
                clean["status"] = clean.get("status") or ActivityStatus.COMPLETED.value
                clean["officer_id"] = clean.get("officer_id") or self.actor.id
                company_id = (
                    plan.company_id
                    if plan.company_id is not None
                    else new_companies[plan.company_key or ""]
                )
                cleans.append({"company_id": company_id, **clean})
            self.bulk.insert(table, self.row_columns(table, cleans, new_ids), self.versioned())
            self.insert_audit("activity", new_ids, [audit.to_text(c) for c in cleans])
            self.advance(len(part))

    def create_outcomes(self, plans: list[OutcomeNewPlan]) -> None:
        """Outcome reports as add_outcome_report writes them."""
        table = OutcomeReport.__table__  # type: ignore[attr-defined]
        all_ids = reserve_ids(self.bulk.connection, table, len(plans))
        for start in range(0, len(plans), WRITE_CHUNK):
            part = plans[start : start + WRITE_CHUNK]
            new_ids = all_ids[start : start + WRITE_CHUNK]
            cleans = [
                {"company_id": p.company_id, "year": p.year, "quarter": p.quarter, **p.clean}
                for p in part
            ]
            columns = self.row_columns(table, cleans, new_ids, optional=("notes",))
            self.bulk.insert(table, columns, self.versioned())
            self.insert_audit("outcome_report", new_ids, [audit.to_text(c) for c in cleans])
            self.advance(len(part))

    # updates (through the services) ------------------------------------------------------------

    def update(
        self, entity: str, model: type[Any], object_id: int, changes: dict[str, Any]
    ) -> None:
        obj = self.session.get(model, object_id)
        assert obj is not None
        apply_changes(self.session, self.actor, obj, entity, changes, context=self.context)

    def update_companies(self, plans: list[CompanyUpdatePlan]) -> None:
        for plan in plans:
            if plan.stage is not None:
                stage, day = plan.stage
                stages.add_entry(
                    self.session,
                    self.actor,
                    plan.company_id,
                    stage,
                    day,
                    None,
                    context=self.context,
                )
            if plan.changes:
                self.update("company", Company, plan.company_id, plan.changes)
            self.advance(1)

    def update_activities(self, plans: list[ActivityUpdatePlan]) -> None:
        for plan in plans:
            self.update("activity", Activity, plan.activity_id, plan.changes)
            self.advance(1)

    def update_outcomes(self, plans: list[OutcomeUpdatePlan]) -> None:
        for plan in plans:
            self.update("outcome_report", OutcomeReport, plan.report_id, plan.changes)
            self.advance(1)

    def write(self, preview: ImportPreview) -> int:
        """Everything the preview says to write; returns the number of companies created."""
        plans = [row.plan for row in preview.to_write]
        created = 0
        if any(isinstance(p, NewCompanyPlan) for p in plans):
            new = [p for p in plans if isinstance(p, NewCompanyPlan)]
            self.create_companies(new, count_rows=True)
            created = len(new)
        self.update_companies([p for p in plans if isinstance(p, CompanyUpdatePlan)])
        new_companies: dict[str, int] = {}
        if preview.company_plans:
            new_companies = self.create_companies(preview.company_plans, count_rows=False)
            created = len(new_companies)
        self.create_activities([p for p in plans if isinstance(p, ActivityNewPlan)], new_companies)
        self.update_activities([p for p in plans if isinstance(p, ActivityUpdatePlan)])
        self.create_outcomes([p for p in plans if isinstance(p, OutcomeNewPlan)])
        self.update_outcomes([p for p in plans if isinstance(p, OutcomeUpdatePlan)])
        return created


def _serialise_imports(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


def apply_import(
    session: Session,
    actor: Actor,
    table: SourceTable,
    *,
    mapping: dict[str, str | None] | None = None,
    options: ImportOptions | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    lang: str = "ko",
) -> ImportResult:
    """Check every row again inside one transaction and write them all, or nothing.

    Refuses (ImportHasErrors, nothing written) when rows have errors, unless skip_invalid: then
    those rows are left out and listed in the result. Nothing to write (the same file again)
    writes nothing at all, not even an ImportBatch row: batch_id is then None."""
    with gc_paused():
        return _apply_import(
            session,
            actor,
            table,
            mapping=mapping,
            options=options,
            skip_invalid=skip_invalid,
            progress=progress,
            lang=lang,
        )


def _apply_import(
    session: Session,
    actor: Actor,
    table: SourceTable,
    *,
    mapping: dict[str, str | None] | None,
    options: ImportOptions | None,
    skip_invalid: bool,
    progress: Progress | None,
    lang: str,
) -> ImportResult:
    begin_authorised_write(session, actor, Permission.IMPORT_DATA)
    report = progress or _no_progress
    try:
        _serialise_imports(session)
        batch = ImportBatch(
            filename=table.filename[:255],
            kind=table.kind.value,
            sha256=table.sha256,
            actor_id=actor.id,
        )
        session.add(batch)
        session.flush()  # takes the write lock now (SQLite), so the checks below stay true
        assert batch.id is not None
        report(0.05, t("importer.progress.checking", lang))
        preview = plan_import(session, table, mapping=mapping, options=options)
        preview.previous_imports = [i for i in preview.previous_imports if i != batch.id]
        counts = preview.counts
        if preview.error_rows and not skip_invalid:
            raise ImportHasErrors(preview)
        skipped = [row.row for row in preview.error_rows]
        if not preview.to_write:
            session.rollback()
            report(1.0, t("importer.progress.nothing", lang))
            return ImportResult(
                None, 0, 0, counts["unchanged"], counts["duplicate"], skipped, 0, preview
            )
        report(0.3, t("importer.progress.writing", lang, done=0, total=len(preview.to_write)))
        writer = Writer(
            session,
            actor,
            batch_context(batch.id, table.filename),
            report,
            lang,
            len(preview.to_write),
        )
        companies_created = writer.write(preview)
        batch.rows_created = counts[RowStatus.NEW.value]
        batch.rows_updated = counts[RowStatus.UPDATE.value]
        batch.rows_skipped = len(skipped) + counts[RowStatus.DUPLICATE.value]
        session.add(batch)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    report(1.0, t("importer.progress.done", lang, batch=batch.id))
    return ImportResult(
        batch_id=batch.id,
        created=counts[RowStatus.NEW.value],
        updated=counts[RowStatus.UPDATE.value],
        unchanged=counts[RowStatus.UNCHANGED.value],
        duplicates=counts[RowStatus.DUPLICATE.value],
        skipped_rows=skipped,
        companies_created=companies_created,
        preview=preview,
    )
