"""The funnel of the hand-built cohort (tests/analytics_cohort.py), worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    companies_behind,
    companies_in_stage_on,
    funnel,
    funnel_by,
    wilson_interval,
)
from tests.analytics_cohort import AS_OF, cohort_frames, d


@pytest.fixture
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())  # archived c10 left out by default


def test_pre_startup_funnel_2022(frames: AnalyticsFrames) -> None:
    table = funnel(frames, entry_stage="pre_startup", entry_year=2022, as_of=AS_OF)
    # Cohort: first entry pre-startup in 2022 = c1..c6 (c10 archived, c11 entered in 2021).
    # Highest stage reached: c1 growth, c2 startup, c3 startup (then back), c4 pre, c5 growth
    # (skipping startup), c6 pre.
    assert table["stage"].tolist() == ["pre_startup", "startup", "growth"]
    assert table["reached"].tolist() == [6, 4, 2]  # startup: c1 c2 c3 c5; growth: c1 c5
    assert table["recorded"].tolist() == [6, 3, 2]  # c5 has no startup entry
    assert table["skipped"].tolist() == [0, 1, 0]
    assert table["now_here"].tolist() == [3, 1, 2]  # pre: c3 c4 c6; startup: c2; growth: c1 c5
    assert table["now_below"].tolist() == [0, 1, 0]  # c3 reached startup and fell back
    assert table["n"].tolist() == [0, 6, 4]
    assert table["converted"].tolist() == [0, 4, 2]
    assert math.isnan(table["rate"][0]) and pd.isna(table["from_stage"][0])
    assert table["from_stage"].tolist()[1:] == ["pre_startup", "startup"]
    assert table["rate"].tolist()[1:] == [4 / 6, 2 / 4]
    # Wilson 4/6: (0.3000, 0.9032); 2/4: p = 0.5, denominator 1.9604,
    # half = 1.96·√(0.0625 + 0.060025) / 1.9604 = 0.34996 -> (0.1500, 0.8500)
    assert table["ci_low"][1] == pytest.approx(0.3000, abs=5e-5)
    assert table["ci_high"][1] == pytest.approx(0.9032, abs=5e-5)
    assert (table["ci_low"][2], table["ci_high"][2]) == pytest.approx(wilson_interval(2, 4))
    assert table["ci_low"][2] == pytest.approx(0.1500, abs=5e-5)
    # n = 6 and 4 are under the default minimum of 10: both conversions carry a warning.
    assert table["small_sample"].tolist() == [False, True, True]
    assert table["warning"][0] == "" and "n=6" in table["warning"][1]


def test_min_n_and_language(frames: AnalyticsFrames) -> None:
    table = funnel(frames, entry_year=2022, as_of=AS_OF, min_n=5, lang="en")
    assert table["small_sample"].tolist() == [False, False, True]  # 6 >= 5, 4 < 5
    assert table["warning"][2].startswith("Small sample (n=4, under 5)")


def test_startup_and_growth_entry_cohorts(frames: AnalyticsFrames) -> None:
    startup = funnel(frames, entry_stage="startup", as_of=AS_OF)
    # c7 (grew at d150) and c8 (still startup).
    assert startup["stage"].tolist() == ["startup", "growth"]
    assert startup["reached"].tolist() == [2, 1]
    assert startup["rate"][1] == 0.5
    growth = funnel(frames, entry_stage="growth", as_of=AS_OF)
    # c9 entered in growth and fell back to startup: reached growth, now below it.
    assert growth[["reached", "now_here", "now_below"]].iloc[0].tolist() == [1, 0, 1]


def test_as_of_cuts_the_history(frames: AnalyticsFrames) -> None:
    # On d(95): c1 startup (d60), c5 growth (d90); c2 moves only on d100, c3 on d130.
    table = funnel(frames, entry_year=2022, as_of=d(95))
    assert table["reached"].tolist() == [6, 2, 1]
    assert table["now_here"].tolist() == [4, 1, 1]
    # Before c6 entered (d40) the cohort had 5 companies.
    assert funnel(frames, entry_year=2022, as_of=d(35))["reached"].tolist() == [5, 0, 0]


def test_entry_year_and_archived(frames: AnalyticsFrames) -> None:
    # Without an entry year, c11 (entered 2021, moved to startup) joins: 7 reached, 5 startup.
    assert funnel(frames, as_of=AS_OF)["reached"].tolist() == [7, 5, 2]
    assert funnel(frames, entry_year=2021, as_of=AS_OF)["reached"].tolist() == [1, 1, 0]
    everyone = apply_filters(cohort_frames(), Filters(include_archived=True))
    # c10 (archived; pre d0 -> startup d10) is back: 7 in pre, 5 in startup.
    assert funnel(everyone, entry_year=2022, as_of=AS_OF)["reached"].tolist() == [7, 5, 2]


def test_funnel_by_industry(frames: AnalyticsFrames) -> None:
    table = funnel_by(frames, "industry", entry_year=2022, as_of=AS_OF)
    # Groups of the filtered companies, all shown: c11's "other" has no 2022 pre-startup entry.
    assert table["group"].unique().tolist() == ["automotive", "energy", "healthcare", "other"]
    reached = table.pivot(index="group", columns="stage", values="reached")
    stages = ["pre_startup", "startup", "growth"]
    assert reached.loc["healthcare", stages].tolist() == [2, 2, 1]  # c1 c2; c1 grew
    assert reached.loc["energy", stages].tolist() == [2, 1, 0]
    assert reached.loc["automotive", stages].tolist() == [2, 1, 1]
    assert reached.loc["other"].sum() == 0
    auto = table[table["group"] == "automotive"].set_index("stage")
    assert auto.loc["startup", "skipped"] == 1  # c5
    assert auto.loc["startup", "rate"] == 0.5 and auto.loc["growth", "rate"] == 1.0
    energy = table[table["group"] == "energy"].set_index("stage")
    assert energy.loc["startup", "now_below"] == 1  # c3
    assert math.isnan(table[table["group"] == "other"]["rate"].iloc[1])  # 0 of 0: no rate
    # Group totals add up to the whole funnel for an attribute breakdown.
    whole = funnel(frames, entry_year=2022, as_of=AS_OF)
    assert table.groupby("stage", sort=False)["reached"].sum().tolist() == whole["reached"].tolist()


def test_funnel_by_officer_location_and_programme(frames: AnalyticsFrames) -> None:
    officer = funnel_by(frames, "officer", entry_year=2022, as_of=AS_OF)
    first = officer[officer["stage"] == "pre_startup"].set_index("group")["reached"]
    # officer1: c1 c2 c5; officer2: c3 c4; none: c6 (shown as "—").
    assert first.to_dict() == {"Officer1 테스트": 3, "Officer2 테스트": 2, "—": 1}
    location = funnel_by(frames, "location", entry_year=2022, as_of=AS_OF)
    first = location[location["stage"] == "pre_startup"].set_index("group")["reached"]
    assert first.to_dict() == {"남구": 0, "동구": 2, "북구": 0, "서구": 3, "—": 1}
    programme = funnel_by(frames, "programme", entry_year=2022, as_of=AS_OF)
    mentoring = programme[programme["group"] == "2022 mentoring"]["reached"].tolist()
    # Mentored members of the cohort: c1 c2 c3 c4 -> startup c1 c2 c3, growth c1.
    assert mentoring == [4, 3, 1]
    # Programme groups overlap (c1 is in mentoring and prototyping): sums exceed the total.
    first = programme[programme["stage"] == "pre_startup"].set_index("group")["reached"]
    assert first.to_dict() == {
        "2022 investment": 1,
        "2022 mentoring": 4,
        "2022 overseas": 1,
        "2022 prototyping": 1,
        "—": 1,
    }


def test_companies_behind_match_the_figures(frames: AnalyticsFrames) -> None:
    args = {"entry_year": 2022, "as_of": AS_OF}
    reached = companies_behind(frames, "startup", **args)
    assert reached["company_id"].tolist() == [1, 2, 3, 5]
    assert reached["name_ko"].tolist() == ["가온 (c1)", "나래 (c2)", "다온 (c3)", "마루 (c5)"]
    assert companies_behind(frames, "startup", measure="skipped", **args)[
        "company_id"
    ].tolist() == [5]
    assert companies_behind(frames, "startup", measure="now_below", **args)[
        "company_id"
    ].tolist() == [3]
    assert companies_behind(frames, "pre_startup", measure="now_here", **args)[
        "company_id"
    ].tolist() == [3, 4, 6]
    energy = companies_behind(frames, "startup", by="industry", group="energy", **args)
    assert energy["company_id"].tolist() == [3]
    nobody = companies_behind(frames, "growth", by="industry", group="energy", **args)
    assert nobody.empty
    # Every figure of the funnel equals the number of companies listed behind it.
    table = funnel(frames, **args)
    for measure in ("reached", "recorded", "skipped", "now_here", "now_below"):
        for stage, figure in zip(table["stage"], table[measure], strict=True):
            assert len(companies_behind(frames, stage, measure=measure, **args)) == figure
    with pytest.raises(ValueError):
        companies_behind(frames, "startup", measure="bogus")
    with pytest.raises(ValueError):
        companies_behind(frames, "startup", by="industry")


def test_companies_in_stage_on_a_day(frames: AnalyticsFrames) -> None:
    # 2022-03-31 = d89: startup c1 (d60), c7, c8, c11 (d50); growth c9; c5 grows only on d90.
    assert companies_in_stage_on(frames, "startup", d(89))["company_id"].tolist() == [1, 7, 8, 11]
    assert companies_in_stage_on(frames, "growth", d(89))["company_id"].tolist() == [9]
    assert companies_in_stage_on(frames, "growth", d(90))["company_id"].tolist() == [5, 9]
    assert companies_in_stage_on(frames, "pre_startup", d(-40)).empty


def test_empty_frames_give_zero_rows_not_errors() -> None:
    empty = apply_filters(cohort_frames(), Filters(industries=("nothing",)))
    table = funnel(empty, entry_year=2022)
    assert table["reached"].tolist() == [0, 0, 0]
    assert np.isnan(table["rate"]).all()
