"""Breakdowns: which group each company falls in, and any analytic computed per group.

`by` is one of BREAKDOWNS. Industry, AI field, officer (display name) and location are company
attributes, so each company is in exactly one group; a missing value is the group NO_GROUP.
Programme is different: a company is in the group of every programme it received a live activity
from (groups overlap, so group sizes can add up to more than the total), and companies with no
activity are in NO_GROUP. Say so next to a programme breakdown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from crm.analytics.filters import restrict_to_companies
from crm.analytics.frames import AnalyticsFrames
from crm.analytics.keys import KeySet

BREAKDOWNS: tuple[str, ...] = ("industry", "ai_field", "officer", "location", "programme")
NO_GROUP = "—"
_COMPANY_COLUMN = {
    "industry": "industry",
    "ai_field": "ai_field",
    "officer": "officer_name",
    "location": "location",
}


def company_groups(frames: AnalyticsFrames, by: str) -> pd.DataFrame:
    """(company_id, group) pairs, sorted; one row per company except for `by="programme"`."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; use one of {BREAKDOWNS}")
    companies = frames.companies
    if by in _COMPANY_COLUMN:
        groups = companies[_COMPANY_COLUMN[by]].astype("str").fillna(NO_GROUP)
        out = pd.DataFrame({"company_id": companies["company_id"].to_numpy(), "group": groups})
    else:
        # Unique (company, programme) pairs on integer codes: a million rows, a few programmes.
        programme = frames.activities["programme"]
        names = np.asarray(programme.cat.categories.astype(str), dtype=object)
        width = np.int64(max(len(names), 1))
        codes = programme.cat.codes.to_numpy().astype(np.int64)
        keys = frames.activities["company_id"].to_numpy() * width + codes
        keys = KeySet(keys[codes >= 0]).members()
        pairs = pd.DataFrame({"company_id": keys // width, "group": names[keys % width]})
        pairs = pairs[pairs["company_id"].isin(companies["company_id"])]
        without = ~companies["company_id"].isin(pairs["company_id"])
        lonely = pd.DataFrame(
            {"company_id": companies["company_id"][without].to_numpy(), "group": NO_GROUP}
        )
        out = pd.concat([pairs, lonely], ignore_index=True)
    out["group"] = out["group"].astype("str")
    return out.sort_values(["group", "company_id"], kind="stable").reset_index(drop=True)


def by_group(
    frames: AnalyticsFrames,
    by: str,
    compute: Callable[..., pd.DataFrame],
    /,
    **kwargs: Any,
) -> pd.DataFrame:
    """`compute(frames_of_group, **kwargs)` for each group, stacked with a leading `group` column.

    Each group's frames hold all the data of its companies (for a programme group that includes
    their activities in other programmes)."""
    parts = []
    for group, members in company_groups(frames, by).groupby("group", sort=True):
        result = compute(restrict_to_companies(frames, members["company_id"].to_numpy()), **kwargs)
        parts.append(result.assign(group=group)[["group", *result.columns]])
    if not parts:
        empty = compute(restrict_to_companies(frames, []), **kwargs)
        return empty.assign(group=pd.Series([], dtype="str"))[["group", *empty.columns]]
    return pd.concat(parts, ignore_index=True)
