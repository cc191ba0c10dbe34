"""Support before a move for the hand-built cohort (as of d300), worked out company by company."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    support_before_move,
    wilson_interval,
)
from tests.analytics_cohort import AS_OF, cohort_frames, d


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())


def row(table: pd.DataFrame, stage: str, kind: str, received: bool) -> pd.Series:
    found = table[
        (table["stage"] == stage) & (table["kind"] == kind) & (table["received"] == received)
    ]
    assert len(found) == 1
    return found.iloc[0]


def test_pre_startup(frames: AnalyticsFrames) -> None:
    table = support_before_move(frames, as_of=AS_OF)
    # Population: first pre-startup stay of c1 c2 c3 c4 c5 c6 c11 (7). Moved up: c1 c2 c3 c5 c11.
    # Mentoring inside [entry, move): c1 d10 < d60 yes; c2 d100 = its move day, so no;
    # c3 d20 yes; c4 d25 (never moved: until d300) yes; c11 d-10 yes. c5, c6: none.
    got = row(table, "pre_startup", "mentoring", True)
    assert (got["companies"], got["moved"]) == (4, 3)  # c1 c3 c11 moved, c4 not
    assert got["rate"] == 0.75
    assert (got["ci_low"], got["ci_high"]) == pytest.approx(wilson_interval(3, 4))
    # Wilson 3/4: denominator 1.9604, centre (0.75 + 0.4802)/1.9604 = 0.62753,
    # half 1.96·√(0.046875 + 0.060025)/1.9604 = 0.32690 -> (0.3006, 0.9544)
    assert got["ci_low"] == pytest.approx(0.3006, abs=5e-5)
    assert got["small_sample"] and "n=4" in got["warning"]
    not_got = row(table, "pre_startup", "mentoring", False)
    assert (not_got["companies"], not_got["moved"]) == (3, 2)  # c2 c5 moved, c6 not
    # Investment: only c5 (d50, before its move on d90).
    assert row(table, "pre_startup", "investment", True)[["companies", "moved"]].tolist() == [1, 1]
    assert row(table, "pre_startup", "investment", False)[["companies", "moved"]].tolist() == [6, 4]
    # Prototyping: c1's d70 came after it left pre-startup: nobody received it there.
    empty = row(table, "pre_startup", "prototyping", True)
    assert empty["companies"] == 0 and math.isnan(empty["rate"]) and empty["small_sample"]


def test_startup(frames: AnalyticsFrames) -> None:
    table = support_before_move(frames, as_of=AS_OF)
    # First startup stays: c1 [60,200) up; c2 [100,-) open; c3 [130,250) back, so not up;
    # c7 [5,150) up; c8 [15,-); c9 [200,-); c11 [50,-). Moved up: c1, c7.
    # Mentoring: c2 d100 (same day it entered: counts), c7 d10, c9 d210.
    assert row(table, "startup", "mentoring", True)[["companies", "moved"]].tolist() == [3, 1]
    assert row(table, "startup", "mentoring", False)[["companies", "moved"]].tolist() == [4, 1]
    # Prototyping: c1 d70 yes; c8's d400 is after the as-of date: no.
    assert row(table, "startup", "prototyping", True)[["companies", "moved"]].tolist() == [1, 1]
    # Overseas: c2 d120 (open stay), did not move.
    overseas = row(table, "startup", "overseas", True)
    assert overseas[["companies", "moved"]].tolist() == [1, 0]
    assert (overseas["ci_low"], overseas["ci_high"]) == pytest.approx(wilson_interval(0, 1))
    # Growth has no higher stage: not in the table.
    assert set(table["stage"]) == {"pre_startup", "startup"}
    assert table["kind"].unique().tolist() == ["mentoring", "prototyping", "investment", "overseas"]


def test_earlier_as_of_and_chosen_stage(frames: AnalyticsFrames) -> None:
    # As of d95 c2 (moves d100) and c3 (d130) have not moved: pre-startup movers are c1 c5 c11.
    table = support_before_move(frames, as_of=d(95), stages=["pre_startup"], kinds=["mentoring"])
    assert len(table) == 2
    got = row(table, "pre_startup", "mentoring", True)
    # Mentored in the window: c1 c3 c4 c11 (c2's d100 is after the as-of date).
    assert got[["companies", "moved"]].tolist() == [4, 2]  # c1 c11 moved
    assert "2022-04-06" in got["note"]  # d95, the as-of date, is named in the note
    with pytest.raises(ValueError):
        support_before_move(frames, as_of=AS_OF, stages=["growth"])


def test_small_groups_are_flagged_with_plain_words(frames: AnalyticsFrames) -> None:
    table = support_before_move(frames, as_of=AS_OF, min_n=4, lang="en")
    assert row(table, "pre_startup", "mentoring", True)["small_sample"] == False  # noqa: E712
    small = row(table, "pre_startup", "mentoring", False)
    assert small["small_sample"] and small["warning"].startswith("Small sample (n=3, under 4)")
    assert "not as the effect" in small["note"]
