"""A preview as text lines (the CLI) and as a DataFrame (the page), in the user's language."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pandas as pd

from crm import countries
from crm.i18n import t
from crm.importer.fields import field_label
from crm.importer.model import CellIssue, ImportPreview, RowStatus, SourceTable


def _issue_line(issue: CellIssue, lang: str) -> str:
    where = t("importer.col.row", lang) + f" {issue.row}"
    column = issue.column or field_label(issue.field, lang)
    return f"{where}, {column}: {issue.message(lang)}"


def _limited(lines: list[str], limit: int, lang: str) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], "  … " + t("importer.more", lang, count=len(lines) - limit)]


def summary_lines(
    preview: ImportPreview, lang: str = "ko", *, table: SourceTable | None = None, limit: int = 50
) -> list[str]:
    """The preview as the CLI prints it: file, mapping, notes, counts, then every error (up to
    `limit` lines per section) with its row, column and reason."""
    lines: list[str] = []
    kind = t(f"importer.kind.{preview.kind.value}", lang)
    if table is not None:
        lines.append(
            t(
                "importer.summary.file",
                lang,
                filename=preview.filename,
                kind=kind,
                row=table.header_row,
                rows=len(table.rows),
            )
        )
    lines.append(t("importer.summary.mapping", lang) + ":")
    for label, name in preview.mapping.items():
        if name:
            lines.append(f"  {label} → {field_label(name, lang)}")
    if preview.ignored_columns:
        lines.append(
            t("importer.summary.ignored", lang, columns=", ".join(preview.ignored_columns))
        )
    lines += [f"{'!' if note.warning else '*'} {note.message(lang)}" for note in preview.notes]
    lines.append(t("importer.summary.counts", lang, **preview.counts))
    if preview.new_companies:
        lines.append(t("importer.summary.new_companies", lang, count=preview.new_companies))
    if preview.previous_imports:
        ids = ", #".join(str(i) for i in preview.previous_imports)
        lines.append(t("importer.summary.previous", lang, ids=ids))
    skipped = [
        f"  {t('importer.col.row', lang)} {s.row}: {s.message(lang)}" for s in preview.skipped
    ]
    if skipped:
        lines.append(t("importer.status.skipped", lang) + ":")
        lines += _limited(skipped, limit, lang)
    errors = [f"  {_issue_line(i, lang)}" for r in preview.error_rows for i in r.errors]
    if errors:
        lines.append(t("importer.summary.errors_by_reason", lang) + ":")
        lines += _limited(_errors_by_reason(preview, lang), limit, lang)
        lines.append(t("importer.summary.errors", lang) + ":")
        lines += _limited(errors, limit, lang)
    duplicates = [
        f"  {t('importer.col.row', lang)} {r.row}: "
        + t("importer.summary.duplicate_of", lang, row=r.duplicate_of)
        for r in preview.rows
        if r.status == RowStatus.DUPLICATE
    ]
    if duplicates:
        lines.append(t("importer.status.duplicate", lang) + ":")
        lines += _limited(duplicates, limit, lang)
    warnings = _grouped_warnings(preview, lang)
    if warnings:
        lines.append(t("importer.summary.warnings", lang) + ":")
        lines += _limited(warnings, limit, lang)
    return lines


def _errors_by_reason(preview: ImportPreview, lang: str) -> list[str]:
    """How many rows fail for each column and reason (the message without the cell's value)."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in preview.error_rows:
        seen = set()
        for issue in row.errors:
            column = issue.column or field_label(issue.field, lang)
            message = t(issue.key, lang, **{**issue.params, "value": "…"})
            if (column, message) not in seen:
                seen.add((column, message))
                counts[(column, message)] += 1
    return [
        f"  {column}: {message} ({count})"
        for (column, message), count in sorted(counts.items(), key=lambda item: -item[1])
    ]


def _grouped_warnings(preview: ImportPreview, lang: str) -> list[str]:
    """One line per distinct warning (column, reason, value), with the rows it applies to."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in preview.rows:
        for issue in row.warnings:
            column = issue.column or field_label(issue.field, lang)
            groups[(column, issue.message(lang))].append(issue.row)
    lines = []
    for (column, message), rows in groups.items():
        shown = ", ".join(str(r) for r in rows[:5]) + (", …" if len(rows) > 5 else "")
        lines.append(f"  {column}: {message} ({t('importer.col.row', lang)} {shown}; {len(rows)})")
    return lines


_CODED = {"stage": "stage", "industry": "industry", "status": "status", "kind": "kind"}
_DETAIL = "details."


def _catalogue_key(name: str, value: str) -> str | None:
    """The catalogue key of a stored choice's label: stage, industry, status, kind, and the
    kinds' own choices (details.round → choice.round.series_a)."""
    if prefix := _CODED.get(name):
        return f"{prefix}.{value}"
    if name.startswith(_DETAIL):
        return f"choice.{name.removeprefix(_DETAIL)}.{value}"
    return None


def _shown(value: Any, name: str = "", lang: str = "ko") -> Any:
    """A value as the user reads it: dates as text, stored codes in words (countries by
    their name in the language)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if not isinstance(value, str):
        return value
    if name == f"{_DETAIL}country":
        return countries.name(value, lang)
    if key := _catalogue_key(name, value):
        shown = t(key, lang)
        return value if shown == key else shown
    return value


def preview_frame(preview: ImportPreview, lang: str = "ko") -> pd.DataFrame:
    """One line per data row: row, status, the match, errors and warnings, then the values."""
    records = []
    for row in preview.rows:
        issues = [*row.errors, *row.warnings]
        if row.status == RowStatus.DUPLICATE:
            note = t("importer.summary.duplicate_of", lang, row=row.duplicate_of)
        else:
            note = "; ".join(
                f"{i.column or field_label(i.field, lang)}: {i.message(lang)}" for i in issues
            )
        record: dict[str, Any] = {
            t("importer.col.row", lang): row.row,
            t("importer.col.status", lang): t(f"importer.status.{row.status.value}", lang),
            t("importer.col.match", lang): row.match.label
            if row.match
            else (row.creates_company or ""),
            t("importer.col.issues", lang): note,
        }
        for name, value in row.values.items():
            record[field_label(name, lang)] = _shown(value, name, lang)
        records.append(record)
    return pd.DataFrame.from_records(records)
