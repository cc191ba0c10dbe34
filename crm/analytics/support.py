"""Support before a move: did companies that got a kind of support move up more often?

For each stage that has a higher stage (pre-startup, startup) the population is every company with
a spell in it by `as_of`; a company that returned to the stage is judged on its *first* spell
there. A company *moved* if that spell ended with a move to a higher stage by `as_of`.

It *received* a kind if it had a live activity of that kind starting inside the spell's window:
from entering the stage (inclusive) to the move (exclusive), or, if it did not move up, to the
day it left (a backward move) or to `as_of` (inclusive) while still there.

For each (stage, kind) there are two rows, received and not received, each with companies (n),
moved (k), rate and a 95% Wilson interval; groups under `min_n` are flagged with a warning.

Read with care (the `note` column says so): companies that have not moved were watched for longer,
so they had more time to receive support; and who gets support is not random. This is a
comparison of groups, not a measure of what the support caused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from crm.analytics.frames import (
    STAGE_RANK,
    STAGES,
    AnalyticsFrames,
    category_positions,
    day_number,
    days_of,
    kinds_of,
)
from crm.analytics.history import stage_spells
from crm.analytics.intervals import MIN_N, small_sample_warnings, wilson_bounds
from crm.analytics.keys import company_mask
from crm.i18n import t
from crm.models import Stage


def first_spells(frames: AnalyticsFrames, *, as_of: date) -> pd.DataFrame:
    """Each company's first spell in each stage, with `window_end` (exclusive, days since 1970)
    and `moved` (ended by a move to a higher stage)."""
    spells = stage_spells(frames.stages, as_of=as_of)
    spells = spells[
        company_mask(spells["company_id"].to_numpy(), frames.companies["company_id"].to_numpy())
    ]
    spells = spells.drop_duplicates(["company_id", "stage"], keep="first").reset_index(drop=True)
    left = spells["left_on"].to_numpy().astype("datetime64[D]").astype(np.int64)
    spells["window_end"] = np.where(spells["left_on"].notna(), left, day_number(as_of) + 1)
    spells["moved"] = (spells["direction"] == "forward").to_numpy(dtype=bool)
    return spells


def support_before_move(
    frames: AnalyticsFrames,
    *,
    as_of: date,
    stages: Sequence[Stage | str] | None = None,
    kinds: Sequence[str] | None = None,
    min_n: int = MIN_N,
    z: float = 1.96,
    lang: str = "ko",
) -> pd.DataFrame:
    """Columns: stage, kind, received (bool), companies, moved, rate, ci_low, ci_high,
    small_sample, warning, note. Two rows (received first) per stage and kind."""
    chosen = [Stage(s).value for s in stages] if stages else list(STAGES[:-1])
    kinds = list(kinds) if kinds is not None else kinds_of(frames)
    spells = first_spells(frames, as_of=as_of)
    activities = frames.activities
    act_company = activities["company_id"].to_numpy()
    act_day = days_of(activities["start_on"])
    act_kind = category_positions(activities["kind"], kinds)
    rows: list[dict[str, object]] = []
    for stage in chosen:
        if STAGE_RANK[stage] == len(STAGES) - 1:
            raise ValueError(f"{stage!r} has no higher stage to move to")
        population = spells[spells["stage"] == stage]
        position = pd.Index(population["company_id"]).get_indexer(act_company)
        in_window = position >= 0
        if in_window.any():
            safe = np.where(in_window, position, 0)
            start = days_of(population["entered_on"])[safe]
            end = population["window_end"].to_numpy()[safe]
            in_window &= (act_day >= start) & (act_day < end)
        moved = population["moved"].to_numpy()
        for code, kind in enumerate(kinds):
            received = np.zeros(len(population), dtype=bool)
            received[position[in_window & (act_kind == code)]] = True
            for flag, group in ((True, received), (False, ~received)):
                rows.append(
                    {
                        "stage": stage,
                        "kind": kind,
                        "received": flag,
                        "companies": int(group.sum()),
                        "moved": int((group & moved).sum()),
                    }
                )
    table = pd.DataFrame(rows, columns=["stage", "kind", "received", "companies", "moved"]).astype(
        {"stage": "str", "kind": "str", "received": bool, "companies": np.int64, "moved": np.int64}
    )
    rate, low, high = wilson_bounds(table["moved"].to_numpy(), table["companies"].to_numpy(), z)
    flag, warning = small_sample_warnings(table["companies"].to_numpy(), min_n, lang)
    table["rate"] = rate
    table["ci_low"] = low
    table["ci_high"] = high
    table["small_sample"] = flag
    table["warning"] = pd.Series(warning, dtype="str")
    table["note"] = t("analytics.note.support_window", lang, as_of=as_of.isoformat())
    table["note"] = table["note"].astype("str")
    return table
