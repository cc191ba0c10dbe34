"""The sidebar filters as one value, applied to loaded frames with vectorised masks.

The page loads the frames once (cached) and calls `apply_filters` on every filter change; nothing
here goes back to the database. `Filters` is a frozen dataclass of tuples, so it is hashable and
can key a cache. An empty tuple means "no restriction".

What each filter means:
- cohort_years, industries, ai_fields, officer_ids, locations: the company's own attributes.
- kinds_received: companies with at least one live activity of *any* of these kinds (within the
  date range, if one is set).
- date_from / date_to: activities are kept if they start in the range; outcome reports if their
  quarter overlaps it; stage entries after date_to are dropped, so stage figures show the history
  as it stood on date_to. Entries before date_from stay: a company's stage on date_from depends on
  them. (Charts over time take their own start/end, which the page sets from the same range.)
- include_archived: archived companies are left out by default, as on the dashboard, so the
  counts agree across pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crm.analytics.frames import (
    DATE_DTYPE,
    AnalyticsFrames,
    category_positions,
    day_number,
    days_of,
    has_activities,
    kinds_of,
)
from crm.analytics.keys import company_mask
from crm.quarters import Quarter


@dataclass(frozen=True)
class Filters:
    cohort_years: tuple[int, ...] = ()
    industries: tuple[str, ...] = ()
    ai_fields: tuple[str, ...] = ()
    officer_ids: tuple[int, ...] = ()
    locations: tuple[str, ...] = ()
    kinds_received: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_archived: bool = False


def restrict_to_companies(
    frames: AnalyticsFrames, company_ids: Sequence[int] | np.ndarray
) -> AnalyticsFrames:
    """The frames with only these companies' rows (programmes stay whole)."""
    ids = np.asarray(company_ids, dtype=np.int64)

    def pick(df: pd.DataFrame) -> pd.DataFrame:
        mask = company_mask(df["company_id"].to_numpy(), ids)
        return df if mask.all() else df[mask].reset_index(drop=True)

    return AnalyticsFrames(
        companies=pick(frames.companies),
        stages=pick(frames.stages),
        activities=pick(frames.activities) if has_activities(frames) else frames.activities,
        outcomes=pick(frames.outcomes),
        programmes=frames.programmes,
    )


def _in(series: pd.Series, values: tuple[object, ...]) -> np.ndarray:
    return series.isin(list(values)).to_numpy(dtype=bool, na_value=False)


def filter_choices(
    frames: AnalyticsFrames, *, activity_span: tuple[date, date] | None = None
) -> dict[str, Any]:
    """What the sidebar can offer, read from the loaded (unfiltered) frames.

    Keys: cohort_years, industries, ai_fields, locations (sorted values that occur),
    officers ((officer_id, officer_name) pairs sorted by name), kinds (built-in order first),
    first_day / last_day (the earliest and latest stage entry or activity date, as `date`s;
    None when there is no data). Frames read without activities take the activities' first and
    last day as `activity_span` (`load_activity_span`)."""
    companies = frames.companies

    def values(column: str) -> list[Any]:
        return sorted(companies[column].dropna().unique().tolist())

    officers = companies.loc[companies["officer_id"].notna(), ["officer_id", "officer_name"]]
    officers = officers.drop_duplicates("officer_id").sort_values(["officer_name", "officer_id"])
    if has_activities(frames):
        activity_days = frames.activities["start_on"]
    else:
        activity_days = pd.Series(np.array(activity_span or (), dtype=DATE_DTYPE))
    dates = pd.concat([frames.stages["entered_on"], activity_days])
    return {
        "cohort_years": [int(y) for y in values("cohort_year")],
        "industries": values("industry"),
        "ai_fields": values("ai_field"),
        "locations": values("location"),
        "officers": [(int(i), str(n)) for i, n in officers.itertuples(index=False)],
        "kinds": kinds_of(frames),
        "first_day": dates.min().date() if len(dates) else None,
        "last_day": dates.max().date() if len(dates) else None,
    }


def apply_filters(frames: AnalyticsFrames, filters: Filters) -> AnalyticsFrames:
    companies = frames.companies
    keep = np.ones(len(companies), dtype=bool)
    if not filters.include_archived:
        keep &= ~companies["archived"].to_numpy(dtype=bool)
    if filters.cohort_years:
        keep &= _in(companies["cohort_year"], filters.cohort_years)
    if filters.industries:
        keep &= _in(companies["industry"], filters.industries)
    if filters.ai_fields:
        keep &= _in(companies["ai_field"], filters.ai_fields)
    if filters.officer_ids:
        keep &= _in(companies["officer_id"], filters.officer_ids)
    if filters.locations:
        keep &= _in(companies["location"], filters.locations)

    activities = frames.activities
    # Frames read without activities pass them on as not loaded; a kind filter needs them.
    dated = filters.date_from is not None or filters.date_to is not None
    if dated and has_activities(frames):
        start = days_of(activities["start_on"])
        in_range = np.ones(len(activities), dtype=bool)
        if filters.date_from is not None:
            in_range &= start >= day_number(filters.date_from)
        if filters.date_to is not None:
            in_range &= start <= day_number(filters.date_to)
        activities = activities[in_range].reset_index(drop=True)
    if filters.kinds_received:
        of_kind = category_positions(activities["kind"], filters.kinds_received) >= 0
        received = activities["company_id"].to_numpy()[of_kind]
        keep &= company_mask(companies["company_id"].to_numpy(), received)

    chosen = AnalyticsFrames(
        companies=companies,
        stages=_entries_until(frames.stages, filters.date_to),
        activities=activities,
        outcomes=_reports_overlapping(frames.outcomes, filters.date_from, filters.date_to),
        programmes=frames.programmes,
    )
    return restrict_to_companies(chosen, companies["company_id"].to_numpy()[keep])


def _entries_until(stages: pd.DataFrame, date_to: date | None) -> pd.DataFrame:
    if date_to is None:
        return stages
    mask = days_of(stages["entered_on"]) <= day_number(date_to)
    return stages if mask.all() else stages[mask].reset_index(drop=True)


def _reports_overlapping(
    outcomes: pd.DataFrame, date_from: date | None, date_to: date | None
) -> pd.DataFrame:
    """Reports whose quarter overlaps [date_from, date_to]."""
    if date_from is None and date_to is None:
        return outcomes
    quarter = outcomes["year"].to_numpy() * 4 + outcomes["quarter"].to_numpy() - 1
    mask = np.ones(len(outcomes), dtype=bool)
    if date_from is not None:
        mask &= quarter >= Quarter.of(date_from).index
    if date_to is not None:
        mask &= quarter <= Quarter.of(date_to).index
    return outcomes[mask].reset_index(drop=True)
