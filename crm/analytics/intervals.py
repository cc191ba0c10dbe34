"""Binomial proportions with a 95% Wilson score interval, and the small-sample warning.

Why Wilson and not the textbook p ± z·√(p(1−p)/n): the textbook interval collapses to a width of
zero at 0/n and n/n and spills outside [0, 1] for small n, which is exactly where an analyst most
needs to see how little the data says. Wilson stays inside [0, 1] and keeps a sensible width.

    centre = (p + z²/2n) / (1 + z²/n)
    half   = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)

With n = 0 there is no rate: the functions return NaN rather than a made-up number.
"""

from __future__ import annotations

import math

import numpy as np

from crm.i18n import t

Z_95 = 1.959963984540054  # the two-sided 97.5% normal quantile; 1.96 rounds it
MIN_N = 10  # below this many companies a group is flagged as too small to compare


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for k successes out of n; (nan, nan) when n == 0."""
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At 0/n and n/n the bound is exactly 0 or 1; rounding would leave a 1e-17 crumb.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return (low, high)


def wilson_bounds(
    k: np.ndarray, n: np.ndarray, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised `wilson_interval`: (rate, low, high) arrays, NaN wherever n == 0."""
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    empty = n <= 0
    rate = np.where(empty, np.nan, p)
    low = np.where(empty, np.nan, np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0)))
    high = np.where(empty, np.nan, np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0)))
    return rate, low, high


def small_sample_warnings(
    n: np.ndarray, min_n: int = MIN_N, lang: str = "ko"
) -> tuple[np.ndarray, np.ndarray]:
    """(flag, text) per group: flagged when n < min_n; the text says so in plain words."""
    n = np.asarray(n, dtype=np.int64)
    flag = n < min_n
    text = np.array(
        [
            t("analytics.warning.small_sample", lang, n=int(v), min_n=min_n) if f else ""
            for v, f in zip(n, flag, strict=True)
        ],
        dtype=object,
    )
    return flag, text
