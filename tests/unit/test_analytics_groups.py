"""Breakdown groups and computing any analytic per group."""

from __future__ import annotations

import pytest

from crm.analytics import (
    NO_GROUP,
    AnalyticsFrames,
    Filters,
    apply_filters,
    by_group,
    company_groups,
    time_in_stage,
)
from tests.analytics_cohort import AS_OF, cohort_frames


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())


def members(frames: AnalyticsFrames, by: str) -> dict[str, list[int]]:
    groups = company_groups(frames, by)
    return {g: sorted(rows["company_id"].tolist()) for g, rows in groups.groupby("group")}


def test_attribute_groups(frames: AnalyticsFrames) -> None:
    assert members(frames, "industry") == {
        "automotive": [5, 6],
        "energy": [3, 4, 8],
        "healthcare": [1, 2, 7, 9],
        "other": [11],
    }
    assert members(frames, "ai_field")[NO_GROUP] == [6]
    assert members(frames, "location")[NO_GROUP] == [5]
    assert members(frames, "officer") == {
        "Officer1 테스트": [1, 2, 5, 8],
        "Officer2 테스트": [3, 4, 7, 9, 11],
        NO_GROUP: [6],
    }


def test_programme_groups_overlap(frames: AnalyticsFrames) -> None:
    assert members(frames, "programme") == {
        "2022 investment": [5],
        "2022 mentoring": [1, 2, 3, 4, 7, 9, 11],
        "2022 overseas": [2],
        "2022 prototyping": [1, 8],
        NO_GROUP: [6],  # c6's only activity was cancelled
    }
    with pytest.raises(ValueError):
        company_groups(frames, "colour")


def test_by_group_runs_any_analytic(frames: AnalyticsFrames) -> None:
    table = by_group(frames, "industry", time_in_stage, as_of=AS_OF)
    assert list(table.columns[:2]) == ["group", "stage"]
    energy = table[table["group"] == "energy"].set_index("stage")
    # Energy: c3 pre 120 (left) + pre 50 (open), c4 pre 280 (open); c3 startup 120 (back),
    # c8 startup 285 (open).
    assert energy.loc["pre_startup", ["spells", "events", "censored"]].tolist() == [3, 1, 2]
    assert energy.loc["startup", ["events", "backward", "censored"]].tolist() == [1, 1, 1]
    # KM for energy pre-startup: 50c, 120e (2 at risk -> S = 1/2), 280c: median 120.
    assert energy.loc["pre_startup", "median_days"] == 120
    assert set(table["group"]) == {"automotive", "energy", "healthcare", "other"}
