"""Stage counts at month ends and transitions per month / quarter for the hand-built cohort."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    month_ends,
    stage_counts_by_month,
    transitions,
)
from tests.analytics_cohort import cohort_frames


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())


def test_month_ends() -> None:
    assert month_ends(date(2022, 1, 15), date(2022, 3, 1)) == [
        date(2022, 1, 31),
        date(2022, 2, 28),
        date(2022, 3, 31),
    ]
    assert month_ends(date(2022, 3, 1), date(2022, 1, 1)) == []


def test_counts_at_month_ends(frames: AnalyticsFrames) -> None:
    table = stage_counts_by_month(frames, start=date(2021, 12, 1), end=date(2022, 10, 31))
    counts = table.pivot(index="month_end", columns="stage", values="companies")
    counts = counts[["pre_startup", "startup", "growth"]]

    def at(day: str) -> list[int]:
        return counts.loc[pd.Timestamp(day)].tolist()

    # 2021-12-31: only c11 (entered 2021-12-01).
    assert at("2021-12-31") == [1, 0, 0]
    # 2022-01-31 (d30): pre c1 c2 c3 c4 c5 (entered d30, counted) c11; startup c7 c8; growth c9.
    assert at("2022-01-31") == [6, 2, 1]
    # 2022-03-31 (d89): c1 startup since d60, c11 since d50, c6 entered; c5 grows on d90.
    assert at("2022-03-31") == [5, 4, 1]
    # 2022-07-31 (d211): pre c4 c6; startup c2 (d100) c3 (d130) c8 c9 (back on d200) c11;
    # growth c1 (d200) c5 (d90) c7 (d150).
    assert at("2022-07-31") == [2, 5, 3]
    # 2022-09-30 (d272): c3 back in pre-startup since d250.
    assert at("2022-09-30") == [3, 4, 3]
    assert table["companies"].groupby(table["month_end"]).sum().max() == 10  # c10 filtered out


def test_transitions_per_quarter_flag_backward_moves(frames: AnalyticsFrames) -> None:
    table = transitions(frames, period="quarter")
    rows = list(
        table[["period", "from_stage", "to_stage", "backward", "moves"]].itertuples(
            index=False, name=None
        )
    )
    assert rows == [
        ("2022-Q1", "pre_startup", "startup", False, 2),  # c11 d50, c1 d60
        ("2022-Q2", "pre_startup", "startup", False, 2),  # c2 d100, c3 d130
        ("2022-Q2", "pre_startup", "growth", False, 1),  # c5 d90, skipping startup
        ("2022-Q2", "startup", "growth", False, 1),  # c7 d150
        ("2022-Q3", "startup", "pre_startup", True, 1),  # c3 d250: counted, flagged
        ("2022-Q3", "startup", "growth", False, 1),  # c1 d200
        ("2022-Q3", "growth", "startup", True, 1),  # c9 d200
    ]
    assert table["period_start"].tolist()[0] == pd.Timestamp("2022-01-01")
    assert table.loc[table["backward"], "direction"].unique().tolist() == ["backward"]


def test_transitions_per_month_and_bounds(frames: AnalyticsFrames) -> None:
    table = transitions(frames, period="month")
    assert table.groupby("period")["moves"].sum().to_dict() == {
        "2022-02": 1,  # c11 d50 = 02-20
        "2022-03": 1,  # c1 d60 = 03-02
        "2022-04": 2,  # c5 d90 = 04-01, c2 d100 = 04-11
        "2022-05": 2,  # c3 d130 = 05-11, c7 d150 = 05-31
        "2022-07": 2,  # c1 and c9 d200 = 07-20
        "2022-09": 1,  # c3 d250 = 09-08
    }
    bounded = transitions(frames, start=date(2022, 4, 1), end=date(2022, 5, 30))
    assert bounded["moves"].sum() == 3  # c5 04-01 (inclusive), c2, c3; c7 on 05-31 is out
    with pytest.raises(ValueError):
        transitions(frames, period="week")
