"""Apply a confirmed import: one transaction for the whole file (every row or none), an
ImportBatch row, and audit entries whose context names the import ("import #12 file.xlsx").

Updates and stage moves go through the services' own non-committing functions
(editing.apply_changes, stages.add_entry). New rows are checked by the services' validators
during planning (see validate.py) and then inserted in bulk, writing the same rows and audit
entries add_company / add_activity / add_outcome_report write: one flush per row made a
50,000-row file ~75x slower than a bulk insert (benchmarks/import_rows.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from crm.i18n import t
from crm.importer.errors import ImportHasErrors
from crm.importer.gcpause import gc_paused
from crm.importer.matching import chunks
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
from crm.services.permissions import Permission, require

Progress = Callable[[float, str], None]
WRITE_CHUNK = 2000
COMPANY_KEY = ("name_ko", "brn")  # columns read back to check bulk-inserted ids (SQLite)
ACTIVITY_KEY = ("company_id", "programme_id", "start_on", "amount_krw", "details")
OUTCOME_KEY = ("company_id", "year", "quarter")
CONTEXT_MAX = 200
_ADVISORY_LOCK_KEY = 7_020_007  # PostgreSQL: one import at a time, so two cannot both create X
_CREATE = AuditAction.CREATE.value
_STAGE_CHANGE = AuditAction.STAGE_CHANGE.value


def batch_context(batch_id: int, filename: str) -> str:
    """The audit context of every change an import makes (how undo finds them)."""
    return f"import #{batch_id} {filename}"[:CONTEXT_MAX]


def _no_progress(fraction: float, message: str) -> None:
    return None


def _insert_returning_ids(
    session: Session, table: sa.Table, rows: list[dict[str, Any]], key: tuple[str, ...]
) -> list[int]:
    """Insert rows in bulk; their new ids, in the order of `rows`.

    PostgreSQL sorts RETURNING by parameter order in one batched statement. SQLite cannot (it
    would send one statement per row), so there the ids come back unordered from batched
    statements and are matched in ascending order (a rowid table numbers new rows in the order
    it inserts them); reading the `key` columns back checks that match instead of trusting it."""
    if not rows:
        return []
    if session.get_bind().dialect.name != "sqlite":
        statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [row[0] for row in session.execute(statement, rows)]
    ids = sorted(row[0] for row in session.execute(sa.insert(table).returning(table.c.id), rows))
    stored = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            sa.select(table.c.id, *(table.c[k] for k in key)).where(
                table.c.id.between(ids[0], ids[-1])
            )
        )
    }
    expected = [tuple(row[k] for k in key) for row in rows]
    if [stored.get(i) for i in ids] != expected:
        raise RuntimeError(f"bulk insert into {table.name}: returned ids do not match the rows")
    return ids


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

    def advance(self, count: int) -> None:
        self.done += count
        fraction = 0.3 + 0.65 * min(self.done / self.total, 1.0)
        self.progress(
            fraction, t("importer.progress.writing", self.lang, done=self.done, total=self.total)
        )

    def audit_row(
        self, action: AuditAction, entity: str, entity_id: int, **values: Any
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "actor_id": self.actor.id,
            "action": action.value,
            "entity": entity,
            "entity_id": entity_id,
            "entity_version": values.get("version"),
            "field": values.get("field"),
            "old_value": None,
            "new_value": audit.to_text(values.get("new")),
            "context": self.context,
        }

    def company_audit_rows(
        self, company_id: int, profile: dict[str, Any], stage_change: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """audit_row(CREATE, version=1, new=profile) and audit_row(STAGE_CHANGE, field="stage",
        new=stage_change) for one new company, without the keyword plumbing per row."""
        common = {
            "at": self.now,
            "actor_id": self.actor.id,
            "entity": "company",
            "entity_id": company_id,
            "old_value": None,
            "context": self.context,
        }
        created = {
            **common,
            "action": _CREATE,
            "entity_version": 1,
            "field": None,
            "new_value": audit.to_text(profile),
        }
        staged = {
            **common,
            "action": _STAGE_CHANGE,
            "entity_version": None,
            "field": "stage",
            "new_value": stage_change,
        }
        return created, staged

    def insert_audit(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(sa.insert(AuditEntry.__table__), rows)  # type: ignore[attr-defined]

    # creates (bulk) ------------------------------------------------------------------------------

    def create_companies(self, plans: Iterable[NewCompanyPlan], count_rows: bool) -> dict[str, int]:
        """Companies with their first stage entry, as add_company writes them."""
        ids: dict[str, int] = {}
        table = Company.__table__  # type: ignore[attr-defined]
        for part in chunks(list(plans), WRITE_CHUNK):
            rows = [
                {
                    **p.clean,
                    "archived": False,
                    "version": 1,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
                for p in part
            ]
            new_ids = _insert_returning_ids(self.session, table, rows, COMPANY_KEY)
            entries, audit_rows = [], []
            for plan, company_id in zip(part, new_ids, strict=True):
                ids[plan.key] = company_id
                entries.append(
                    {
                        "company_id": company_id,
                        "stage": plan.stage,
                        "entered_on": plan.since,
                        "reason": None,
                        "recorded_by_id": self.actor.id,
                        "recorded_at": self.now,
                    }
                )
                clean = plan.clean
                profile = {}
                for f in PROFILE_FIELDS:
                    value = clean[f]
                    # audit.to_text returns None and plain text unchanged
                    profile[f] = (
                        value if value is None or type(value) is str else audit.to_text(value)
                    )
                audit_rows.extend(
                    self.company_audit_rows(
                        company_id, profile, f"{plan.stage}@{plan.since.isoformat()}"
                    )
                )
            self.session.execute(sa.insert(StageEntry.__table__), entries)  # type: ignore[attr-defined]
            self.insert_audit(audit_rows)
            if count_rows:
                self.advance(len(part))
        return ids

    def create_activities(
        self, plans: list[ActivityNewPlan], new_companies: dict[str, int]
    ) -> None:
        """Activities as add_activity writes them (status and officer defaulted the same way)."""
        table = Activity.__table__  # type: ignore[attr-defined]
        for part in chunks(plans, WRITE_CHUNK):
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
            rows = [
                {**c, "version": 1, "created_at": self.now, "updated_at": self.now} for c in cleans
            ]
            new_ids = _insert_returning_ids(self.session, table, rows, ACTIVITY_KEY)
            self.insert_audit(
                [
                    self.audit_row(
                        AuditAction.CREATE, "activity", activity_id, version=1, new=clean
                    )
                    for clean, activity_id in zip(cleans, new_ids, strict=True)
                ]
            )
            self.advance(len(part))

    def create_outcomes(self, plans: list[OutcomeNewPlan]) -> None:
        """Outcome reports as add_outcome_report writes them."""
        table = OutcomeReport.__table__  # type: ignore[attr-defined]
        for part in chunks(plans, WRITE_CHUNK):
            cleans = [
                {"company_id": p.company_id, "year": p.year, "quarter": p.quarter, **p.clean}
                for p in part
            ]
            rows = [
                {"notes": None, **c, "version": 1, "created_at": self.now, "updated_at": self.now}
                for c in cleans
            ]
            new_ids = _insert_returning_ids(self.session, table, rows, OUTCOME_KEY)
            self.insert_audit(
                [
                    self.audit_row(
                        AuditAction.CREATE, "outcome_report", report_id, version=1, new=clean
                    )
                    for clean, report_id in zip(cleans, new_ids, strict=True)
                ]
            )
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
    require(session, actor, Permission.IMPORT_DATA)
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
