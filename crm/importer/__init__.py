"""Spreadsheet import: read → find the table → map columns → preview → apply → (undo).

The page and the CLI call these, in this order:

    table = load_file(data, filename, kind=None)                # ImportRefused if unreadable
    mapping = dict(table.mapping)                                 # let the user correct it
    preview = preview_import(session, actor, table, mapping=mapping, options=options)  # no writes
    result = apply_import(session, actor, table, mapping=mapping, options=options,
                          skip_invalid=..., progress=...)
    undo_import(session, manager, result.batch_id)                # or refuse with reasons
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crm.importer.apply import apply_import, batch_context
from crm.importer.clearing import clearable_fields
from crm.importer.errors import ImportHasErrors, ImportRefused, Reason, UndoRefused
from crm.importer.export import export_activities, export_companies
from crm.importer.fields import FieldSpec, field_label, fields_for
from crm.importer.headers import find_table
from crm.importer.limits import ImportLimits, import_limits
from crm.importer.model import (
    CellIssue,
    ImportKind,
    ImportOptions,
    ImportPreview,
    ImportResult,
    Match,
    Note,
    RowPreview,
    RowStatus,
    SkippedRow,
    SourceTable,
    UndoResult,
)
from crm.importer.preview import preview_import
from crm.importer.readers import read_upload
from crm.importer.summary import preview_frame, summary_lines
from crm.importer.templates import template_workbook
from crm.importer.undo import BatchSummary, import_history, undo_import


def load_file(
    data: bytes,
    filename: str,
    *,
    kind: ImportKind | str | None = None,
    sheet: str | None = None,
    kinds: Iterable[Any] | None = None,
    limits: ImportLimits | None = None,
) -> SourceTable:
    """Read an upload and find its table; without `kind`, the best-fitting kind is chosen.
    `kinds`: the database's SupportKind rows (default: the built-in four)."""
    raw = read_upload(data, filename, sheet=sheet, limits=limits)
    return find_table(raw, ImportKind(kind) if kind else None, kinds)


__all__ = [
    "BatchSummary",
    "CellIssue",
    "FieldSpec",
    "ImportHasErrors",
    "ImportKind",
    "ImportLimits",
    "ImportOptions",
    "ImportPreview",
    "ImportRefused",
    "ImportResult",
    "Match",
    "Note",
    "Reason",
    "RowPreview",
    "RowStatus",
    "SkippedRow",
    "SourceTable",
    "UndoRefused",
    "UndoResult",
    "apply_import",
    "batch_context",
    "clearable_fields",
    "export_activities",
    "export_companies",
    "field_label",
    "fields_for",
    "import_history",
    "import_limits",
    "load_file",
    "preview_frame",
    "preview_import",
    "summary_lines",
    "template_workbook",
    "undo_import",
]
