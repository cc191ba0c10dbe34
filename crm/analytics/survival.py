"""A small vectorised Kaplan–Meier estimator for "days until a company leaves a stage".

Why not just the median of finished spells: companies still in a stage have not left *yet*; dropping
them keeps only the fast movers and makes stays look short, and counting their days so far as if
they had left does the same. Kaplan–Meier uses each open spell for as long as it was observed
(right-censoring): it is "at risk" of leaving until the as-of date, then drops out of the risk set
without counting as a departure.

At each distinct time t:  S(t) = Π_{tᵢ ≤ t} (1 − dᵢ / nᵢ)  with dᵢ departures at tᵢ and nᵢ
spells still at risk just before tᵢ (duration ≥ tᵢ). A spell censored at t counts as at risk at t
(the usual convention: censoring happens after the departures of the same day).

Quantiles: the p-th quantile of time in stage is the smallest t with S(t) ≤ 1 − p (so the median
is the first t where S drops to 0.5 or below). If S never gets that low, because too many
spells are still open, the quantile is NaN ("not reached"), never a guess.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_TOLERANCE = 1e-12  # S(t) is a product of fractions; 0.5 may come out as 0.5000000000000001


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> pd.DataFrame:
    """The survival curve: one row per distinct duration with columns time, at_risk, events,
    censored, survival (after that time's departures). `observed` is True for a departure and
    False for a censored spell."""
    durations = np.asarray(durations, dtype=np.float64)
    observed = np.asarray(observed, dtype=bool)
    if durations.shape != observed.shape:
        raise ValueError("durations and observed must have the same length")
    if np.any(durations < 0):
        raise ValueError("durations must not be negative")
    times, inverse = np.unique(durations, return_inverse=True)
    total = np.bincount(inverse, minlength=len(times))
    events = np.bincount(inverse, weights=observed.astype(np.float64), minlength=len(times))
    events = events.astype(np.int64)
    at_risk = len(durations) - (np.cumsum(total) - total)  # spells with duration >= time
    survival = np.cumprod(1.0 - events / np.maximum(at_risk, 1))
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(np.int64),
            "events": events,
            "censored": (total - events).astype(np.int64),
            "survival": survival,
        }
    )


def km_quantile(curve: pd.DataFrame, p: float) -> float:
    """Smallest time with survival ≤ 1 − p (p = 0.5: the median); NaN if never reached."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    reached = curve["survival"].to_numpy() <= (1 - p) + _TOLERANCE
    if not reached.any():
        return float("nan")
    return float(curve["time"].to_numpy()[np.argmax(reached)])
