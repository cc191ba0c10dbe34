"""Stage histories turned into the two shapes the analytics count: spells and per-company progress.

A *spell* is one stay in a stage: it starts at a stage entry and ends at the company's next entry
(`left_on`), or is still open on the "as of" date (`left_on` is NaT). Consecutive entries with the
same stage are one spell (the services forbid them, an import might not). Entries dated after
`as_of` are ignored, so every figure is the history as it stood on that day.

*Progress* is one row per company: where it entered, where it is now, the highest stage it
reached and which stages it was recorded in. The funnel and its drill-down both count this table,
so the companies listed behind a bar are exactly the ones counted in it.

All of it is numpy over the stage frame, which is kept sorted by company, date, id (see
`crm.analytics.frames`): a company's entries are one contiguous block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from crm.analytics.frames import STAGES, dates_from_days, day_number, days_of

NO_STAGE = -1
STAGE_NAMES = np.array(STAGES, dtype=object)


@dataclass(frozen=True)
class History:
    """A stage frame as arrays, cut at `as_of` and with repeated stages collapsed."""

    company_id: np.ndarray  # int64
    rank: np.ndarray  # int8
    day: np.ndarray  # int64 days since 1970-01-01
    first: np.ndarray  # bool: first entry of its company

    @classmethod
    def of(cls, stages: pd.DataFrame, as_of: date | None = None) -> History:
        company_id = stages["company_id"].to_numpy(dtype=np.int64)
        rank = stages["rank"].to_numpy(dtype=np.int8)
        day = days_of(stages["entered_on"])
        if as_of is not None:
            keep = day <= day_number(as_of)
            company_id, rank, day = company_id[keep], rank[keep], day[keep]
        first = np.ones(len(company_id), dtype=bool)
        first[1:] = company_id[1:] != company_id[:-1]
        repeated = ~first
        repeated[1:] &= rank[1:] == rank[:-1]
        if repeated.any():
            keep = ~repeated
            company_id, rank, day, first = company_id[keep], rank[keep], day[keep], first[keep]
        return cls(company_id=company_id, rank=rank, day=day, first=first)

    @property
    def last(self) -> np.ndarray:
        """True on the latest entry of each company (its current stage)."""
        last = np.ones(len(self.company_id), dtype=bool)
        last[:-1] = self.first[1:]
        return last


def stage_spells(stages: pd.DataFrame, *, as_of: date | None = None) -> pd.DataFrame:
    """One row per spell: company_id, stage, rank, entered_on, left_on (NaT while open),
    next_stage (NA while open), next_rank (-1 while open), direction ("forward", "backward",
    or "" while open), and spell_no (0 for a company's first spell)."""
    h = History.of(stages, as_of)
    n = len(h.company_id)
    has_next = ~h.last
    next_rank = np.full(n, NO_STAGE, dtype=np.int8)
    next_rank[:-1] = np.where(has_next[:-1], h.rank[1:], NO_STAGE)
    left_days = np.zeros(n, dtype=np.int64)
    left_days[:-1] = h.day[1:]
    left_on = dates_from_days(left_days)
    left_on[~has_next] = np.datetime64("NaT")
    direction = np.full(n, "", dtype=object)
    direction[has_next & (next_rank > h.rank)] = "forward"
    direction[has_next & (next_rank < h.rank)] = "backward"
    starts = np.flatnonzero(h.first)
    spell_no = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    return pd.DataFrame(
        {
            "company_id": h.company_id,
            "stage": pd.Series(STAGE_NAMES[h.rank], dtype="str"),
            "rank": h.rank,
            "entered_on": dates_from_days(h.day),
            "left_on": left_on,
            "next_stage": pd.Series(
                np.where(has_next, STAGE_NAMES[np.maximum(next_rank, 0)], None), dtype="str"
            ),
            "next_rank": next_rank,
            "direction": pd.Series(direction, dtype="str"),
            "spell_no": spell_no.astype(np.int64),
        }
    )


def company_progress(stages: pd.DataFrame, *, as_of: date | None = None) -> pd.DataFrame:
    """One row per company with at least one entry by `as_of`.

    Columns: company_id; entry_stage, entry_rank, entered_on, entry_year (its first entry);
    current_stage, current_rank (its latest entry); max_rank (the highest stage ever entered);
    stage_mask (bit r set if it has an entry in the stage of rank r); backward_moves (how many
    of its moves went to a lower stage)."""
    h = History.of(stages, as_of)
    starts = np.flatnonzero(h.first)
    ends = np.append(starts[1:], len(h.company_id)) - 1
    if len(starts) == 0:
        return pd.DataFrame(
            {
                "company_id": np.array([], dtype=np.int64),
                "entry_stage": pd.Series([], dtype="str"),
                "entry_rank": np.array([], dtype=np.int8),
                "entered_on": np.array([], dtype="datetime64[s]"),
                "entry_year": np.array([], dtype=np.int64),
                "current_stage": pd.Series([], dtype="str"),
                "current_rank": np.array([], dtype=np.int8),
                "max_rank": np.array([], dtype=np.int8),
                "stage_mask": np.array([], dtype=np.int64),
                "backward_moves": np.array([], dtype=np.int64),
            }
        )
    backward = np.zeros(len(h.rank), dtype=np.int64)
    backward[1:] = (~h.first[1:]) & (h.rank[1:] < h.rank[:-1])
    entry_day = h.day[starts]
    return pd.DataFrame(
        {
            "company_id": h.company_id[starts],
            "entry_stage": pd.Series(STAGE_NAMES[h.rank[starts]], dtype="str"),
            "entry_rank": h.rank[starts],
            "entered_on": dates_from_days(entry_day),
            "entry_year": entry_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
            + 1970,
            "current_stage": pd.Series(STAGE_NAMES[h.rank[ends]], dtype="str"),
            "current_rank": h.rank[ends],
            "max_rank": np.maximum.reduceat(h.rank, starts),
            "stage_mask": np.bitwise_or.reduceat(np.left_shift(1, h.rank.astype(np.int64)), starts),
            "backward_moves": np.add.reduceat(backward, starts),
        }
    )


def stage_at(stages: pd.DataFrame, company_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The stage rank of each company on each day (-1 if it had no entry yet), vectorised.

    Entries are sorted by (company, day, id); a binary search on the composite key
    company_id · 2³² + day finds each company's latest entry on or before the day, which is the
    house rule for "current stage". (Company ids must stay below 2³¹, database ids do.)"""
    h = History.of(stages)
    span = np.int64(1 << 32)
    keys = h.company_id * span + (h.day - np.int64(-(1 << 31)))
    wanted = np.asarray(company_ids, dtype=np.int64) * span + (
        np.asarray(days, dtype=np.int64) - np.int64(-(1 << 31))
    )
    index = np.searchsorted(keys, wanted, side="right") - 1
    found = index >= 0
    safe = np.where(found, index, 0)
    found &= h.company_id[safe] == np.asarray(company_ids, dtype=np.int64)
    return np.where(found, h.rank[safe], NO_STAGE).astype(np.int8)
