"""Quick entry of a day's sessions of one kind: editor rows -> NewActivity values (pure); the
columns are the kind's declared fields (mentoring's by default).

Every row is dated with the one day chosen above the table. The amount column is text, read by
the same amount reader as the single forms (1,200,000 · 120만원 · 1.2억); text it cannot read is
passed on as typed so the service refuses that row with its message and nothing is saved."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from crm.errors import FieldError
from crm.i18n import t
from crm.kinds.spec import KindField, kind_fields
from crm.services.activities import NewActivity
from crm.services.reference import BUILTIN_KIND_ROWS
from crm.ui.amounts import read_amount

TEXT_TYPES = ("text", "choice", "country", "date", "money")  # text cells: read, then checked


def mentoring_fields() -> list[KindField]:
    """The built-in mentoring kind's declaration (the grid's default columns)."""
    row = next(r for r in BUILTIN_KIND_ROWS if r["code"] == "mentoring")
    return kind_fields(row)


def columns(fields: list[KindField] | None = None) -> list[str]:
    """The grid's columns: the company, the kind's current fields, the amount, notes."""
    declared = mentoring_fields() if fields is None else fields
    return ["company", *[f.name for f in declared], "amount", "notes"]


def empty_frame(rows: int = 5, fields: list[KindField] | None = None) -> pd.DataFrame:
    """Blank rows: empty text (never None) so no cell reads "None"; numbers stay numeric."""
    declared = mentoring_fields() if fields is None else fields
    data: dict[str, pd.Series] = {"company": pd.Series([None] * rows, dtype="object")}
    for field in declared:
        if field.type in TEXT_TYPES:
            data[field.name] = pd.Series([""] * rows, dtype="object")
        else:
            data[field.name] = pd.Series([None] * rows, dtype="float")
    data["amount"] = pd.Series([""] * rows, dtype="object")
    data["notes"] = pd.Series([""] * rows, dtype="object")
    return pd.DataFrame(data)


def company_labels(companies: dict[int, str]) -> dict[str, int]:
    """The grid's company choices: each company by its name (no database id on screen); a name
    two companies share is told apart by a number in the order they were registered."""
    seen: dict[str, int] = {}
    for name in companies.values():
        seen[name] = seen.get(name, 0) + 1
    labels: dict[str, int] = {}
    taken: dict[str, int] = {}
    for company_id, name in sorted(companies.items()):
        if seen[name] == 1:
            labels[name] = company_id
        else:
            taken[name] = taken.get(name, 0) + 1
            labels[f"{name} ({taken[name]})"] = company_id
    return labels


def _value(raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, float) and pd.isna(raw):
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, pd.Timestamp | datetime):
        return raw.date()
    return raw


def is_blank(row: pd.Series, names: list[str] | None = None) -> bool:
    return all(_value(row.get(c)) is None for c in (names or columns()))


def _detail(field: KindField, raw: Any) -> Any:
    """A cell as the service reads it: whole numbers as int, money as the amount reader reads
    it (unreadable text is passed on as typed, and refused with the amount message)."""
    value = _value(raw)
    if value is None:
        return None
    if field.is_money:
        return read_amount(value if isinstance(value, str) else str(value))
    if field.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field.type in ("decimal", "hours") and isinstance(value, int | float):
        return float(value)
    return value


def to_activities(
    frame: pd.DataFrame,
    company_ids: dict[str, int],
    programme_id: int,
    day: date,
    fields: list[KindField] | None = None,
) -> tuple[list[NewActivity], list[int]]:
    """Activities for the non-blank rows, all dated `day`, and the editor row number (1-based)
    of each; the kind's fields come from its declaration (default: mentoring's)."""
    declared = mentoring_fields() if fields is None else fields
    names = columns(declared)
    out: list[NewActivity] = []
    numbers: list[int] = []
    for index, (_, row) in enumerate(frame.iterrows(), start=1):
        if is_blank(row, names):
            continue
        label = _value(row.get("company"))
        amount = read_amount(_value(row.get("amount")))
        details = {f.name: _detail(f, row.get(f.name)) for f in declared}
        out.append(
            NewActivity(
                company_id=company_ids.get(str(label), 0) if label else 0,
                programme_id=programme_id,
                start_on=day,
                amount_krw=amount if amount is not None else 0,
                notes=_value(row.get("notes")),
                details={k: v for k, v in details.items() if v is not None},
            )
        )
        numbers.append(index)
    return out, numbers


def closed_day_message(year: int, quarter: int, lang: str, *, may_restate: bool) -> str:
    """What to do about a day in a closed quarter: officers ask a manager; a manager adds the
    activity one by one as a restatement (quick entry has no reason field)."""
    key = "quick.closed_row_manager" if may_restate else "restate.new_not_allowed"
    return t(key, lang, year=year, quarter=quarter)


def row_message(
    error: FieldError,
    lang: str,
    *,
    may_restate: bool,
    fields: list[KindField] | None = None,
) -> str:
    """One refused field of a row: "label: message", with the closed-quarter advice per role."""
    if error.key == "error.quarter_closed":
        return closed_day_message(
            int(error.params["year"]), int(error.params["quarter"]), lang, may_restate=may_restate
        )
    if error.field.startswith("details."):
        declared = mentoring_fields() if fields is None else fields
        name = error.field.removeprefix("details.")
        found = next((f for f in declared if f.name == name), None)
        label = found.label(lang) if found is not None else name
    else:
        label = t(f"field.{error.field}", lang)
    return f"{label}: {error.message(lang)}"
