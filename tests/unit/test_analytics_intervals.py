"""Wilson intervals against known values, the vectorised form against the scalar one, and the
small-sample warning in both languages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.analytics.intervals import small_sample_warnings, wilson_bounds, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # p = 0.5, z² = 3.8416: centre = (0.5 + 0.19208) / 1.38416 = 0.5,
        # half = 1.96·√(0.025 + 0.009604) / 1.38416 = 0.26341 -> 0.2366 … 0.7634
        (5, 10, 0.2366, 0.7634),
        # p = 0: centre = half = 0.19208 / 1.38416 = 0.13877 -> 0 … 0.2775
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        # p = 1, n = 1: centre = (1 + 1.9208) / 4.8416 = 0.60327, half = 1.96·0.98/4.8416 = 0.39673
        (1, 1, 0.2065, 1.0),
        # p = 2/3, n = 6: denominator 1.640267, centre 0.601609, half 0.301621
        (4, 6, 0.3000, 0.9032),
    ],
)
def test_known_values(k: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(k, n)
    assert got == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_no_observations_gives_no_interval() -> None:
    low, high = wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)
    rate, lo, hi = wilson_bounds(np.array([0]), np.array([0]))
    assert np.isnan(rate[0]) and np.isnan(lo[0]) and np.isnan(hi[0])


def test_wider_z_gives_wider_interval() -> None:
    low95, high95 = wilson_interval(5, 10)
    low99, high99 = wilson_interval(5, 10, z=2.576)
    assert low99 < low95 and high99 > high95
    # z² = 6.635776: half = 2.576·√(0.025 + 0.0165894) / 1.6635776 = 0.315787
    assert (low99, high99) == (pytest.approx(0.1842, abs=5e-5), pytest.approx(0.8158, abs=5e-5))


def test_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


@given(
    st.integers(min_value=0, max_value=2000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_vectorised_matches_scalar_and_brackets_the_rate(kn: tuple[int, int]) -> None:
    k, n = kn
    rate, low, high = wilson_bounds(np.array([k]), np.array([n]))
    if n == 0:
        assert np.isnan(rate[0])
        return
    assert (low[0], high[0]) == pytest.approx(wilson_interval(k, n), abs=1e-12)
    assert 0.0 <= low[0] <= k / n <= high[0] <= 1.0
    assert rate[0] == k / n


def test_small_sample_warning_in_both_languages() -> None:
    flag, text = small_sample_warnings(np.array([9, 10, 0]), min_n=10, lang="ko")
    assert flag.tolist() == [True, False, True]
    assert "n=9" in text[0] and "10" in text[0] and "표본" in text[0]
    assert text[1] == ""
    _, english = small_sample_warnings(np.array([3]), min_n=5, lang="en")
    assert english[0].startswith("Small sample (n=3, under 5)")
