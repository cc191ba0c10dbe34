"""The hand-built cohort, entered through the real services on SQLite and PostgreSQL, loads back
into the same frames and gives the same exact answers as the frames built by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from crm.analytics import (
    BREAKDOWNS,
    AnalyticsFrames,
    Filters,
    apply_filters,
    companies_behind,
    filter_choices,
    funnel,
    funnel_by,
    load_frames,
    outcomes_after_support,
    stage_counts_by_month,
    support_before_move,
    time_in_stage,
    time_in_stage_curve,
    transitions,
)
from crm.analytics.frames import has_activities, load_activity_span
from crm.models import Programme
from crm.services.actor import Actor
from tests.analytics_cohort import (
    AS_OF,
    COHORT,
    IDS,
    OFFICER_IDS,
    build_in_database,
    cohort_frames,
    d,
)

# (frames loaded from the database, cohort key -> company id, officer key -> user id)
Loaded = tuple[AnalyticsFrames, dict[str, int], dict[str, int]]


@pytest.fixture
def loaded(
    engine: Engine,
    session: Session,
    admin: Actor,
    officer: Actor,
    officer2: Actor,
    programmes: dict[str, Programme],
) -> Loaded:
    ids = build_in_database(session, admin, {"officer1": officer, "officer2": officer2}, programmes)
    officer_ids = {"officer1": officer.id, "officer2": officer2.id}  # users of the fixtures
    return load_frames(engine), ids, officer_ids


def by_hand(ids: dict[str, int], officer_ids: dict[str, int]) -> AnalyticsFrames:
    """The hand-built frames with the database's company and officer ids."""
    frames = cohort_frames()
    company = {IDS[key]: db_id for key, db_id in ids.items()}
    officer = {OFFICER_IDS[key]: db_id for key, db_id in officer_ids.items()}

    def remap(df: pd.DataFrame) -> pd.DataFrame:
        return df.assign(company_id=df["company_id"].map(company).astype(np.int64))

    companies = remap(frames.companies)
    companies["officer_id"] = companies["officer_id"].map(officer).astype("Int64")
    return AnalyticsFrames(
        companies=companies.sort_values("company_id").reset_index(drop=True),
        stages=remap(frames.stages),
        activities=remap(frames.activities),
        outcomes=remap(frames.outcomes),
        programmes=frames.programmes,
    )


def test_loaded_frames_equal_the_hand_built_ones(loaded: Loaded) -> None:
    frames, ids, officer_ids = loaded
    assert sorted(ids.values()) == frames.companies["company_id"].tolist()
    expected = by_hand(ids, officer_ids)
    pd.testing.assert_frame_equal(frames.companies, expected.companies)
    stage_cols = ["company_id", "stage", "rank", "entered_on"]
    pd.testing.assert_frame_equal(frames.stages[stage_cols], expected.stages[stage_cols])
    assert frames.stages["entry_id"].is_unique

    def activity_rows(df: pd.DataFrame) -> list[tuple[Any, ...]]:
        cols = ["company_id", "programme", "kind", "start_on", "amount_krw"]
        return sorted(df[cols].astype({"programme": str, "kind": str}).itertuples(index=False))

    assert activity_rows(frames.activities) == activity_rows(expected.activities)
    # 11 live activities; c6's cancelled mentoring is not loaded.
    assert len(frames.activities) == 11
    assert ids["c6"] not in frames.activities["company_id"].tolist()
    assert frames.activities["start_on"].dtype == np.dtype("datetime64[s]")
    pd.testing.assert_frame_equal(
        frames.outcomes.sort_values(["company_id", "year", "quarter"]).reset_index(drop=True),
        expected.outcomes,
    )
    assert frames.programmes[["name", "kind"]].values.tolist() == [
        ["2022 mentoring", "mentoring"],
        ["2022 prototyping", "prototyping"],
        ["2022 investment", "investment"],
        ["2022 overseas", "overseas"],
    ]
    assert frames.companies.set_index("company_id").loc[ids["c10"], "archived"]


ANALYTICS: dict[str, Callable[[AnalyticsFrames], pd.DataFrame]] = {
    "funnel": lambda f: funnel(f, entry_year=2022, as_of=AS_OF),
    "funnel_startup": lambda f: funnel(f, entry_stage="startup", as_of=AS_OF),
    **{
        f"funnel_by_{by}": (lambda f, by=by: funnel_by(f, by, entry_year=2022, as_of=AS_OF))
        for by in BREAKDOWNS
    },
    "time_in_stage": lambda f: time_in_stage(f, as_of=AS_OF),
    "time_in_stage_curve": lambda f: time_in_stage_curve(f, as_of=AS_OF),
    "stage_counts": lambda f: stage_counts_by_month(f, start=d(-40), end=AS_OF),
    "transitions_month": lambda f: transitions(f, period="month"),
    "transitions_quarter": lambda f: transitions(f, period="quarter"),
    "support": lambda f: support_before_move(f, as_of=AS_OF),
    "outcomes": lambda f: outcomes_after_support(f),
    "outcomes_2q": lambda f: outcomes_after_support(f, horizon=2),
}


def test_every_analytic_matches_the_hand_built_frames(loaded: Loaded) -> None:
    frames, ids, officer_ids = loaded
    from_db = apply_filters(frames, Filters())
    from_hand = apply_filters(by_hand(ids, officer_ids), Filters())
    for name, compute in ANALYTICS.items():
        try:
            pd.testing.assert_frame_equal(compute(from_db), compute(from_hand))
        except AssertionError as exc:
            raise AssertionError(f"{name} differs: {exc}") from exc


def test_exact_answers_from_the_database(loaded: Loaded) -> None:
    frames, ids, officer_ids = loaded
    view = apply_filters(frames, Filters())
    table = funnel(view, entry_year=2022, as_of=AS_OF)
    assert table["reached"].tolist() == [6, 4, 2]
    assert table["now_below"].tolist() == [0, 1, 0]
    assert table["ci_low"][1] == pytest.approx(0.3000, abs=5e-5)  # Wilson 4/6
    assert table["ci_high"][1] == pytest.approx(0.9032, abs=5e-5)
    # Kaplan–Meier medians (see test_analytics_time_in_stage): 100, 145, 200 days.
    medians = time_in_stage(view, as_of=AS_OF)["median_days"].tolist()
    assert medians == [100, 145, 200]
    support = support_before_move(view, as_of=AS_OF)
    mentored = support[
        (support["stage"] == "pre_startup") & (support["kind"] == "mentoring") & support["received"]
    ].iloc[0]
    assert (mentored["companies"], mentored["moved"]) == (4, 3)
    # c6 (cancelled mentoring) must be among the 3 not mentored, 2 of whom moved.
    not_mentored = support[
        (support["stage"] == "pre_startup")
        & (support["kind"] == "mentoring")
        & ~support["received"]
    ].iloc[0]
    assert (not_mentored["companies"], not_mentored["moved"]) == (3, 2)
    backward = transitions(view, period="quarter")
    assert backward.loc[backward["backward"], "moves"].sum() == 2
    behind = companies_behind(view, "startup", entry_year=2022, as_of=AS_OF)
    assert behind["company_id"].tolist() == [ids[k] for k in ("c1", "c2", "c3", "c5")]
    assert behind["name_ko"].tolist()[0] == "가온 (c1)"


def test_filters_on_loaded_frames(loaded: Loaded) -> None:
    frames, ids, officer_ids = loaded
    mine = apply_filters(frames, Filters(officer_ids=(officer_ids["officer2"],)))
    expected = [ids[s.key] for s in COHORT if s.officer == "officer2"]
    assert mine.companies["company_id"].tolist() == expected
    investment = apply_filters(frames, Filters(kinds_received=("investment",)))
    assert funnel(investment, entry_year=2022, as_of=AS_OF)["reached"].tolist() == [1, 1, 1]


def test_loading_one_cohort_year(engine: Engine, loaded: Loaded) -> None:
    _, ids, _ = loaded
    only = load_frames(engine, cohort_years=[2021])
    assert only.companies["company_id"].tolist() == [ids["c11"]]
    assert only.stages["company_id"].unique().tolist() == [ids["c11"]]
    assert only.activities["company_id"].tolist() == [ids["c11"]]
    assert only.outcomes.empty
    assert len(only.programmes) == 4


# The analytics that read activities; the others are given frames read without them.
READS_ACTIVITIES = ("funnel_by_programme", "support", "outcomes", "outcomes_2q")


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(include_archived=True),
        Filters(date_from=d(30), date_to=d(200)),
        Filters(industries=("healthcare",), date_to=d(150)),
    ],
    ids=["none", "archived", "period", "industry_until"],
)
def test_frames_read_without_activities_give_the_same_answers(
    engine: Engine, loaded: Loaded, filters: Filters
) -> None:
    """What the funnel page computes from frames read without activities (crm.ui.funnel_view)
    equals what it would compute from all five; an analytic that needs activities refuses."""
    frames, _, _ = loaded
    steady = load_frames(engine, activities=False)
    assert not has_activities(steady)
    whole, without = apply_filters(frames, filters), apply_filters(steady, filters)
    for name, compute in ANALYTICS.items():
        if name in READS_ACTIVITIES:
            with pytest.raises(RuntimeError, match="without their activities"):
                compute(without)
            continue
        try:
            pd.testing.assert_frame_equal(compute(without), compute(whole))
        except AssertionError as exc:
            raise AssertionError(f"{name} differs: {exc}") from exc
    with pytest.raises(RuntimeError, match="without their activities"):
        apply_filters(steady, Filters(kinds_received=("mentoring",)))
    with engine.connect() as conn:
        span = load_activity_span(conn)
    assert span == (d(-10), d(400))  # c11 mentoring@-10 … c8 prototyping@400 (live only)
    assert filter_choices(steady, activity_span=span) == filter_choices(frames)
