"""Quick entry of a day's mentoring sessions: editor rows -> NewActivity values (pure).

Every row is dated with the one day chosen above the table. The amount column is text, read by
the same amount reader as the single forms (1,200,000 · 120만원 · 1.2억); text it cannot read is
passed on as typed so the service refuses that row with its message and nothing is saved."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from crm.errors import FieldError
from crm.i18n import t
from crm.services.activities import NewActivity
from crm.ui.amounts import read_amount

COLUMNS = ["company", "mentor", "topic", "hours", "amount", "notes"]
TEXT_COLUMNS = ("mentor", "topic", "amount", "notes")


def empty_frame(rows: int = 5) -> pd.DataFrame:
    """Blank rows: empty text (never None) so no cell reads "None"; hours stay numeric."""
    return pd.DataFrame(
        {
            "company": pd.Series([None] * rows, dtype="object"),
            "mentor": pd.Series([""] * rows, dtype="object"),
            "topic": pd.Series([""] * rows, dtype="object"),
            "hours": pd.Series([None] * rows, dtype="float"),
            "amount": pd.Series([""] * rows, dtype="object"),
            "notes": pd.Series([""] * rows, dtype="object"),
        }
    )


def company_label(company_id: int, name: str) -> str:
    return f"{name} · #{company_id}"


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


def is_blank(row: pd.Series) -> bool:
    return all(_value(row.get(c)) is None for c in COLUMNS)


def to_activities(
    frame: pd.DataFrame, company_ids: dict[str, int], programme_id: int, day: date
) -> tuple[list[NewActivity], list[int]]:
    """Activities for the non-blank rows, all dated `day`, and the editor row number (1-based)
    of each."""
    out: list[NewActivity] = []
    numbers: list[int] = []
    for index, (_, row) in enumerate(frame.iterrows(), start=1):
        if is_blank(row):
            continue
        label = _value(row.get("company"))
        hours = _value(row.get("hours"))
        amount = read_amount(_value(row.get("amount")))
        details = {
            "mentor": _value(row.get("mentor")),
            "topic": _value(row.get("topic")),
            "hours": float(hours) if hours is not None else None,
        }
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


def row_message(error: FieldError, lang: str, *, may_restate: bool) -> str:
    """One refused field of a row: "label: message", with the closed-quarter advice per role."""
    if error.key == "error.quarter_closed":
        return closed_day_message(
            int(error.params["year"]), int(error.params["quarter"]), lang, may_restate=may_restate
        )
    field = error.field.removeprefix("details.")
    return f"{t(f'field.{field}', lang)}: {error.message(lang)}"
