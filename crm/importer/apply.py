"""Apply a confirmed import: one transaction for the whole file (every row or none), an
ImportBatch row, and audit entries whose context names the import ("import #12 file.xlsx").

The rows are written by the services' bulk forms (crm/services/bulk.py), which check them
again by the services' rules, write them and audit each, in this transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session

from crm.i18n import t
from crm.importer.errors import ImportHasErrors
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
from crm.services import bulk, import_batches
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.bulk import CompanyUpdate, NewOutcomeReport
from crm.services.permissions import Permission, begin_authorised_write

Progress = Callable[[float, str], None]
WRITE_CHUNK = 2000  # rows per bulk call, between progress reports
CONTEXT_MAX = 200
Plan = TypeVar("Plan")


def batch_context(batch_id: int, filename: str) -> str:
    """The audit context of every change an import makes (how undo finds them)."""
    return f"import #{batch_id} {filename}"[:CONTEXT_MAX]


def _no_progress(fraction: float, message: str) -> None:
    return None


class Writer:
    """Hands the preview's plans to the services' bulk writes, a chunk at a time, reporting
    progress after each."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        context: str,
        progress: Progress,
        lang: str,
        total: int,
        today: date,
    ) -> None:
        self.session = session
        self.actor = actor
        self.context = context
        self.progress = progress
        self.lang = lang
        self.total = max(total, 1)
        self.today = today
        self.done = 0

    def advance(self, count: int) -> None:
        self.done += count
        fraction = 0.3 + 0.65 * min(self.done / self.total, 1.0)
        self.progress(
            fraction, t("importer.progress.writing", self.lang, done=self.done, total=self.total)
        )

    def in_chunks(
        self, plans: Sequence[Plan], write: Callable[[Sequence[Plan]], Any], count_rows: bool
    ) -> list[Any]:
        out: list[Any] = []
        for start in range(0, len(plans), WRITE_CHUNK):
            part = plans[start : start + WRITE_CHUNK]
            out += write(part) or []
            if count_rows:
                self.advance(len(part))
        return out

    def create_companies(self, plans: list[NewCompanyPlan], count_rows: bool) -> dict[str, int]:
        """The companies the plans create (bulk.add_companies); their ids by plan key."""

        def write(part: Sequence[NewCompanyPlan]) -> list[int]:
            news = [plan.new for plan in part]
            return bulk.add_companies(self.session, self.actor, news, context=self.context)

        ids = self.in_chunks(plans, write, count_rows)
        return dict(zip((plan.key for plan in plans), ids, strict=True))

    def update_companies(self, plans: list[CompanyUpdatePlan]) -> None:
        def write(part: Sequence[CompanyUpdatePlan]) -> None:
            updates = [CompanyUpdate(p.company_id, p.changes, p.stage) for p in part]
            bulk.update_companies(
                self.session, self.actor, updates, context=self.context, today=self.today
            )

        self.in_chunks(plans, write, True)

    def create_activities(
        self, plans: list[ActivityNewPlan], new_companies: dict[str, int]
    ) -> None:
        def write(part: Sequence[ActivityNewPlan]) -> None:
            news = [
                NewActivity(
                    company_id=p.company_id
                    if p.company_id is not None
                    else new_companies[p.company_key or ""],
                    **p.clean,
                )
                for p in part
            ]
            bulk.add_activities(self.session, self.actor, news, context=self.context)

        self.in_chunks(plans, write, True)

    def update_activities(self, plans: list[ActivityUpdatePlan]) -> None:
        def write(part: Sequence[ActivityUpdatePlan]) -> None:
            updates = [(p.activity_id, p.changes) for p in part]
            bulk.update_activities(self.session, self.actor, updates, context=self.context)

        self.in_chunks(plans, write, True)

    def create_outcomes(self, plans: list[OutcomeNewPlan]) -> None:
        def write(part: Sequence[OutcomeNewPlan]) -> None:
            news = [NewOutcomeReport(p.company_id, p.year, p.quarter, p.clean) for p in part]
            bulk.add_outcome_reports(self.session, self.actor, news, context=self.context)

        self.in_chunks(plans, write, True)

    def update_outcomes(self, plans: list[OutcomeUpdatePlan]) -> None:
        def write(part: Sequence[OutcomeUpdatePlan]) -> None:
            updates = [(p.report_id, p.changes) for p in part]
            bulk.update_outcome_reports(self.session, self.actor, updates, context=self.context)

        self.in_chunks(plans, write, True)

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
    begin_authorised_write(session, actor, Permission.IMPORT_DATA)
    report = progress or _no_progress
    try:
        batch = import_batches.open_batch(
            session, actor, filename=table.filename, kind=table.kind.value, sha256=table.sha256
        )
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
            preview.options.today or date.today(),
        )
        companies_created = writer.write(preview)
        import_batches.record_counts(
            session,
            batch,
            created=counts[RowStatus.NEW.value],
            updated=counts[RowStatus.UPDATE.value],
            skipped=len(skipped) + counts[RowStatus.DUPLICATE.value],
        )
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
