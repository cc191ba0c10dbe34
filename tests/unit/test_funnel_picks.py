"""A chart click (selection state) -> a pick -> the companies behind it, on the hand-built cohort
(tests/analytics_cohort.py) whose answers are worked out there."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    charts,
    funnel,
    funnel_by,
    stage_counts_by_month,
)
from crm.analytics.picks import PARAMS, Pick, companies_for_pick, pick_from_selection
from tests.analytics_cohort import AS_OF, DAY0, cohort_frames, d


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())  # archived c10 left out


COHORT = {"entry_stage": "pre_startup", "entry_year": 2022, "as_of": AS_OF}


def test_funnel_selection_becomes_a_pick() -> None:
    selection = {"funnel_pick": [{"stage": "startup"}]}
    assert pick_from_selection("funnel", selection) == Pick("funnel", "startup")


@pytest.mark.parametrize("empty", [None, {}, {"funnel_pick": {}}, {"funnel_pick": []}])
def test_an_empty_selection_is_no_pick(empty: dict | None) -> None:
    assert pick_from_selection("funnel", empty) is None


def test_counts_selection_with_iso_text_or_epoch_milliseconds() -> None:
    iso = {"counts_pick": [{"month": "2022-03-31", "stage": "growth"}]}
    assert pick_from_selection("counts", iso) == Pick("counts", "growth", day=date(2022, 3, 31))
    epoch_ms = {"counts_pick": [{"month": 1648684800000, "stage": "growth"}]}  # 2022-03-31Z
    assert pick_from_selection("counts", epoch_ms) == Pick(
        "counts", "growth", day=date(2022, 3, 31)
    )
    assert pick_from_selection("counts", {"counts_pick": [{"stage": "growth"}]}) is None


def test_breakdown_selection_carries_the_breakdown_shown() -> None:
    selection = {"breakdown_pick": [{"group": "energy", "stage": "startup"}]}
    assert pick_from_selection("breakdown", selection, by="industry") == Pick(
        "breakdown", "startup", by="industry", group="energy"
    )


def test_unknown_values_in_a_selection_are_ignored() -> None:
    assert pick_from_selection("funnel", {"funnel_pick": [{"stage": "unicorn"}]}) is None
    assert pick_from_selection("funnel", {"other_param": [{"stage": "growth"}]}) is None
    assert pick_from_selection("funnel", {"funnel_pick": ["not a point"]}) is None
    with pytest.raises(ValueError):
        pick_from_selection("pie", {})


def _clicked(chart: alt.TopLevelMixin, row: int) -> dict[str, list[dict[str, object]]]:
    """The selection state Streamlit hands back when `row` of the chart's data is clicked: keyed
    by the parameter the chart declares, holding that row's values of the declared fields."""
    [param] = _params(chart.to_dict())
    data = chart.data if isinstance(chart.data, pd.DataFrame) else chart.layer[0].data  # type: ignore[attr-defined]
    point = {f: data.iloc[row][f] for f in param["select"]["fields"]}
    return {param["name"]: [point]}


def _params(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        own = [p for p in node.get("params", []) if "select" in p]
        return own + [p for v in node.values() for p in _params(v)]
    if isinstance(node, list):
        return [p for v in node for p in _params(v)]
    return []


def test_a_click_on_each_chart_is_read_back_as_its_pick(frames: AnalyticsFrames) -> None:
    """The picker reads the parameter each chart really declares, with the fields it declares
    (a renamed parameter or field on either side would make every click do nothing)."""
    table = funnel(frames, **COHORT)
    assert pick_from_selection("funnel", _clicked(charts.funnel_chart(table, "ko"), 1)) == Pick(
        "funnel", "startup"
    )
    counts = stage_counts_by_month(frames, start=DAY0, end=AS_OF)
    clicked = _clicked(charts.counts_chart(counts, "en"), 1)
    assert pick_from_selection("counts", clicked) == Pick(
        "counts", "startup", day=date(2022, 1, 31)
    )
    by_industry = funnel_by(frames, "industry", **COHORT)
    clicked = _clicked(charts.breakdown_chart(by_industry, "industry", "ko"), 1)
    assert pick_from_selection("breakdown", clicked, by="industry") == Pick(
        "breakdown", "startup", by="industry", group="automotive"
    )
    assert set(PARAMS) == {"funnel", "counts", "breakdown"}


@pytest.mark.parametrize(
    "pick",
    [
        Pick("funnel", "growth"),
        Pick("counts", "startup", day=date(2022, 6, 30)),
        Pick("breakdown", "startup", by="officer", group="Officer1: 테스트"),  # colon in a group
    ],
)
def test_pick_round_trips_through_the_url(pick: Pick) -> None:
    assert Pick.from_query(pick.to_query()) == pick


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "funnel",
        "funnel:unicorn",
        "counts:startup",
        "counts:startup:2022-13-01",
        "breakdown:startup:colour:red",
        "breakdown:startup:industry",
        "pie:startup",
    ],
)
def test_malformed_url_values_are_no_pick(text: str | None) -> None:
    assert Pick.from_query(text) is None


def test_funnel_pick_lists_the_companies_counted_in_the_bar(frames: AnalyticsFrames) -> None:
    # Reached startup: c1, c2, c3 (fell back later), c5 (skipped straight to growth).
    listed = companies_for_pick(frames, Pick("funnel", "startup"), **COHORT)
    assert listed["name_ko"].tolist() == ["가온 (c1)", "나래 (c2)", "다온 (c3)", "마루 (c5)"]
    skipped = companies_for_pick(frames, Pick("funnel", "startup"), measure="skipped", **COHORT)
    assert skipped["company_id"].tolist() == [5]
    fell_back = companies_for_pick(frames, Pick("funnel", "startup"), measure="now_below", **COHORT)
    assert fell_back["company_id"].tolist() == [3]
    table = funnel(frames, **COHORT)
    for stage, reached in zip(table["stage"], table["reached"], strict=True):
        assert len(companies_for_pick(frames, Pick("funnel", stage), **COHORT)) == reached


def test_counts_pick_lists_the_companies_in_the_stage_that_month_end(
    frames: AnalyticsFrames,
) -> None:
    # 2022-03-31 = d89: startup c1 (d60), c7, c8, c11 (d50); c5 reaches growth only on d90.
    assert d(89) == date(2022, 3, 31)
    pick = Pick("counts", "startup", day=d(89))
    assert companies_for_pick(frames, pick)["company_id"].tolist() == [1, 7, 8, 11]


def test_breakdown_pick_lists_one_group(frames: AnalyticsFrames) -> None:
    pick = Pick("breakdown", "startup", by="industry", group="energy")
    assert companies_for_pick(frames, pick, **COHORT)["company_id"].tolist() == [3]
    table = funnel_by(frames, "industry", **COHORT)
    for row in table.itertuples(index=False):
        group_pick = Pick("breakdown", row.stage, by="industry", group=row.group)
        assert len(companies_for_pick(frames, group_pick, **COHORT)) == row.reached


def test_a_bar_below_the_entry_stage_lists_nobody(frames: AnalyticsFrames) -> None:
    listed = companies_for_pick(
        frames, Pick("funnel", "pre_startup"), entry_stage="startup", as_of=AS_OF
    )
    assert listed.empty
    assert list(listed.columns) == ["company_id", "name_ko"]


def test_unknown_measure_is_refused(frames: AnalyticsFrames) -> None:
    with pytest.raises(ValueError):
        companies_for_pick(frames, Pick("funnel", "startup"), measure="bogus")
