"""The stage funnel of a cohort, per group, and the companies behind any bar.

A cohort is the companies whose *first* stage entry is `entry_stage` (and, if given, dated in
`entry_year`). For each stage from the entry stage up:

- reached: companies whose highest stage so far is this one or higher. A company that skipped a
  stage (pre-startup straight to growth) has passed through it, so the bars never grow from one
  stage to the next and every conversion is a true proportion; `skipped` says how many did so.
  A company that later fell back still counts as having reached the stage; `now_below` counts
  those, so a fall back is visible rather than hidden or double counted.
- recorded: companies with an actual entry in this stage.
- now_here: companies whose current stage is this one.
- from_stage, n, converted, rate, ci_low, ci_high: the conversion from the previous stage,
  converted of n companies, with its 95% Wilson interval (NaN on the entry stage's row, and when
  n is 0).
- small_sample, warning: n below `min_n`, and a plain sentence saying what that means.

Only entries up to `as_of` count (None: all of them).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crm.analytics.frames import STAGE_RANK, STAGES, AnalyticsFrames, day_number
from crm.analytics.groups import company_groups
from crm.analytics.history import company_progress, stage_at
from crm.analytics.intervals import MIN_N, small_sample_warnings, wilson_bounds
from crm.analytics.keys import company_mask
from crm.models import Stage

MEASURES: tuple[str, ...] = ("reached", "recorded", "skipped", "now_here", "now_below")


def _rank(stage: Stage | str) -> int:
    value = Stage(stage).value
    return STAGE_RANK[value]


def cohort_progress(
    frames: AnalyticsFrames,
    *,
    entry_stage: Stage | str = Stage.PRE_STARTUP,
    entry_year: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """`company_progress` rows of the cohort (companies in `frames.companies` only)."""
    progress = company_progress(frames.stages, as_of=as_of)
    keep = progress["entry_rank"].to_numpy() == _rank(entry_stage)
    if entry_year is not None:
        keep &= progress["entry_year"].to_numpy() == entry_year
    keep &= company_mask(
        progress["company_id"].to_numpy(), frames.companies["company_id"].to_numpy()
    )
    return progress[keep].reset_index(drop=True)


def _flags(cohort: pd.DataFrame, rank: int) -> dict[str, np.ndarray]:
    max_rank = cohort["max_rank"].to_numpy()
    current = cohort["current_rank"].to_numpy()
    reached = max_rank >= rank
    recorded = (cohort["stage_mask"].to_numpy() >> rank) & 1 == 1
    return {
        "reached": reached,
        "recorded": recorded,
        "skipped": reached & ~recorded,
        "now_here": current == rank,
        "now_below": reached & (current < rank),
    }


def _funnel_table(
    cohort: pd.DataFrame,
    codes: np.ndarray,
    labels: list[str],
    entry_rank: int,
    *,
    min_n: int,
    z: float,
    lang: str,
) -> pd.DataFrame:
    parts = []
    for rank in range(entry_rank, len(STAGES)):
        counts = {
            name: np.bincount(codes, weights=flag, minlength=len(labels)).astype(np.int64)
            for name, flag in _flags(cohort, rank).items()
        }
        parts.append(pd.DataFrame({"group": labels, "stage": STAGES[rank], "rank": rank, **counts}))
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(["group", "rank"], kind="stable").reset_index(drop=True)
    rank = table["rank"].to_numpy()
    has_base = rank > entry_rank
    n = np.where(has_base, table.groupby("group", sort=False)["reached"].shift(1).fillna(0), 0)
    converted = np.where(has_base, table["reached"].to_numpy(), 0)
    rate, low, high = wilson_bounds(converted, np.where(has_base, n, 0), z)
    flag, warning = small_sample_warnings(n, min_n, lang)
    table["from_stage"] = pd.Series(
        np.where(has_base, np.array(STAGES, dtype=object)[np.maximum(rank - 1, 0)], None),
        dtype="str",
    )
    table["n"] = n.astype(np.int64)
    table["converted"] = converted.astype(np.int64)
    table["rate"] = rate
    table["ci_low"] = low
    table["ci_high"] = high
    table["small_sample"] = flag & has_base
    table["warning"] = pd.Series(np.where(has_base, warning, ""), dtype="str")
    table["rank"] = table["rank"].astype(np.int64)
    return table


def funnel(
    frames: AnalyticsFrames,
    *,
    entry_stage: Stage | str = Stage.PRE_STARTUP,
    entry_year: int | None = None,
    as_of: date | None = None,
    min_n: int = MIN_N,
    z: float = 1.96,
    lang: str = "ko",
) -> pd.DataFrame:
    """One row per stage from the entry stage up; columns as in the module docstring."""
    cohort = cohort_progress(frames, entry_stage=entry_stage, entry_year=entry_year, as_of=as_of)
    codes = np.zeros(len(cohort), dtype=np.int64)
    table = _funnel_table(cohort, codes, [""], _rank(entry_stage), min_n=min_n, z=z, lang=lang)
    return table.drop(columns="group")


def funnel_by(
    frames: AnalyticsFrames,
    by: str,
    *,
    entry_stage: Stage | str = Stage.PRE_STARTUP,
    entry_year: int | None = None,
    as_of: date | None = None,
    min_n: int = MIN_N,
    z: float = 1.96,
    lang: str = "ko",
) -> pd.DataFrame:
    """`funnel` per group of a breakdown (see `crm.analytics.groups`), with a `group` column.

    Every group of the filtered companies appears, with zeros if none of its companies is in the
    cohort, so small multiples line up."""
    cohort = cohort_progress(frames, entry_stage=entry_stage, entry_year=entry_year, as_of=as_of)
    pairs = company_groups(frames, by)
    labels = sorted(pairs["group"].unique().tolist())
    members = cohort.merge(pairs, on="company_id", how="inner", sort=False)
    codes = pd.Index(labels).get_indexer(members["group"])
    return _funnel_table(members, codes, labels, _rank(entry_stage), min_n=min_n, z=z, lang=lang)


def _named(frames: AnalyticsFrames, company_ids: np.ndarray) -> pd.DataFrame:
    companies = frames.companies
    mask = company_mask(companies["company_id"].to_numpy(), company_ids)
    out = companies.loc[mask, ["company_id", "name_ko"]]
    return out.sort_values(["name_ko", "company_id"], kind="stable").reset_index(drop=True)


def companies_behind(
    frames: AnalyticsFrames,
    stage: Stage | str,
    *,
    measure: str = "reached",
    entry_stage: Stage | str = Stage.PRE_STARTUP,
    entry_year: int | None = None,
    as_of: date | None = None,
    by: str | None = None,
    group: str | None = None,
) -> pd.DataFrame:
    """The companies (company_id, name_ko; sorted by name) counted in one funnel figure: the
    `measure` of `stage`, optionally within one `group` of breakdown `by`. Pass the same cohort
    arguments as the funnel shown; the row count equals that figure."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; use one of {MEASURES}")
    if (by is None) != (group is None):
        raise ValueError("give both `by` and `group`, or neither")
    cohort = cohort_progress(frames, entry_stage=entry_stage, entry_year=entry_year, as_of=as_of)
    chosen = cohort["company_id"].to_numpy()[_flags(cohort, _rank(stage))[measure]]
    if by is not None:
        pairs = company_groups(frames, by)
        in_group = pairs.loc[pairs["group"] == group, "company_id"].to_numpy()
        chosen = chosen[company_mask(chosen, in_group)]
    return _named(frames, chosen)


def companies_in_stage_on(frames: AnalyticsFrames, stage: Stage | str, day: date) -> pd.DataFrame:
    """The companies (company_id, name_ko) whose current stage on `day` was `stage`: the
    companies behind one point of the stage-counts-over-time chart."""
    ids = frames.companies["company_id"].to_numpy()
    ranks = stage_at(frames.stages, ids, np.full(len(ids), day_number(day)))
    return _named(frames, ids[ranks == _rank(stage)])
