"""Kaplan–Meier on hand-worked examples: censored spells stay in the risk set, quantiles follow
"smallest t with S(t) ≤ 1 − p", and a quantile the data cannot reach is NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.analytics.survival import kaplan_meier, km_quantile


def test_curve_with_censoring() -> None:
    # Pre-startup stays of the test cohort: departures at 60, 60, 81, 100, 120 days;
    # still open (censored) at 50, 260 and 280 days.
    durations = np.array([60, 100, 120, 50, 280, 60, 260, 81])
    observed = np.array([True, True, True, False, False, True, False, True])
    curve = kaplan_meier(durations, observed)
    assert curve["time"].tolist() == [50, 60, 81, 100, 120, 260, 280]
    # at risk: 8 before 50; the censored 50 leaves -> 7 at 60; two leave -> 5 at 81; ...
    assert curve["at_risk"].tolist() == [8, 7, 5, 4, 3, 2, 1]
    assert curve["events"].tolist() == [0, 2, 1, 1, 1, 0, 0]
    assert curve["censored"].tolist() == [1, 0, 0, 0, 0, 1, 1]
    # S(50) = 1; S(60) = 1·(1 − 2/7) = 5/7; S(81) = 5/7·(1 − 1/5) = 4/7; S(100) = 4/7·3/4 = 3/7;
    # S(120) = 3/7·2/3 = 2/7; then only censoring: stays 2/7.
    expected = [1, 5 / 7, 4 / 7, 3 / 7, 2 / 7, 2 / 7, 2 / 7]
    assert curve["survival"].tolist() == pytest.approx(expected, abs=1e-12)
    assert km_quantile(curve, 0.25) == 60  # first S ≤ 0.75 is 5/7 ≈ 0.714 at 60
    assert km_quantile(curve, 0.5) == 100  # first S ≤ 0.5 is 3/7 at 100
    # Ignoring censoring the median would be 81 (the middle of 60, 60, 81, 100, 120):
    # the open stays make the stay longer, which is the point of counting them.
    assert math.isnan(km_quantile(curve, 0.75))  # S never reaches 0.25: "not reached"


def test_survival_exactly_one_half_counts_as_reached() -> None:
    # 5/6 · 4/5 · 3/4 is 0.5 in exact arithmetic; floating point must not miss it.
    durations = np.array([100, 120, 140, 145, 200, 250, 285])
    observed = np.array([False, True, True, True, False, False, False])
    curve = kaplan_meier(durations, observed)
    assert curve["survival"].tolist()[3] == pytest.approx(0.5, abs=1e-12)
    assert km_quantile(curve, 0.5) == 145
    assert km_quantile(curve, 0.25) == 140  # S(140) = 4/6


def test_empty_and_all_censored() -> None:
    empty = kaplan_meier(np.array([]), np.array([], dtype=bool))
    assert len(empty) == 0 and math.isnan(km_quantile(empty, 0.5))
    censored = kaplan_meier(np.array([5, 9]), np.array([False, False]))
    assert censored["survival"].tolist() == [1.0, 1.0]
    assert math.isnan(km_quantile(censored, 0.5))


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        kaplan_meier(np.array([-1]), np.array([True]))
    with pytest.raises(ValueError):
        kaplan_meier(np.array([1, 2]), np.array([True]))
    with pytest.raises(ValueError):
        km_quantile(kaplan_meier(np.array([1]), np.array([True])), 1.0)


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40))
def test_without_censoring_it_is_the_empirical_survival(durations: list[int]) -> None:
    values = np.array(durations)
    curve = kaplan_meier(values, np.ones(len(values), dtype=bool))
    for time, survival in zip(curve["time"], curve["survival"], strict=True):
        assert survival == pytest.approx((values > time).mean(), abs=1e-9)
    # The median is then the lower sample median: the smallest t with at least half gone.
    ordered = np.sort(values)
    assert km_quantile(curve, 0.5) == ordered[(len(values) + 1) // 2 - 1]
