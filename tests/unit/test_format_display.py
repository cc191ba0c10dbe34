"""Numbers, percentages and dates for display (KRW in test_format_krw.py, times in
test_clock.py): thousands separators, fixed decimals, the Korean and English date forms, and a
dash for anything missing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from crm.ui import format as fmt


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (1_234_567, 0, "1,234,567"),
        (1234.5, 1, "1,234.5"),
        (0.25, 2, "0.25"),
        (-9876, 0, "-9,876"),
        (2.5, 0, "2"),  # Python's rounding: half to even
    ],
)
def test_number(value: float, digits: int, shown: str) -> None:
    assert fmt.number(value, digits) == shown


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [(12.345, 1, "12.3%"), (100, 0, "100%"), (0, 1, "0.0%"), (7.25, 2, "7.25%")],
)
def test_percent(value: float, digits: int, shown: str) -> None:
    assert fmt.percent(value, digits) == shown


def test_percent_defaults_to_one_decimal() -> None:
    assert fmt.percent(33.333) == "33.3%"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_are_a_dash(missing: object) -> None:
    assert fmt.number(missing) == "-"  # type: ignore[arg-type]
    assert fmt.percent(missing) == "-"  # type: ignore[arg-type]
    assert fmt.day(missing) == "-"  # type: ignore[arg-type]


def test_day_in_each_language() -> None:
    assert fmt.day(date(2022, 3, 7), "ko") == "2022.03.07"
    assert fmt.day(date(2022, 3, 7), "en") == "2022-03-07"
    assert fmt.day(date(2022, 3, 7)) == "2022.03.07"  # Korean first


def test_day_given_a_timestamp_shows_the_office_time() -> None:
    stamp = datetime(2022, 12, 31, 16, 30, tzinfo=UTC)  # 1 January 01:30 in Seoul
    assert fmt.day(stamp, "ko") == "2023.01.01 01:30"
    assert fmt.day(stamp, "en") == "2023-01-01 01:30"


def test_an_outcome_figure_reads_as_money_a_number_or_a_dash() -> None:
    assert fmt.figure("revenue_krw", 65_000_000) == "65,000,000원"
    assert fmt.figure("employees", 1200) == "1,200"
    # No figure: a dash that Markdown (st.table, st.markdown) does not turn into a bullet.
    assert fmt.figure("employees", None) == fmt.figure("exports_krw", "x") == "—"
    assert fmt.figure("employees", True) == "—"
