"""Columns and cell writing shared by the templates and the exports (the same headers, so an
export is a filled-in template and imports back as it is)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from crm.i18n import t
from crm.importer.fields import (
    ACTIVITY_FIELDS,
    COMPANY_FIELDS,
    OUTCOME_FIELDS,
    detail_fields,
    kind_rows,
)
from crm.importer.model import ImportKind

# Safe for user text: no string ever becomes a formula, a link or a number.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
COMPANY_ONLY_ACTIVITY_FIELDS = ("industry", "location", "founded_on")  # not activity data


def sheet_fields(kind: ImportKind, kinds: Iterable[Any] | None = None) -> list[str]:
    """The columns of a kind's template and export, in order."""
    if kind == ImportKind.COMPANIES:
        return [f.name for f in COMPANY_FIELDS]
    if kind == ImportKind.OUTCOMES:
        return [f.name for f in OUTCOME_FIELDS]
    own = [f.name for f in ACTIVITY_FIELDS if f.name not in COMPANY_ONLY_ACTIVITY_FIELDS]
    return own + [f.name for f in detail_fields(kinds)]


def choice_label(field: str, value: Any, lang: str, kinds: Iterable[Any] | None = None) -> Any:
    """A stored choice as a person reads it (the importer reads the label back)."""
    if value is None:
        return None
    if field in ("stage", "industry", "status"):
        return t(f"{field}.{value}", lang)
    if field == "details.round":
        return t(f"importer.round.{value}", lang)
    if field == "kind":
        for row in kind_rows(kinds):
            if row["code"] == value:
                return row["name_ko"] if lang == "ko" else row["name_en"]
    return value


def write_cell(worksheet: Any, row: int, col: int, value: Any, date_format: Any) -> None:
    """Typed writes only: text is always written as text (formula-injection safe)."""
    if value is None:
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        worksheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, col, value.replace(tzinfo=None), date_format)
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, datetime.combine(value, time()), date_format)
    else:
        worksheet.write_string(row, col, str(value))
