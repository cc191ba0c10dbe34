"""Display formatting for the chosen language: KRW, numbers, dates (pure; no Streamlit)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from crm import clock
from crm.validation import is_money_field


def krw(
    amount: int | float | None, lang: str = "ko", *, compact: bool = False, millions: bool = False
) -> str:
    """₩1,234,000 in full; compact: 1.2억원 / 123.4백만원 / ₩123.4M (as Korean public reports
    write); millions: always 백만원 / M, so a page of amounts reads in one unit. Scaled amounts
    keep one decimal only when it is not zero after rounding: 9,150백만원, 12.5백만원."""
    if amount is None or pd.isna(amount):
        return "-"
    value = int(amount)
    if not compact and not millions:
        return f"₩{value:,}" if lang == "en" else f"{value:,}원"
    if millions:
        shown = _scaled(value, 1_000_000)
        return f"{shown}백만원" if lang == "ko" else f"₩{shown}M"
    if lang == "ko":
        if abs(value) >= 100_000_000:
            return f"{_scaled(value, 100_000_000)}억원"
        return f"{_scaled(value, 1_000_000)}백만원"
    if abs(value) >= 1_000_000_000:
        return f"₩{_scaled(value, 1_000_000_000)}B"
    return f"₩{_scaled(value, 1_000_000)}M"


def _scaled(value: int, divisor: int) -> str:
    """value / divisor with thousands separators and one decimal, the decimal dropped when the
    rounded figure is whole (9150.0 → 9,150; 12.5 → 12.5; 0.04 → 0)."""
    # Whole tenths in integer arithmetic, half away from zero (as a ledger rounds), no float.
    tenths = (abs(value) * 10 + divisor // 2) // divisor
    whole, tenth = divmod(tenths, 10)
    sign = "-" if value < 0 and tenths else ""
    return f"{sign}{whole:,}" if tenth == 0 else f"{sign}{whole:,}.{tenth}"


def number(value: int | float | None, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{value:.{digits}f}%"


def day(value: date | datetime | None, lang: str = "ko") -> str:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return "-"
    if isinstance(value, datetime):
        return moment(value, lang)
    return value.isoformat() if lang == "en" else value.strftime("%Y.%m.%d")


def moment(
    value: datetime | None, lang: str = "ko", *, zone: str | None = None, label: bool = False
) -> str:
    """A stored (UTC; naive means UTC) timestamp in the office's zone: 2022.11.01 10:39 (ko),
    2022-11-01 10:39 (en); label adds the zone's abbreviation or offset (KST, CET, UTC+5:30)."""
    if value is None or pd.isna(value):
        return "-"
    local = clock.to_office(value, zone)
    text = local.strftime("%Y-%m-%d %H:%M") if lang == "en" else local.strftime("%Y.%m.%d %H:%M")
    if not label:
        return text
    abbreviation = local.tzname() or ""
    shown = abbreviation if abbreviation.isalpha() else clock.utc_offset(local)
    return f"{text} {shown}"


NO_FIGURE = "—"  # st.table and st.markdown read text as Markdown: a lone "-" becomes a bullet


def figure(name: str, value: Any, lang: str = "ko") -> str:
    """An outcome figure as shown: won for a money field, a grouped number otherwise, a dash
    when there is none."""
    if not isinstance(value, int) or isinstance(value, bool):
        return NO_FIGURE
    return krw(value, lang) if is_money_field(name) else number(value)
