"""Outcomes after support: what happened to companies' figures in the quarters after a kind of
support, next to companies in the same stage that did not get it. A comparison, never a cause.

One observation is a (company, quarter q) with outcome reports for q and for each of the
`horizon` quarters after it (companies missing any of those reports are left out, not imputed).
Its stage is the company's stage on the last day of q. For each kind:

- received: the company had a live activity of that kind starting in quarter q;
- not received: it had none starting in q or in the `horizon` quarters after (so the comparison
  group did not get the support later in the window either). Observations that got it only
  later in the window are in neither group.

Metrics per observation: employees_change and revenue_change_krw (the report of q+horizon minus
that of q; revenue is the quarter's own revenue) and investment_krw (investment attracted, summed
over the reports of q+1 … q+horizon). A company can appear in several quarters: `observations`
counts (company, quarter) pairs, `companies` distinct companies.

Output is long (one row per kind, stage, group, metric) with mean and median, small-sample flags
and a `note` saying in words that this is not a measure of what the support caused: companies are
chosen for support, and the groups differ in ways these figures do not show.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm.analytics.frames import (
    STAGES,
    AnalyticsFrames,
    category_positions,
    kinds_of,
    quarter_numbers,
)
from crm.analytics.history import stage_at
from crm.analytics.intervals import MIN_N, small_sample_warnings
from crm.analytics.keys import KeySet, company_mask
from crm.i18n import t

METRICS: tuple[str, ...] = ("employees_change", "revenue_change_krw", "investment_krw")
_QUARTERS = np.int64(1 << 16)  # room for quarter numbers (year * 4 + quarter - 1) in one key


def quarter_number(year: np.ndarray, quarter: np.ndarray) -> np.ndarray:
    """Quarter.index, vectorised: quarters counted from year 0 (2022 Q1 = 8088)."""
    return np.asarray(year, dtype=np.int64) * 4 + np.asarray(quarter, dtype=np.int64) - 1


def quarter_end_days(numbers: np.ndarray) -> np.ndarray:
    """The last day of each quarter number, as days since 1970-01-01."""
    next_start_month = (np.asarray(numbers, dtype=np.int64) + 1) * 3 - 1970 * 12
    return next_start_month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1


def observations(frames: AnalyticsFrames, *, horizon: int = 1) -> pd.DataFrame:
    """(company_id, quarter_number, stage, rank, employees_change, revenue_change_krw,
    investment_krw) for every company-quarter with all the reports the horizon needs."""
    if horizon < 1:
        raise ValueError("horizon must be at least one quarter")
    reports = frames.outcomes
    reports = reports[
        company_mask(reports["company_id"].to_numpy(), frames.companies["company_id"].to_numpy())
    ]
    company = reports["company_id"].to_numpy()
    number = quarter_number(reports["year"].to_numpy(), reports["quarter"].to_numpy())
    order = np.argsort(company * _QUARTERS + number, kind="stable")
    company, number = company[order], number[order]
    keys = company * _QUARTERS + number
    employees = reports["employees"].to_numpy()[order]
    revenue = reports["revenue_krw"].to_numpy()[order]
    investment = reports["investment_krw"].to_numpy()[order]
    complete = np.ones(len(keys), dtype=bool)
    invested = np.zeros(len(keys), dtype=np.int64)
    later = np.zeros(len(keys), dtype=np.int64)
    for step in range(1, horizon + 1):
        index = np.minimum(np.searchsorted(keys, keys + step), max(len(keys) - 1, 0))
        present = keys[index] == keys + step
        complete &= present
        invested += np.where(present, investment[index], 0)
        later = index
    ranks = stage_at(frames.stages, company[complete], quarter_end_days(number[complete]))
    out = pd.DataFrame(
        {
            "company_id": company[complete],
            "quarter_number": number[complete],
            "rank": ranks,
            "employees_change": (employees[later] - employees)[complete],
            "revenue_change_krw": (revenue[later] - revenue)[complete],
            "investment_krw": invested[complete],
        }
    )
    out = out[out["rank"] >= 0].reset_index(drop=True)
    out.insert(2, "stage", pd.Series(np.array(STAGES, dtype=object)[out["rank"]], dtype="str"))
    return out


class _Received:
    """Which (company, quarter, kind) had a live activity, as one KeySet over packed keys."""

    def __init__(self, frames: AnalyticsFrames, kinds: list[str]) -> None:
        activities = frames.activities
        number = quarter_numbers(activities["start_on"])
        kind = category_positions(activities["kind"], kinds)
        known = kind >= 0
        self.first = int(number.min()) if len(number) else 0
        self.span = int(number.max()) - self.first + 1 if len(number) else 1
        self.width = max(len(kinds), 1)
        self.keys = KeySet(
            self.pack(activities["company_id"].to_numpy()[known], number[known], kind[known])
        )

    def pack(self, company: np.ndarray, number: np.ndarray, kind: np.ndarray | int) -> np.ndarray:
        offset = np.asarray(number, dtype=np.int64) - self.first
        packed = (np.asarray(company, dtype=np.int64) * self.span + offset) * self.width + kind
        # Quarters outside the activities' span hold no activity: map them to an impossible key.
        return np.where((offset >= 0) & (offset < self.span), packed, -1)

    def has(self, company: np.ndarray, number: np.ndarray, kind: int) -> np.ndarray:
        return self.keys.contains(self.pack(company, number, kind))


def _distinct_per_group(members: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """How many distinct companies each group id holds, in one pass over (group, company)."""
    width = np.int64(members.max(initial=0)) + 1
    pairs = KeySet(group * width + members).members()
    return np.bincount(pairs // width, minlength=groups)[:groups].astype(np.int64)


def _summarise(
    values: np.ndarray, order: np.ndarray, count: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and median per group (NaN for empty groups), given the observations' order by group
    id and the group sizes: one sort per kind instead of a mask per group and metric."""
    ordered = values[order].astype(np.float64)
    bounds = np.concatenate(([0], np.cumsum(count)))
    mean = np.full(len(count), np.nan)
    median = np.full(len(count), np.nan)
    for g in np.flatnonzero(count):
        chunk = ordered[bounds[g] : bounds[g + 1]]
        mean[g] = chunk.mean()
        median[g] = np.median(chunk)
    return mean, median


def outcomes_after_support(
    frames: AnalyticsFrames,
    *,
    horizon: int = 1,
    kinds: Sequence[str] | None = None,
    min_n: int = MIN_N,
    lang: str = "ko",
) -> pd.DataFrame:
    """Columns: kind, stage, received (bool), metric, observations, companies, mean, median,
    small_sample, warning, note; per kind, stages in order, received before not received,
    metrics in METRICS order."""
    kinds = list(kinds) if kinds is not None else kinds_of(frames)
    obs = observations(frames, horizon=horizon)
    company = obs["company_id"].to_numpy()
    number = obs["quarter_number"].to_numpy()
    rank = obs["rank"].to_numpy().astype(np.int64)
    received = _Received(frames, kinds)
    groups = len(STAGES) * 2  # group id = rank * 2 + (0 received, 1 not received)
    rows: list[dict[str, object]] = []
    for code, kind in enumerate(kinds):
        now = received.has(company, number, code)
        later = np.zeros(len(obs), dtype=bool)
        for step in range(1, horizon + 1):
            later |= received.has(company, number + step, code)
        compared = now | ~later  # got it in q, or not at all in q … q + horizon
        group = (rank * 2 + ~now)[compared]
        members = company[compared]
        distinct = _distinct_per_group(members, group, groups)
        count = np.bincount(group, minlength=groups)
        order = np.argsort(group, kind="stable")
        for metric in METRICS:
            mean, median = _summarise(obs[metric].to_numpy()[compared], order, count)
            for g in range(groups):
                rows.append(
                    {
                        "kind": kind,
                        "stage": STAGES[g // 2],
                        "received": g % 2 == 0,
                        "metric": metric,
                        "observations": int(count[g]),
                        "companies": int(distinct[g]),
                        "mean": float(mean[g]),
                        "median": float(median[g]),
                    }
                )
    table = pd.DataFrame(
        rows,
        columns=[
            "kind",
            "stage",
            "received",
            "metric",
            "observations",
            "companies",
            "mean",
            "median",
        ],
    )
    order = {metric: i for i, metric in enumerate(METRICS)}
    table = table.sort_values(
        ["kind", "stage", "received", "metric"],
        key=lambda c: c.map(order) if c.name == "metric" else _kind_stage_order(c, kinds),
        kind="stable",
    ).reset_index(drop=True)
    flag, warning = small_sample_warnings(table["observations"].to_numpy(), min_n, lang)
    table["small_sample"] = flag
    table["warning"] = pd.Series(warning, dtype="str")
    table["note"] = t("analytics.note.not_causal", lang, horizon=horizon)
    return table.astype(
        {
            "kind": "str",
            "stage": "str",
            "received": bool,
            "metric": "str",
            "observations": np.int64,
            "companies": np.int64,
            "mean": np.float64,
            "median": np.float64,
            "note": "str",
        }
    )


def _kind_stage_order(column: pd.Series, kinds: list[str]) -> pd.Series:
    if column.name == "kind":
        return column.map({k: i for i, k in enumerate(kinds)})
    if column.name == "stage":
        return column.map({s: i for i, s in enumerate(STAGES)})
    if column.name == "received":
        return ~column
    return column
