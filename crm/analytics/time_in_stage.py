"""How long companies stay in each stage, with open stays right-censored (Kaplan–Meier).

Each spell (see `crm.analytics.history`) is one observation:
- a spell that ended by `as_of` is an *event*: its duration is left_on − entered_on in days,
  whichever way the company moved (forward and backward exits are counted separately too);
- a spell still open on `as_of` is *censored*: we know only that it lasted at least
  as_of − entered_on days. It stays in the risk set for that long and is never dropped nor
  treated as an exit. Spells starting after `as_of` do not exist yet.

A company that returns to a stage contributes a second spell (`spells` ≥ `companies`).
Quartiles and median are Kaplan–Meier quantiles (`crm.analytics.survival.km_quantile`); when
more than half the spells are still open the median is NaN ("not reached"), not a guess.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crm.analytics.frames import STAGES, AnalyticsFrames, day_number, days_of
from crm.analytics.history import stage_spells
from crm.analytics.keys import company_mask
from crm.analytics.survival import kaplan_meier, km_quantile
from crm.i18n import t


def stage_durations(frames: AnalyticsFrames, *, as_of: date) -> pd.DataFrame:
    """The spells of `stage_spells` plus `days` (to leaving, or to as_of) and `observed`
    (True: left by as_of; False: censored at as_of)."""
    spells = stage_spells(frames.stages, as_of=as_of)
    spells = spells[
        company_mask(spells["company_id"].to_numpy(), frames.companies["company_id"].to_numpy())
    ].reset_index(drop=True)
    observed = spells["left_on"].notna().to_numpy()
    left = spells["left_on"].to_numpy().astype("datetime64[D]").astype(np.int64)  # NaT: masked
    end = np.where(observed, left, day_number(as_of))
    spells["days"] = (end - days_of(spells["entered_on"])).astype(np.int64)
    spells["observed"] = observed
    return spells


def time_in_stage(frames: AnalyticsFrames, *, as_of: date, lang: str = "ko") -> pd.DataFrame:
    """One row per stage: stage, spells, companies, events, forward, backward, censored,
    q1_days, median_days, q3_days, and `note` (how open spells were treated, in words)."""
    durations = stage_durations(frames, as_of=as_of)
    rows = []
    for stage in STAGES:
        own = durations[durations["stage"] == stage]
        curve = kaplan_meier(own["days"].to_numpy(), own["observed"].to_numpy())
        censored = int((~own["observed"]).sum())
        rows.append(
            {
                "stage": stage,
                "spells": len(own),
                "companies": int(own["company_id"].nunique()),
                "events": int(own["observed"].sum()),
                "forward": int((own["direction"] == "forward").sum()),
                "backward": int((own["direction"] == "backward").sum()),
                "censored": censored,
                "q1_days": km_quantile(curve, 0.25) if len(own) else np.nan,
                "median_days": km_quantile(curve, 0.5) if len(own) else np.nan,
                "q3_days": km_quantile(curve, 0.75) if len(own) else np.nan,
                "note": t(
                    "analytics.note.censoring", lang, censored=censored, as_of=as_of.isoformat()
                ),
            }
        )
    table = pd.DataFrame(rows)
    return table.astype({"stage": "str", "note": "str"})


def time_in_stage_curve(frames: AnalyticsFrames, *, as_of: date) -> pd.DataFrame:
    """The Kaplan–Meier curve per stage (stage, days, at_risk, events, censored, survival):
    the share still in the stage after each number of days, for the distribution chart."""
    durations = stage_durations(frames, as_of=as_of)
    parts = []
    for stage in STAGES:
        own = durations[durations["stage"] == stage]
        curve = kaplan_meier(own["days"].to_numpy(), own["observed"].to_numpy())
        parts.append(curve.rename(columns={"time": "days"}).assign(stage=stage))
    out = pd.concat(parts, ignore_index=True)
    out["days"] = out["days"].astype(np.int64)
    out["stage"] = out["stage"].astype("str")
    return out[["stage", "days", "at_risk", "events", "censored", "survival"]]
