"""The Quarter value type: the one place that maps days to quarters and back."""

from __future__ import annotations

from datetime import date

import pytest

from crm.quarters import Quarter


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 1), Quarter(2023, 1)),
        (date(2023, 3, 31), Quarter(2023, 1)),
        (date(2023, 4, 1), Quarter(2023, 2)),
        (date(2023, 6, 30), Quarter(2023, 2)),
        (date(2023, 7, 1), Quarter(2023, 3)),
        (date(2023, 9, 30), Quarter(2023, 3)),
        (date(2023, 10, 1), Quarter(2023, 4)),
        (date(2023, 12, 31), Quarter(2023, 4)),
    ],
)
def test_quarter_of_a_day(day: date, expected: Quarter) -> None:
    assert Quarter.of(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 1), Quarter(2022, 4)),
        (date(2023, 3, 31), Quarter(2022, 4)),
        (date(2023, 4, 1), Quarter(2023, 1)),
        (date(2023, 6, 30), Quarter(2023, 1)),
        (date(2023, 7, 1), Quarter(2023, 2)),
        (date(2023, 10, 1), Quarter(2023, 3)),
        (date(2023, 12, 31), Quarter(2023, 3)),
    ],
)
def test_previous_quarter_of_a_day(day: date, expected: Quarter) -> None:
    assert Quarter.of(day).previous() == expected


def test_next_of_q4_is_next_years_q1() -> None:
    assert Quarter(2022, 4).next() == Quarter(2023, 1)
    assert Quarter(2022, 2).next() == Quarter(2022, 3)


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (Quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31)),
        (Quarter(2024, 2), date(2024, 4, 1), date(2024, 6, 30)),
        (Quarter(2024, 3), date(2024, 7, 1), date(2024, 9, 30)),
        (Quarter(2024, 4), date(2024, 10, 1), date(2024, 12, 31)),
    ],
)
def test_bounds_are_first_and_last_day(quarter: Quarter, start: date, end: date) -> None:
    assert quarter.bounds() == (start, end)
    assert quarter.contains(start) and quarter.contains(end)
    assert not quarter.contains(date.fromordinal(start.toordinal() - 1))
    assert not quarter.contains(date.fromordinal(end.toordinal() + 1))


def test_index_counts_quarters_from_year_zero() -> None:
    assert Quarter(2022, 1).index == 8088
    assert Quarter(2021, 4).index == 8087
    assert Quarter.from_index(8091) == Quarter(2022, 4)
    assert Quarter.from_index(8092) == Quarter(2023, 1)


def test_label_and_order() -> None:
    assert Quarter(2022, 3).label == "2022-Q3"
    assert sorted([Quarter(2023, 1), Quarter(2022, 4), Quarter(2022, 2)]) == [
        Quarter(2022, 2),
        Quarter(2022, 4),
        Quarter(2023, 1),
    ]


@pytest.mark.parametrize("number", [0, 5, -1])
def test_a_quarter_is_numbered_one_to_four(number: int) -> None:
    with pytest.raises(ValueError, match="1 to 4"):
        Quarter(2022, number)


def test_vectorised_quarter_maths_agrees_with_the_value_type() -> None:
    """analytics keeps numpy forms of the same rule for speed: they must give the same answers."""
    import numpy as np
    import pandas as pd

    from crm.analytics.frames import quarter_numbers
    from crm.analytics.outcomes import quarter_end_days, quarter_number

    days = pd.date_range("2020-12-01", "2024-02-29", freq="D")
    expected = [Quarter.of(d.date()).index for d in days]
    assert quarter_numbers(pd.Series(days).astype("datetime64[s]")).tolist() == expected
    quarters = [Quarter.from_index(i) for i in range(min(expected), max(expected) + 1)]
    numbers = quarter_number(
        np.array([q.year for q in quarters]), np.array([q.number for q in quarters])
    )
    assert numbers.tolist() == [q.index for q in quarters]
    epoch = date(1970, 1, 1)
    assert quarter_end_days(numbers).tolist() == [(q.end - epoch).days for q in quarters]
