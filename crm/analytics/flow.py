"""Flow over time: how many companies sit in each stage at each month end, and the moves.

`stage_counts_by_month` counts a company in the stage of its latest entry on or before each month
end (the house rule for "current stage"); companies not yet entered are not counted. It is done
with one difference array per stage over the spells, so it costs O(spells + months).

`transitions` counts moves between stages per month or quarter. A move to a lower stage is a
backward move: it is counted like any other, with `direction="backward"` and `backward=True`, so a
chart can colour it instead of dropping it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crm.analytics.frames import STAGES, AnalyticsFrames, day_number, days_of
from crm.analytics.history import stage_spells
from crm.analytics.keys import company_mask
from crm.quarters import Quarter

PERIODS = ("month", "quarter")


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month from `start`'s month to `end`'s month, inclusive."""
    if end < start:
        return []
    months = pd.period_range(start=start, end=end, freq="M")
    return [p.end_time.date() for p in months]


def _spells_of(frames: AnalyticsFrames, as_of: date | None = None) -> pd.DataFrame:
    spells = stage_spells(frames.stages, as_of=as_of)
    mask = company_mask(spells["company_id"].to_numpy(), frames.companies["company_id"].to_numpy())
    return spells[mask].reset_index(drop=True)


def stage_counts_by_month(frames: AnalyticsFrames, *, start: date, end: date) -> pd.DataFrame:
    """Long frame: month_end, stage, companies (every month end × stage, zeros included)."""
    ends = month_ends(start, end)
    ends_days = np.array([day_number(d) for d in ends], dtype=np.int64)
    spells = _spells_of(frames)
    entered = days_of(spells["entered_on"])
    left = spells["left_on"].to_numpy().astype("datetime64[D]").astype(np.int64)
    open_ = spells["left_on"].isna().to_numpy()
    # In the stage at month end m iff entered_on <= m < left_on.
    first = np.searchsorted(ends_days, entered, side="left")
    stop = np.where(open_, len(ends), np.searchsorted(ends_days, left, side="left"))
    rank = spells["rank"].to_numpy()
    parts = []
    for r, stage in enumerate(STAGES):
        own = rank == r
        delta = np.bincount(first[own], minlength=len(ends) + 1)[: len(ends) + 1]
        delta = delta - np.bincount(stop[own], minlength=len(ends) + 1)[: len(ends) + 1]
        parts.append(
            pd.DataFrame(
                {
                    "month_end": np.array(ends, dtype="datetime64[D]").astype("datetime64[s]"),
                    "stage": stage,
                    "companies": np.cumsum(delta)[: len(ends)].astype(np.int64),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = out["stage"].astype("str")
    return out.sort_values(["month_end", "stage"], kind="stable", key=_stage_order).reset_index(
        drop=True
    )


def _stage_order(column: pd.Series) -> pd.Series:
    if column.name in ("stage", "from_stage", "to_stage"):
        return column.map({s: i for i, s in enumerate(STAGES)})
    return column


def transitions(
    frames: AnalyticsFrames,
    *,
    period: str = "month",
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Moves per period: period_start, period ("2022-05" or "2022-Q2"), from_stage, to_stage,
    direction ("forward" / "backward"), backward (bool), moves. Only periods with moves appear;
    `start`/`end` bound the move dates (inclusive)."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {PERIODS}")
    spells = _spells_of(frames)
    moved = spells[spells["left_on"].notna()]
    day = days_of(moved["left_on"])
    keep = np.ones(len(moved), dtype=bool)
    if start is not None:
        keep &= day >= day_number(start)
    if end is not None:
        keep &= day <= day_number(end)
    moved = moved[keep]
    months = moved["left_on"].to_numpy().astype("datetime64[M]")
    if period == "quarter":
        month_index = months.astype(np.int64)
        months = (month_index - month_index % 3).astype("datetime64[M]")
    table = pd.DataFrame(
        {
            "period_start": months.astype("datetime64[s]"),
            "from_stage": moved["stage"].to_numpy(),
            "to_stage": moved["next_stage"].to_numpy(),
            "direction": moved["direction"].to_numpy(),
        }
    )
    counts = (
        table.groupby(["period_start", "from_stage", "to_stage", "direction"], sort=False)
        .size()
        .rename("moves")
        .reset_index()
    )
    counts = counts.sort_values(
        ["period_start", "from_stage", "to_stage"], kind="stable", key=_stage_order
    ).reset_index(drop=True)
    stamps = pd.DatetimeIndex(counts["period_start"])
    if period == "month":
        labels = stamps.strftime("%Y-%m")
    else:
        labels = [Quarter.of(s.date()).label for s in stamps]
    counts.insert(1, "period", pd.Series(labels, dtype="str"))
    counts["backward"] = (counts["direction"] == "backward").to_numpy(dtype=bool)
    counts["moves"] = counts["moves"].astype(np.int64)
    for column in ("from_stage", "to_stage", "direction"):
        counts[column] = counts[column].astype("str")
    return counts[
        ["period_start", "period", "from_stage", "to_stage", "direction", "backward", "moves"]
    ]
