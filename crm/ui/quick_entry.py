"""Quick entry of a day's mentoring sessions: editor rows -> NewActivity values (pure)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from crm.services.activities import NewActivity

COLUMNS = ["company", "start_on", "mentor", "topic", "hours", "amount_krw", "notes"]


def empty_frame(rows: int = 5, day: date | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company": pd.Series([None] * rows, dtype="object"),
            "start_on": pd.Series([day or date.today()] * rows, dtype="object"),
            "mentor": pd.Series([None] * rows, dtype="object"),
            "topic": pd.Series([None] * rows, dtype="object"),
            "hours": pd.Series([None] * rows, dtype="float"),
            "amount_krw": pd.Series([None] * rows, dtype="float"),
            "notes": pd.Series([None] * rows, dtype="object"),
        }
    )


def company_label(company_id: int, name: str) -> str:
    return f"{name} · #{company_id}"


def _value(raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, float) and pd.isna(raw):
        return None
    if isinstance(raw, str) and raw.strip() == "":
        return None
    if isinstance(raw, pd.Timestamp | datetime):
        return raw.date()
    return raw


def is_blank(row: pd.Series) -> bool:
    return all(
        _value(row.get(c)) is None
        for c in ("company", "mentor", "topic", "hours", "amount_krw", "notes")
    )


def to_activities(
    frame: pd.DataFrame, company_ids: dict[str, int], programme_id: int
) -> tuple[list[NewActivity], list[int]]:
    """Activities for the non-blank rows, and the editor row number (1-based) of each."""
    out: list[NewActivity] = []
    numbers: list[int] = []
    for index, (_, row) in enumerate(frame.iterrows(), start=1):
        if is_blank(row):
            continue
        label = _value(row.get("company"))
        hours = _value(row.get("hours"))
        amount = _value(row.get("amount_krw"))
        details = {
            "mentor": _value(row.get("mentor")),
            "topic": _value(row.get("topic")),
            "hours": float(hours) if hours is not None else None,
        }
        out.append(
            NewActivity(
                company_id=company_ids.get(str(label), 0) if label else 0,
                programme_id=programme_id,
                start_on=_value(row.get("start_on")),
                amount_krw=int(amount) if amount is not None else 0,
                notes=_value(row.get("notes")),
                details={k: v for k, v in details.items() if v is not None},
            )
        )
        numbers.append(index)
    return out, numbers
