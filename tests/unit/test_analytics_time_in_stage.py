"""Time in stage for the hand-built cohort: spells, Kaplan–Meier medians with open stays censored
at the as-of date (d300), worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    company_progress,
    stage_durations,
    stage_spells,
    time_in_stage,
    time_in_stage_curve,
)
from tests.analytics_cohort import AS_OF, cohort_frames, d


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())


def test_spells_of_a_company_that_fell_back(frames: AnalyticsFrames) -> None:
    spells = stage_spells(frames.stages, as_of=AS_OF)
    c3 = spells[spells["company_id"] == 3]
    assert c3["stage"].tolist() == ["pre_startup", "startup", "pre_startup"]
    assert c3["left_on"].tolist()[:2] == [pd.Timestamp(d(130)), pd.Timestamp(d(250))]
    assert pd.isna(c3["left_on"].tolist()[2])
    assert c3["direction"].tolist() == ["forward", "backward", ""]
    assert c3["spell_no"].tolist() == [0, 1, 2]
    # As of d200, c3's move back (d250) has not happened: its startup spell is open.
    earlier = stage_spells(frames.stages, as_of=d(200))
    assert earlier[earlier["company_id"] == 3]["direction"].tolist() == ["forward", ""]


def test_repeated_stage_entries_are_one_spell() -> None:
    from crm.analytics import make_frames

    frames = make_frames(
        companies=[{"company_id": 1, "name_ko": "가"}],
        stages=[
            {"company_id": 1, "stage": "startup", "entered_on": d(0)},
            {"company_id": 1, "stage": "startup", "entered_on": d(10)},
            {"company_id": 1, "stage": "growth", "entered_on": d(30)},
        ],
    )
    spells = stage_spells(frames.stages)
    assert spells["stage"].tolist() == ["startup", "growth"]
    assert spells["left_on"].tolist()[0] == pd.Timestamp(d(30))  # 30 days, not 20


def test_progress(frames: AnalyticsFrames) -> None:
    progress = company_progress(frames.stages, as_of=AS_OF).set_index("company_id")
    assert progress.loc[3, ["entry_stage", "current_stage", "max_rank"]].tolist() == [
        "pre_startup",
        "pre_startup",
        1,
    ]
    assert progress.loc[3, "backward_moves"] == 1
    assert progress.loc[5, "stage_mask"] == 0b101  # pre-startup and growth, no startup
    assert progress.loc[11, "entry_year"] == 2021
    assert progress["backward_moves"].sum() == 2  # c3 and c9


def test_durations_and_censoring(frames: AnalyticsFrames) -> None:
    durations = stage_durations(frames, as_of=AS_OF)
    pre = durations[durations["stage"] == "pre_startup"].sort_values("days")
    # Left: c1 60 (d0->d60), c5 60 (d30->d90), c11 81 (d-31->d50), c2 100, c3 120 (d10->d130).
    # Open on d300: c3's second stay 50 (d250->), c6 260 (d40->), c4 280 (d20->).
    assert pre["days"].tolist() == [50, 60, 60, 81, 100, 120, 260, 280]
    assert pre["observed"].tolist() == [False, True, True, True, True, True, False, False]


def test_time_in_stage_table(frames: AnalyticsFrames) -> None:
    table = time_in_stage(frames, as_of=AS_OF).set_index("stage")
    # Pre-startup: S(60) = 5/7, S(81) = 4/7, S(100) = 3/7 (see test_analytics_survival).
    pre = table.loc["pre_startup"]
    assert pre[["spells", "companies", "events", "forward", "backward", "censored"]].tolist() == [
        8,
        7,
        5,
        5,
        0,
        3,
    ]
    assert (pre["q1_days"], pre["median_days"]) == (60, 100)
    assert math.isnan(pre["q3_days"])
    # Startup spells: c1 140 (forward), c3 120 (backward), c7 145 (forward); open: c2 200,
    # c8 285, c9 100 (since d200), c11 250 (since d50).
    # At risk 7 -> censored 100 -> 6: S(120) = 5/6, S(140) = 4/6, S(145) = 3/6 = 0.5.
    startup = table.loc["startup"]
    assert startup[["spells", "events", "forward", "backward", "censored"]].tolist() == [
        7,
        3,
        2,
        1,
        4,
    ]
    assert (startup["q1_days"], startup["median_days"]) == (140, 145)
    # Growth: c9 left after 200 days (backward); open: c1 100, c7 150, c5 210.
    # At 200 the risk set is {200, 210}: S(200) = 1/2, so median = q1 = 200.
    growth = table.loc["growth"]
    assert growth[["spells", "events", "backward", "censored"]].tolist() == [4, 1, 1, 3]
    assert (growth["q1_days"], growth["median_days"]) == (200, 200)
    # The censoring rule is written next to the figures.
    assert "2022-10-28" in pre["note"] and "3" in pre["note"]
    english = time_in_stage(frames, as_of=AS_OF, lang="en").set_index("stage")
    assert "right-censored" in english.loc["pre_startup", "note"]


def test_time_in_stage_curve(frames: AnalyticsFrames) -> None:
    curve = time_in_stage_curve(frames, as_of=AS_OF)
    startup = curve[curve["stage"] == "startup"]
    assert startup["days"].tolist() == [100, 120, 140, 145, 200, 250, 285]
    assert startup["survival"].tolist() == pytest.approx(
        [1, 5 / 6, 4 / 6, 3 / 6, 3 / 6, 3 / 6, 3 / 6], abs=1e-12
    )
    assert set(curve["stage"]) == {"pre_startup", "startup", "growth"}


def test_earlier_as_of_censors_more(frames: AnalyticsFrames) -> None:
    # As of d100: pre-startup left: c1 60, c5 60, c11 81, c2 100; open: c3 90, c4 80, c6 60.
    # Sorted: 60 (2 events, 1 censored), 80c, 81e, 90c, 100e. At 60: 7 at risk, S = 5/7;
    # 81: 3 at risk -> 5/7·2/3 = 10/21 ≈ 0.476 -> median 81.
    table = time_in_stage(frames, as_of=d(100)).set_index("stage")
    assert table.loc["pre_startup", "events"] == 4
    assert table.loc["pre_startup", "censored"] == 3
    assert table.loc["pre_startup", "median_days"] == 81
