"""Outcomes after support for the hand-built cohort: reports of c1, c2, c4 for 2022 Q1-Q3.

    company  quarter  employees  revenue  investment   stage at quarter end
    c1       Q1       3          10M      0            startup (since d60; Q1 ends d89)
    c1       Q2       5          30M      100M         startup (grows only on d200)
    c1       Q3       6          20M      0
    c2       Q1       2          0        0            pre-startup (moves on d100)
    c2       Q2       2          5M       0            startup
    c2       Q3       4          15M      50M
    c4       Q1-Q3    1, 1, 2    0, 0, 1M 0            pre-startup

With a horizon of one quarter the observations are (c, Q1) and (c, Q2) for each company:
c1 Q1: +2 employees, +20M revenue, 100M invested in Q2;  c1 Q2: +1, −10M, 0;
c2 Q1: 0, +5M, 0;  c2 Q2: +2, +10M, 50M;  c4 Q1: 0, 0, 0;  c4 Q2: +1, +1M, 0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm.analytics import AnalyticsFrames, Filters, apply_filters, outcomes_after_support
from crm.analytics.outcomes import observations, quarter_end_days, quarter_number
from tests.analytics_cohort import cohort_frames

M = 1_000_000


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())


def pick(table: pd.DataFrame, kind: str, stage: str, received: bool, metric: str) -> pd.Series:
    found = table[
        (table["kind"] == kind)
        & (table["stage"] == stage)
        & (table["received"] == received)
        & (table["metric"] == metric)
    ]
    assert len(found) == 1
    return found.iloc[0]


def test_quarter_arithmetic() -> None:
    assert quarter_number(2022, 1) == 8088
    assert quarter_number(2022, 4) + 1 == quarter_number(2023, 1)
    # Ends of 2022 Q1 and Q4 as days since 1970: 2022-03-31 and 2022-12-31.
    assert quarter_end_days([8088, 8091]).tolist() == [19082, 19357]


def test_observations(frames: AnalyticsFrames) -> None:
    obs = observations(frames, horizon=1)
    got = list(
        obs[["company_id", "quarter_number", "stage", "employees_change", "revenue_change_krw",
             "investment_krw"]].itertuples(index=False, name=None)
    )  # fmt: skip
    assert got == [
        (1, 8088, "startup", 2, 20 * M, 100 * M),
        (1, 8089, "startup", 1, -10 * M, 0),
        (2, 8088, "pre_startup", 0, 5 * M, 0),
        (2, 8089, "startup", 2, 10 * M, 50 * M),
        (4, 8088, "pre_startup", 0, 0, 0),
        (4, 8089, "pre_startup", 1, 1 * M, 0),
    ]
    # Two quarters ahead only Q1 has Q2 and Q3: c1 +3 employees, +10M, 100M + 0 invested.
    two = observations(frames, horizon=2)
    assert two["company_id"].tolist() == [1, 2, 4]
    assert two["employees_change"].tolist() == [3, 2, 1]
    assert two["investment_krw"].tolist() == [100 * M, 50 * M, 0]


def test_mentoring(frames: AnalyticsFrames) -> None:
    table = outcomes_after_support(frames)
    # Mentoring quarters: c1 Q1 (d10), c2 Q2 (d100), c4 Q1 (d25).
    # Received: c1 Q1 and c2 Q2 (startup), c4 Q1 (pre-startup).
    # Not received (none in q nor q+1): c1 Q2 (startup), c4 Q2 (pre-startup).
    # c2 Q1 is in neither group: it got mentoring in the next quarter.
    got = pick(table, "mentoring", "startup", True, "employees_change")
    assert (got["observations"], got["companies"], got["mean"], got["median"]) == (2, 2, 2.0, 2.0)
    revenue = pick(table, "mentoring", "startup", True, "revenue_change_krw")
    assert revenue["mean"] == (20 * M + 10 * M) / 2
    invested = pick(table, "mentoring", "startup", True, "investment_krw")
    assert invested["mean"] == (100 * M + 50 * M) / 2
    control = pick(table, "mentoring", "startup", False, "revenue_change_krw")
    assert (control["observations"], control["mean"]) == (1, -10 * M)
    pre = pick(table, "mentoring", "pre_startup", False, "employees_change")
    assert (pre["observations"], pre["mean"]) == (1, 1.0)
    nobody = pick(table, "mentoring", "growth", True, "employees_change")
    assert nobody["observations"] == 0 and math.isnan(nobody["mean"])
    assert nobody["small_sample"] and "n=0" in nobody["warning"]


def test_prototyping_and_overseas(frames: AnalyticsFrames) -> None:
    table = outcomes_after_support(frames)
    # Prototyping: only c1 Q1 (d70). Everyone else is a comparison observation.
    control = pick(table, "prototyping", "pre_startup", False, "employees_change")
    # c2 Q1, c4 Q1, c4 Q2: changes 0, 0, +1 -> mean 1/3, median 0; two companies.
    assert (control["observations"], control["companies"]) == (3, 2)
    assert control["mean"] == pytest.approx(1 / 3) and control["median"] == 0
    revenue = pick(table, "prototyping", "pre_startup", False, "revenue_change_krw")
    assert (revenue["mean"], revenue["median"]) == (2 * M, 1 * M)  # (5M + 0 + 1M) / 3
    startup = pick(table, "prototyping", "startup", False, "employees_change")
    assert (startup["observations"], startup["mean"]) == (2, 1.5)  # c1 Q2 +1, c2 Q2 +2
    # Overseas: c2 Q2 (d120) received; c2 Q1 left out (got it in Q2).
    overseas = pick(table, "overseas", "startup", True, "investment_krw")
    assert (overseas["observations"], overseas["mean"]) == (1, 50 * M)


def test_shape_and_note(frames: AnalyticsFrames) -> None:
    table = outcomes_after_support(frames, lang="en")
    # 4 kinds × 3 stages × 2 groups × 3 metrics.
    assert len(table) == 72
    assert table["kind"].unique().tolist() == ["mentoring", "prototyping", "investment", "overseas"]
    assert table["metric"].unique().tolist() == [
        "employees_change",
        "revenue_change_krw",
        "investment_krw",
    ]
    assert table["note"].nunique() == 1
    assert "do not read the difference as the effect" in table["note"][0]
    assert table["small_sample"].all()  # every group here is under 10
    with pytest.raises(ValueError):
        outcomes_after_support(frames, horizon=0)
