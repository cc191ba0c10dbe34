"""A click on a chart ("pick") and the companies behind it: pure, no Streamlit.

The funnel page turns an Altair selection into a `Pick`, keeps it in the URL (`?pick=...`, so a
pick can be shared and tests can set it), and lists `companies_for_pick`. Three charts can be
clicked:

- funnel     a bar of the funnel: the companies counted in it (`companies_behind`, by measure);
- counts     a point of the stage-counts-over-time chart: the companies in that stage on that
             month end (`companies_in_stage_on`);
- breakdown  a bar of one small multiple: as the funnel, within one group of a breakdown.

The selection parameters are named point selections with explicit fields (see GUIDE.md
"Selections"), so Streamlit hands back `{param: [{field: value, ...}]}` with our own values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from crm.analytics.frames import STAGES, AnalyticsFrames
from crm.analytics.funnel import MEASURES, companies_behind, companies_in_stage_on
from crm.analytics.groups import BREAKDOWNS
from crm.models import Stage

CHARTS: tuple[str, ...] = ("funnel", "counts", "breakdown")
# Selection parameter names, one per clickable chart, and the fields each one carries.
PARAMS: dict[str, str] = {
    "funnel": "funnel_pick",
    "counts": "counts_pick",
    "breakdown": "breakdown_pick",
}
FIELDS: dict[str, tuple[str, ...]] = {
    "funnel": ("stage",),
    "counts": ("month", "stage"),
    "breakdown": ("group", "stage"),
}


@dataclass(frozen=True)
class Pick:
    """One clicked mark: a stage, plus the month end (counts) or the group (breakdown)."""

    chart: str
    stage: str
    day: date | None = None
    by: str | None = None
    group: str | None = None

    def __post_init__(self) -> None:
        if self.chart not in CHARTS:
            raise ValueError(f"unknown chart {self.chart!r}; use one of {CHARTS}")
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}")
        if self.chart == "counts" and self.day is None:
            raise ValueError("a counts pick needs its month end")
        if self.chart == "breakdown" and (self.by not in BREAKDOWNS or self.group is None):
            raise ValueError("a breakdown pick needs a breakdown and a group")

    def to_query(self) -> str:
        """The `?pick=` value: funnel:STAGE, counts:STAGE:YYYY-MM-DD, breakdown:STAGE:BY:GROUP
        (the group goes last, so a group name may contain colons)."""
        if self.chart == "counts":
            assert self.day is not None
            return f"counts:{self.stage}:{self.day.isoformat()}"
        if self.chart == "breakdown":
            return f"breakdown:{self.stage}:{self.by}:{self.group}"
        return f"funnel:{self.stage}"

    @classmethod
    def from_query(cls, text: str | None) -> Pick | None:
        """The pick in a `?pick=` value, or None for anything malformed (a stale or edited
        URL must not break the page)."""
        if not text:
            return None
        parts = str(text).split(":", 3)
        try:
            if parts[0] == "funnel" and len(parts) == 2:
                return cls("funnel", parts[1])
            if parts[0] == "counts" and len(parts) == 3:
                return cls("counts", parts[1], day=date.fromisoformat(parts[2]))
            if parts[0] == "breakdown" and len(parts) == 4:
                return cls("breakdown", parts[1], by=parts[2], group=parts[3])
        except ValueError:
            return None
        return None


def _first_point(selection: Mapping[str, Any] | None, param: str) -> Mapping[str, Any] | None:
    """The first selected point of a named point selection, if any.

    Streamlit gives `{param: [{field: value}, ...]}`; an empty selection is `{}` or `[]`."""
    if not selection:
        return None
    points = selection.get(param)
    if isinstance(points, Mapping):  # a single point, as some versions send it
        points = [points] if points else []
    if not points:
        return None
    first = points[0]
    return first if isinstance(first, Mapping) else None


def _as_day(value: Any) -> date | None:
    """A month end sent back by the chart: our ISO string, or epoch milliseconds."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return pd.Timestamp(int(value), unit="ms").date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def pick_from_selection(
    chart: str, selection: Mapping[str, Any] | None, *, by: str | None = None
) -> Pick | None:
    """The pick a chart's selection state holds (None: nothing, or nothing we understand).

    `selection` is the `.selection` of the state `st.altair_chart(..., on_select=...)` returns;
    `by` is the breakdown the small multiples show."""
    if chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}; use one of {CHARTS}")
    point = _first_point(selection, PARAMS[chart])
    if point is None:
        return None
    stage = point.get("stage")
    try:
        if chart == "funnel":
            return Pick("funnel", str(stage))
        if chart == "counts":
            day = _as_day(point.get("month"))
            return Pick("counts", str(stage), day=day) if day else None
        group = point.get("group")
        return Pick("breakdown", str(stage), by=by, group=None if group is None else str(group))
    except ValueError:
        return None


def companies_for_pick(
    frames: AnalyticsFrames,
    pick: Pick,
    *,
    measure: str = "reached",
    entry_stage: Stage | str = Stage.PRE_STARTUP,
    entry_year: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The companies (company_id, name_ko; by name) behind a pick, on the same filtered frames
    and cohort arguments as the chart that was clicked: the row count is the clicked figure."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; use one of {MEASURES}")
    if pick.chart == "counts":
        assert pick.day is not None
        return companies_in_stage_on(frames, pick.stage, pick.day)
    if STAGES.index(pick.stage) < STAGES.index(Stage(entry_stage).value):
        # No such bar: the funnel starts at the entry stage (a pick left over in the URL).
        return frames.companies.iloc[0:0][["company_id", "name_ko"]].reset_index(drop=True)
    cohort: dict[str, Any] = {
        "measure": measure,
        "entry_stage": entry_stage,
        "entry_year": entry_year,
        "as_of": as_of,
    }
    if pick.chart == "breakdown":
        return companies_behind(frames, pick.stage, by=pick.by, group=pick.group, **cohort)
    return companies_behind(frames, pick.stage, **cohort)
