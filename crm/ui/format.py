"""Display formatting for the chosen language: KRW, numbers, dates (pure; no Streamlit)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd


def krw(
    amount: int | float | None, lang: str = "ko", *, compact: bool = False, millions: bool = False
) -> str:
    """₩1,234,000 in full; compact: 123.4백만원 / ₩123.4M (as Korean public reports write);
    millions: always 백만원 / M, so a column of amounts reads in one unit."""
    if amount is None or pd.isna(amount):
        return "-"
    value = int(amount)
    if not compact and not millions:
        return f"₩{value:,}" if lang == "en" else f"{value:,}원"
    if millions:
        return f"{value / 1_000_000:,.1f}백만원" if lang == "ko" else f"₩{value / 1_000_000:,.1f}M"
    if lang == "ko":
        if abs(value) >= 100_000_000:
            return f"{value / 100_000_000:,.1f}억원"
        return f"{value / 1_000_000:,.1f}백만원"
    if abs(value) >= 1_000_000_000:
        return f"₩{value / 1_000_000_000:,.1f}B"
    return f"₩{value / 1_000_000:,.1f}M"


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
        return (
            value.strftime("%Y-%m-%d %H:%M") if lang == "en" else value.strftime("%Y.%m.%d %H:%M")
        )
    return value.isoformat() if lang == "en" else value.strftime("%Y.%m.%d")
