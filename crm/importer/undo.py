"""Undo a whole import, or refuse with reasons: remove the rows it created and put back the
values it changed (from its audit entries), unless something changed them since.

A created company is found by its "create" entry. Its first stage is not undone as a stage
move: its stage entries go with it (by company id). That holds for both ways an import has
recorded that stage: inside the create entry's snapshot ("stage", "stage_since"; imports now),
or as a separate stage_change entry with the import's context (earlier imports), which is then
left out of the stage moves to take back."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from crm.errors import NotFound
from crm.i18n import LANGUAGES, t
from crm.importer.apply import batch_context
from crm.importer.errors import Reason, UndoRefused
from crm.importer.matching import chunks
from crm.importer.model import UndoResult
from crm.models import (
    Activity,
    AuditAction,
    AuditEntry,
    ImportBatch,
    OutcomeReport,
    User,
)
from crm.quarters import Quarter
from crm.services import audit, import_batches, removal
from crm.services.actor import Actor
from crm.services.closing import closed_quarters
from crm.services.history import Names, record_names
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.removal import MODELS
from crm.ui import format as fmt
from crm.ui.history import field_label, subject

COMPANY_USED = "importer.undo.company_used"


@dataclass(frozen=True)
class WordedReason(Reason):
    """A refusal whose records, fields and times are already in words, per language: a
    person reads names, labels and office-zone times, never ids, codes or UTC stamps."""

    words: dict[str, dict[str, str]] = field(default_factory=dict)

    def message(self, lang: str = "ko") -> str:
        return t(self.key, lang, **{**self.params, **self.words.get(lang, {})})


def _words(reason: Reason, names: Names, lang: str) -> dict[str, str]:
    params, words = reason.params, {}
    if reason.key == COMPANY_USED:
        words["record"] = subject("company", params["id"], names, lang)
        words["other_record"] = subject(params["entity"], params["other"], names, lang)
    elif "entity" in params and "id" in params:
        words["record"] = subject(params["entity"], params["id"], names, lang)
    if params.get("field"):
        words["field_label"] = field_label(params["field"], lang)
    if isinstance(params.get("at"), datetime):
        words["when"] = fmt.moment(params["at"], lang, label=True)
    return words


def in_words(session: Session, reasons: list[Reason]) -> list[Reason]:
    """The reasons with the names of the records they mention, read in one go."""
    records: set[tuple[str, int]] = set()
    for reason in reasons:
        params = reason.params
        if reason.key == COMPANY_USED:
            records |= {("company", params["id"]), (params["entity"], params["other"])}
        elif "entity" in params and "id" in params:
            records.add((params["entity"], params["id"]))
    names = record_names(session, sorted(records))
    return [
        WordedReason(r.key, r.params, {lang: _words(r, names, lang) for lang in LANGUAGES})
        for r in reasons
    ]


def undo_context(batch_id: int) -> str:
    return f"undo import #{batch_id}"


@dataclass(frozen=True)
class BatchSummary:
    """One line of the import history."""

    id: int
    filename: str
    kind: str
    by: str
    created_at: datetime
    rows_created: int
    rows_updated: int
    rows_skipped: int
    undone_at: datetime | None
    undone_by: str | None


def import_history(session: Session, *, limit: int = 100) -> list[BatchSummary]:
    """Imports, newest first: file, who, when, rows created/updated/skipped, undone or not."""
    undoer = aliased(User)
    rows = session.exec(
        select(ImportBatch, User.display_name, undoer.display_name)  # type: ignore[call-overload]
        .join(User, col(User.id) == ImportBatch.actor_id)
        .outerjoin(undoer, col(undoer.id) == ImportBatch.undone_by_id)
        .order_by(col(ImportBatch.id).desc())
        .limit(limit)
    ).all()
    return [
        BatchSummary(
            id=batch.id,
            filename=batch.filename,
            kind=batch.kind,
            by=by,
            created_at=batch.created_at,
            rows_created=batch.rows_created,
            rows_updated=batch.rows_updated,
            rows_skipped=batch.rows_skipped,
            undone_at=batch.undone_at,
            undone_by=undone_by,
        )
        for batch, by, undone_by in rows
    ]


def from_text(model: type[Any], field: str, text: str | None) -> Any:
    """A field value back from its audit text (audit.to_text's inverse, by column type)."""
    if text is None:
        return None
    column_type = model.__table__.c[field].type
    if isinstance(column_type, sa.JSON):
        return json.loads(text)
    python_type = column_type.python_type
    if python_type is bool:
        return text == "true"
    if python_type is date:
        return date.fromisoformat(text)
    if python_type is datetime:
        return datetime.fromisoformat(text)
    if python_type in (int, float):
        return python_type(text)
    return text


def _entries_for(
    session: Session, entity: str, ids: list[int]
) -> dict[int, list[tuple[AuditEntry, str]]]:
    out: dict[int, list[tuple[AuditEntry, str]]] = defaultdict(list)
    for part in chunks(sorted(set(ids))):
        query = (
            select(AuditEntry, User.display_name)
            .join(User, col(User.id) == AuditEntry.actor_id)
            .where(AuditEntry.entity == entity, col(AuditEntry.entity_id).in_(part))
            .order_by(col(AuditEntry.id))
        )
        for entry, name in session.exec(query):
            out[entry.entity_id].append((entry, name))
    return out


class Undo:
    def __init__(self, session: Session, actor: Actor, batch: ImportBatch) -> None:
        assert batch.id is not None
        self.session = session
        self.actor = actor
        self.batch = batch
        self.context = batch_context(batch.id, batch.filename)
        self.own = {self.context, undo_context(batch.id)}
        undone = session.exec(
            select(ImportBatch.id, ImportBatch.filename).where(
                col(ImportBatch.undone_at).is_not(None)
            )
        ).all()
        # Changes by imports already undone (and their undos) cancel out: they do not block.
        self.ignored = self.own | {
            c for i, f in undone if i is not None for c in (batch_context(i, f), undo_context(i))
        }
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.context == self.context)
            .order_by(col(AuditEntry.id))
        ).all()
        self.created: dict[str, list[int]] = defaultdict(list)
        self.updates: list[AuditEntry] = []
        self.stage_moves: list[AuditEntry] = []
        for entry in entries:
            if entry.action == AuditAction.CREATE:
                self.created[entry.entity].append(entry.entity_id)
            elif entry.action == AuditAction.UPDATE and entry.field:
                self.updates.append(entry)
            elif entry.action == AuditAction.STAGE_CHANGE:
                self.stage_moves.append(entry)
        new_companies = set(self.created["company"])
        self.stage_moves = [e for e in self.stage_moves if e.entity_id not in new_companies]
        self.reasons: list[Reason] = []
        self.closed = closed_quarters(session)

    def refuse(self, key: str, **params: Any) -> None:
        self.reasons.append(Reason(key, params))

    def check_created(self) -> None:
        for entity, ids in self.created.items():
            for entity_id, entries in _entries_for(self.session, entity, ids).items():
                for entry, name in entries:
                    if entry.context not in self.ignored:
                        self.refuse(
                            "importer.undo.edited_since",
                            entity=entity,
                            id=entity_id,
                            by=name,
                            at=entry.at,
                        )
                        break
        companies = sorted(self.created["company"])
        for model, entity in ((Activity, "activity"), (OutcomeReport, "outcome_report")):
            mine = set(self.created[entity])
            for part in chunks(companies):
                query = select(model.id, model.company_id).where(col(model.company_id).in_(part))
                for row_id, company_id in self.session.exec(query):
                    if row_id not in mine:
                        self.refuse(COMPANY_USED, id=company_id, entity=entity, other=row_id)
        for part in chunks(sorted(self.created["activity"])):
            for activity_id, day in self.session.exec(
                select(Activity.id, Activity.start_on).where(col(Activity.id).in_(part))
            ):
                if (day.year, Quarter.of(day).number) in self.closed:
                    self.refuse(
                        "importer.undo.closed_quarter",
                        entity="activity",
                        id=activity_id,
                        year=day.year,
                        quarter=Quarter.of(day).number,
                    )
        for part in chunks(sorted(self.created["outcome_report"])):
            query = select(OutcomeReport.id, OutcomeReport.year, OutcomeReport.quarter).where(
                col(OutcomeReport.id).in_(part)
            )
            for report_id, year, quarter in self.session.exec(query):
                if (year, quarter) in self.closed:
                    self.refuse(
                        "importer.undo.closed_quarter",
                        entity="outcome_report",
                        id=report_id,
                        year=year,
                        quarter=quarter,
                    )

    def check_updates(self) -> None:
        by_entity: dict[str, list[AuditEntry]] = defaultdict(list)
        for entry in self.updates:
            by_entity[entry.entity].append(entry)
        for entity, entries in by_entity.items():
            history = _entries_for(self.session, entity, [e.entity_id for e in entries])
            for mine in entries:
                later = [
                    (e, name)
                    for e, name in history.get(mine.entity_id, [])
                    if e.id > mine.id and e.field == mine.field and e.context not in self.ignored  # type: ignore[operator]
                ]
                if later:
                    entry, name = later[-1]
                    self.refuse(
                        "importer.undo.changed_since",
                        entity=entity,
                        id=mine.entity_id,
                        field=mine.field,
                        by=name,
                        at=entry.at,
                    )
                    continue
                obj = self.session.get(MODELS[entity], mine.entity_id)
                if obj is None:
                    self.refuse("importer.undo.gone", entity=entity, id=mine.entity_id)
                elif audit.to_text(getattr(obj, mine.field or "")) != mine.new_value:
                    self.refuse(
                        "importer.undo.changed_unrecorded",
                        entity=entity,
                        id=mine.entity_id,
                        field=mine.field,
                    )
                elif entity in ("activity", "outcome_report") and self.in_closed_quarter(obj):
                    self.refuse(
                        "importer.undo.closed_quarter",
                        entity=entity,
                        id=mine.entity_id,
                        year=self.year_quarter(obj)[0],
                        quarter=self.year_quarter(obj)[1],
                    )

    @staticmethod
    def year_quarter(obj: Any) -> tuple[int, int]:
        if isinstance(obj, Activity):
            return obj.start_on.year, Quarter.of(obj.start_on).number
        return obj.year, obj.quarter

    def in_closed_quarter(self, obj: Any) -> bool:
        return self.year_quarter(obj) in self.closed

    def check_stage_moves(self) -> None:
        history = _entries_for(self.session, "company", [e.entity_id for e in self.stage_moves])
        for mine in self.stage_moves:
            for entry, name in history.get(mine.entity_id, []):
                if (
                    entry.id > mine.id
                    and entry.field == "stage"
                    and entry.context not in self.ignored
                ):  # type: ignore[operator]
                    self.refuse(
                        "importer.undo.changed_since",
                        entity="company",
                        id=mine.entity_id,
                        field="stage",
                        by=name,
                        at=entry.at,
                    )
                    break

    def restore(self) -> int:
        grouped: dict[tuple[str, int], dict[str, Any]] = defaultdict(dict)
        for entry in self.updates:
            model = MODELS[entry.entity]
            grouped[(entry.entity, entry.entity_id)].setdefault(
                entry.field or "", from_text(model, entry.field or "", entry.old_value)
            )
        return removal.restore_values(
            self.session, self.actor, grouped, context=undo_context(self.batch.id or 0)
        )

    def remove_stage_moves(self) -> int:
        moves = []
        for mine in self.stage_moves:
            stage, day = audit.parse_stage_move(mine.new_value)
            moves.append(
                removal.StageMove(mine.entity_id, stage, day, mine.actor_id, mine.new_value)
            )
        return removal.remove_stage_moves(
            self.session, self.actor, moves, context=undo_context(self.batch.id or 0)
        )

    def delete_created(self) -> dict[str, int]:
        return removal.delete_created(
            self.session,
            self.actor,
            dict(self.created),
            context=undo_context(self.batch.id or 0),
        )


def undo_import(session: Session, actor: Actor, batch_id: int) -> UndoResult:
    """Undo import `batch_id` as a whole, or raise UndoRefused listing every reason (nothing
    changed). Managers only (Permission.UNDO_IMPORT)."""
    begin_authorised_write(session, actor, Permission.UNDO_IMPORT)
    try:
        batch = session.get(ImportBatch, batch_id, with_for_update=True, populate_existing=True)
        if batch is None:
            raise NotFound(entity="import_batch", id=batch_id)
        if batch.undone_at is not None:
            raise UndoRefused(
                in_words(session, [Reason("importer.undo.already", {"at": batch.undone_at})])
            )
        undo = Undo(session, actor, batch)
        undo.check_created()
        undo.check_updates()
        undo.check_stage_moves()
        if undo.reasons:
            raise UndoRefused(in_words(session, undo.reasons))
        restored = undo.restore()
        moved_back = undo.remove_stage_moves()
        deleted = undo.delete_created()
        if moved_back:
            deleted["stage_entry"] = deleted.get("stage_entry", 0) + moved_back
        import_batches.mark_undone(session, actor, batch)
        session.commit()
    except IntegrityError as exc:  # a row made since refers to one this import created
        session.rollback()
        raise UndoRefused(
            [Reason("importer.undo.referenced", {"detail": str(exc.orig)[:200]})]
        ) from exc
    except BaseException:
        session.rollback()
        raise
    return UndoResult(batch_id=batch_id, deleted=deleted, restored=restored)
