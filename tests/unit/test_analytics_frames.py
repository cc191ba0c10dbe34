"""Frames built by hand have the documented dtypes, order and defaults; filters narrow them the
way the module docstring says; nothing in crm/analytics imports Streamlit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    filter_choices,
    make_frames,
    restrict_to_companies,
)
from crm.analytics.frames import categories_used, category_positions, quarter_numbers
from crm.analytics.keys import KeySet, company_mask
from tests.analytics_cohort import OFFICER_IDS, cohort_frames, d


def test_make_frames_types_and_order() -> None:
    frames = make_frames(
        companies=[{"company_id": 2, "name_ko": "나"}, {"company_id": 1, "name_ko": "가"}],
        stages=[
            {"company_id": 2, "stage": "startup", "entered_on": "2022-05-01"},
            {"company_id": 1, "stage": "growth", "entered_on": date(2022, 3, 1)},
            {"company_id": 1, "stage": "pre_startup", "entered_on": date(2022, 1, 1)},
        ],
        activities=[{"company_id": 1, "kind": "mentoring", "start_on": "2022-02-01"}],
    )
    assert frames.companies["company_id"].tolist() == [1, 2]
    assert frames.companies["archived"].tolist() == [False, False]
    assert frames.companies["officer_id"].isna().all()
    assert frames.stages["company_id"].tolist() == [1, 1, 2]
    assert frames.stages["stage"].tolist() == ["pre_startup", "growth", "startup"]
    assert frames.stages["rank"].tolist() == [0, 2, 1]
    assert frames.stages["entered_on"].dtype == np.dtype("datetime64[s]")
    assert frames.activities["start_on"].tolist() == [pd.Timestamp("2022-02-01")]
    assert frames.activities["kind"].dtype == "category"
    assert frames.activities["programme"].tolist() == ["mentoring"]  # defaults to the kind
    assert list(frames.outcomes.columns) == [
        "company_id",
        "year",
        "quarter",
        "employees",
        "revenue_krw",
        "investment_krw",
        "exports_krw",
    ]


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        make_frames(
            companies=[{"company_id": 1, "name_ko": "가"}],
            stages=[{"company_id": 1, "stage": "seed", "entered_on": "2022-01-01"}],
        )


def test_quarter_numbers() -> None:
    days = pd.Series(pd.to_datetime(["2022-03-31", "2022-04-01", "2021-12-31", "2023-01-01"]))
    # year * 4 + quarter - 1: 2022 Q1 = 8088, Q2 = 8089; 2021 Q4 = 8087; 2023 Q1 = 8092.
    assert quarter_numbers(days.astype("datetime64[s]")).tolist() == [8088, 8089, 8087, 8092]
    assert quarter_numbers(pd.Series([], dtype="datetime64[s]")).tolist() == []


def test_category_helpers() -> None:
    kinds = pd.Series(pd.Categorical(["b", "a", "b", None], categories=["a", "b", "c"]))
    assert category_positions(kinds, ["b", "z"]).tolist() == [0, -1, 0, -1]
    assert categories_used(kinds) == ["a", "b"]


def test_key_set_dense_and_sorted_paths_agree() -> None:
    small = KeySet(np.array([3, 1, 3]))
    huge = KeySet(np.array([3, 1, 3, 10**12]))
    wanted = np.array([0, 1, 2, 3, 4, -5, 10**12])
    assert small.contains(wanted).tolist() == [False, True, False, True, False, False, False]
    assert huge.contains(wanted).tolist() == [False, True, False, True, False, False, True]
    assert small.members().tolist() == [1, 3]
    assert company_mask(np.array([1, 2]), np.array([], dtype=np.int64)).tolist() == [False, False]


def ids(frames: AnalyticsFrames) -> list[int]:
    return frames.companies["company_id"].tolist()


def test_filters_on_company_attributes() -> None:
    frames = cohort_frames()
    assert ids(apply_filters(frames, Filters())) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11]  # not c10
    assert ids(apply_filters(frames, Filters(include_archived=True))) == list(range(1, 12))
    assert ids(apply_filters(frames, Filters(cohort_years=(2021,)))) == [11]
    assert ids(apply_filters(frames, Filters(industries=("energy",)))) == [3, 4, 8]
    assert ids(apply_filters(frames, Filters(ai_fields=("vision",)))) == [1, 3, 7]
    assert ids(apply_filters(frames, Filters(officer_ids=(OFFICER_IDS["officer2"],)))) == [
        3,
        4,
        7,
        9,
        11,
    ]
    assert ids(apply_filters(frames, Filters(locations=("서구", "남구")))) == [3, 4, 6, 7, 8]
    both = apply_filters(frames, Filters(industries=("energy",), locations=("남구",)))
    assert ids(both) == [8]
    # Every frame follows the companies: c8's one stage entry and one activity.
    assert both.stages["company_id"].tolist() == [8]
    assert both.activities["company_id"].tolist() == [8]
    assert len(both.programmes) == 4  # programmes are reference data, never filtered


def test_kind_received_and_date_range() -> None:
    frames = cohort_frames()
    # Prototyping: c1 (d70) and c8 (d400).
    assert ids(apply_filters(frames, Filters(kinds_received=("prototyping",)))) == [1, 8]
    # Any of several kinds: mentoring or investment.
    either = apply_filters(frames, Filters(kinds_received=("investment", "overseas")))
    assert ids(either) == [2, 5]
    # Within d50..d300 mentoring was received by c2 (d100) and c9 (d210) only.
    window = Filters(kinds_received=("mentoring",), date_from=d(50), date_to=d(300))
    narrowed = apply_filters(frames, window)
    assert ids(narrowed) == [2, 9]
    # Activities outside the range are gone (c2's overseas d120 stays, c9's d210 stays).
    assert sorted(narrowed.activities["start_on"].tolist()) == [
        pd.Timestamp(d(100)),
        pd.Timestamp(d(120)),
        pd.Timestamp(d(210)),
    ]
    # Stage entries after date_to are dropped: c9's move back on d200 stays, nothing later.
    assert narrowed.stages["entered_on"].max() == pd.Timestamp(d(200))


def test_date_to_drops_later_stage_entries_and_reports() -> None:
    frames = apply_filters(cohort_frames(), Filters(date_from=d(100), date_to=d(100)))
    # Entries up to d100 only; the earlier ones stay (they say where each company stood).
    assert frames.stages["entered_on"].max() == pd.Timestamp(d(100))
    # 21 entries; c10 (archived) has 2; after d100: c1 d200, c3 d130 and d250, c7 d150, c9 d200.
    assert len(frames.stages) == 21 - 2 - 5
    # d100 is 2022-04-11, in Q2: only Q2 reports overlap the range (c1, c2, c4).
    assert frames.outcomes["quarter"].tolist() == [2, 2, 2]
    # One activity starts on d100: c2's mentoring.
    assert frames.activities["company_id"].tolist() == [2]


def test_restrict_to_companies() -> None:
    frames = restrict_to_companies(cohort_frames(), [3, 99])
    assert ids(frames) == [3]
    assert frames.stages["stage"].tolist() == ["pre_startup", "startup", "pre_startup"]


def test_no_streamlit_in_analytics() -> None:
    package = Path(__file__).resolve().parents[2] / "crm" / "analytics"
    sources = list(package.glob("*.py"))
    assert len(sources) >= 10
    assert [p.name for p in sources if "streamlit" in p.read_text(encoding="utf-8")] == []


def test_filter_choices() -> None:
    choices = filter_choices(cohort_frames())
    assert choices["cohort_years"] == [2021, 2022]
    assert choices["industries"] == ["automotive", "energy", "healthcare", "other"]
    assert choices["locations"] == ["남구", "동구", "북구", "서구"]
    assert choices["ai_fields"] == ["data", "language", "robotics", "speech", "vision"]
    assert choices["officers"] == [(101, "Officer1 테스트"), (102, "Officer2 테스트")]
    assert choices["kinds"] == ["mentoring", "prototyping", "investment", "overseas"]
    # Earliest: c11 entered 2021-12-01; latest: c8's prototyping on d400 (2023-02-05).
    assert (choices["first_day"], choices["last_day"]) == (date(2021, 12, 1), d(400))
