"""Figures and audit formats the services own: the cohort's 집행률 and the stage-move text."""

from __future__ import annotations

from datetime import date

import pytest

from crm.services.audit import parse_stage_move, stage_move_text
from crm.services.stats import CohortSummary


def _summary(budget: int, executed: int, committed: int = 0, planned: int = 0) -> CohortSummary:
    return CohortSummary(
        year=2022,
        target=100,
        companies=99,
        supported=80,
        budget_krw=budget,
        executed_krw=executed,
        committed_krw=committed,
        planned_krw=planned,
        jobs_created=0,
        patents_filed=0,
        patents_registered=0,
    )


def test_executed_pct_counts_only_executed_over_the_budget() -> None:
    summary = _summary(8_000_000_000, 2_000_000_000, committed=3_000_000_000, planned=10**9)
    assert summary.executed_pct == 25.0


def test_executed_pct_without_a_budget_is_zero() -> None:
    assert _summary(0, 5_000_000).executed_pct == 0.0


def test_executed_pct_over_the_budget_is_not_capped() -> None:
    assert _summary(1_000_000, 1_500_000).executed_pct == 150.0


def test_stage_move_text_round_trip() -> None:
    text = stage_move_text("startup", date(2022, 11, 1))
    assert text == "startup@2022-11-01"
    assert parse_stage_move(text) == ("startup", date(2022, 11, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("growth@", ("growth", None)), ("growth@2022-13-01", ("growth", None)), (None, ("", None))],
)
def test_unreadable_stage_move_day_is_none(text: str | None, expected: tuple) -> None:
    assert parse_stage_move(text) == expected
