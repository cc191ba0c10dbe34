"""The "empty cells clear values" choice: on a row that updates a stored company, an empty cell
of a mapped optional field clears the stored value; a required field is never cleared (the row
is refused with a message). Off (the default), an empty cell leaves the stored value alone."""

from __future__ import annotations

from typing import Any

from crm.importer.model import ImportKind
from crm.services.companies import PROFILE_FIELDS, PROFILE_RULES
from crm.validation import Checker

# The column an import maps for a profile field, where it is named differently.
COLUMN_OF = {"officer_id": "officer"}


def _required(name: str) -> bool:
    """The field's own rule refuses an empty value (no rule here asks the database for one)."""
    check = Checker()
    PROFILE_RULES[name](None, check, None)  # type: ignore[arg-type]
    return bool(check.errors)


REQUIRED = frozenset(name for name in PROFILE_FIELDS if _required(name))


def clearable_fields(
    kind: ImportKind, mapping: dict[str, str | None]
) -> tuple[list[str], list[str]]:
    """The mapped fields (by import field name) whose empty cells clear stored values, and the
    mapped required ones that are never cleared. Only company files update profiles."""
    if kind != ImportKind.COMPANIES:
        return [], []
    mapped = set(mapping.values())
    clears, kept = [], []
    for name in PROFILE_FIELDS:
        column = COLUMN_OF.get(name, name)
        if column in mapped:
            (kept if name in REQUIRED else clears).append(column)
    return clears, kept


def cleared_values(
    values: dict[str, Any], unreadable: set[str], stored: Any, mapped: set[str]
) -> tuple[dict[str, None], list[str]]:
    """For a row updating `stored` (a company): the fields its empty cells clear (name: None),
    and the required fields it would clear (refused). A cell that could not be read is not
    empty: its row already has an error."""
    clears: dict[str, None] = {}
    refused: list[str] = []
    for name in PROFILE_FIELDS:
        column = COLUMN_OF.get(name, name)
        if column not in mapped or column in values or column in unreadable:
            continue
        if getattr(stored, name) is None:
            continue
        if name in REQUIRED:
            refused.append(column)
        else:
            clears[name] = None
    return clears, refused
