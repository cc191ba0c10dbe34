"""The home dashboard's read model on both engines: which quarter it opens on (a partial year
opens on today's quarter, a past year on its latest quarter with live support), its reference
day, and the "needs attention" list (no live support in the 90 days before that day, or no
outcome report for the quarter before)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from crm.models import Company, Programme
from crm.services import activities, dashboard, outcomes, stats
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.companies import create_company
from tests.conftest import new_company

MENTOR = {"mentor": "멘토", "topic": "IR", "hours": 2.0}
FIGURES = {"employees": 5, "new_hires": 1, "revenue_krw": 0, "patents_filed": 0}
AS_OF = date(2022, 10, 15)  # Q4: the report due is 2022 Q3


def _support(
    session: Session,
    officer: Actor,
    company: Company,
    programme: Programme,
    start_on: date,
    status: str = "completed",
) -> None:
    activities.log_activity(
        session,
        officer,
        NewActivity(
            company.id,  # type: ignore[arg-type]
            programme.id,  # type: ignore[arg-type]
            start_on,
            status=status,
            amount_krw=100_000,
            details=MENTOR,
        ),
    )


def _report(session: Session, officer: Actor, company: Company, year: int, quarter: int) -> None:
    outcomes.create_outcome_report(
        session,
        officer,
        company_id=company.id,  # type: ignore[arg-type]
        year=year,
        quarter=quarter,
        figures=FIGURES,
    )


def _company(session: Session, officer: Actor, name: str) -> Company:
    return create_company(session, officer, new_company(name_ko=name, brn=None))


@pytest.mark.parametrize(
    ("month", "quarter"),
    [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)],
)
def test_a_partial_year_opens_on_todays_quarter(
    session: Session,
    officer: Actor,
    programmes: dict[str, Programme],
    company: Company,
    month: int,
    quarter: int,
) -> None:
    # Support late in the year must not pull the current year past today's quarter.
    _support(session, officer, company, programmes["mentoring"], date(2022, 12, 1), "planned")
    today = date(2022, month, 28 if month != 12 else 31)
    assert dashboard.default_quarter(session, 2022, today=today) == quarter


def test_a_past_year_opens_on_its_latest_quarter_with_live_support(
    session: Session, officer: Actor, programmes: dict[str, Programme], company: Company
) -> None:
    mentoring = programmes["mentoring"]
    _support(session, officer, company, mentoring, date(2022, 2, 10))
    _support(session, officer, company, mentoring, date(2022, 5, 20))
    _support(session, officer, company, mentoring, date(2022, 8, 3), "cancelled")  # not live
    today = date(2023, 2, 1)
    assert dashboard.default_quarter(session, 2022, today=today) == 2
    assert dashboard.default_quarter(session, 2021, today=today) == 4  # no support: Q4


def test_reference_day_is_quarter_end_or_today_if_earlier() -> None:
    assert stats.default_as_of(2022, 3, date(2023, 1, 10)) == date(2022, 9, 30)
    assert stats.default_as_of(2022, 3, date(2022, 8, 20)) == date(2022, 8, 20)
    assert stats.default_as_of(2022, 4, date(2023, 1, 1)) == date(2022, 12, 31)


def test_needs_attention_window_is_ninety_days_and_report_is_last_quarters(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    mentoring = programmes["mentoring"]
    on_edge = _company(session, officer, "가경계")  # last support exactly 90 days before: fine
    just_out = _company(session, officer, "나하루늦음")  # 91 days before: needs attention
    later_only = _company(session, officer, "다나중만")  # support only after the reference day
    cancelled = _company(session, officer, "라취소")  # recent support, but cancelled
    wrong_q = _company(session, officer, "마분기")  # reported this quarter, not the last one
    _support(session, officer, on_edge, mentoring, AS_OF - timedelta(days=90))
    _support(session, officer, just_out, mentoring, AS_OF - timedelta(days=91))
    _support(session, officer, later_only, mentoring, AS_OF + timedelta(days=1))
    _support(session, officer, cancelled, mentoring, AS_OF - timedelta(days=5), "cancelled")
    _support(session, officer, wrong_q, mentoring, AS_OF - timedelta(days=10))
    for c in (on_edge, just_out, later_only, cancelled):
        _report(session, officer, c, 2022, 3)
    _report(session, officer, wrong_q, 2022, 4)
    _report(session, officer, wrong_q, 2022, 2)

    found = stats.companies_needing_attention(session, as_of=AS_OF, year=2022)
    assert found.attrs["report_quarter"] == (2022, 3)
    flags = {
        row.name: (bool(row.no_recent_support), bool(row.missing_report))
        for row in found.itertuples()
    }
    assert flags == {
        "나하루늦음": (True, False),
        "다나중만": (True, False),
        "라취소": (True, False),
        "마분기": (False, True),
    }
    assert found.loc[found["name"] == "나하루늦음", "last_support"].item() == date(2022, 7, 16)

    # A shorter window, asked for explicitly, moves the edge with it.
    shorter = stats.companies_needing_attention(session, as_of=AS_OF, year=2022, days=89)
    assert "가경계" in shorter["name"].tolist()


def test_dashboard_reads_attention_on_its_reference_day(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    quiet = _company(session, officer, "가조용")
    _support(session, officer, quiet, programmes["mentoring"], date(2022, 6, 1))
    _report(session, officer, quiet, 2022, 2)
    # In August (Q3 not over) the reference day is today: June is 80 days back, Q2 reported.
    early = dashboard.build(session, 2022, 3, today=date(2022, 8, 20))
    assert (early.year, early.quarter, early.as_of) == (2022, 3, date(2022, 8, 20))
    assert early.attention.empty
    # After Q3 the reference day is 30 September: 121 days without support.
    late = dashboard.build(session, 2022, 3, today=date(2023, 1, 10))
    assert late.as_of == date(2022, 9, 30)
    assert late.attention[["name", "no_recent_support", "missing_report"]].values.tolist() == [
        ["가조용", True, False]
    ]
    assert late.summary.companies == 1 and late.by_stage["startup"] == 1


def test_years_offered_are_programme_years_not_every_cohort_year_of_a_company(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    """A company from a year the office ran no programme for (the demo's infrastructure-only
    companies are the 2021 cohort's) does not add an empty year to the home page."""
    create_company(session, officer, new_company(name_ko="인프라전용", brn=None, cohort_year=2021))
    _company(session, officer, "코호트기업")
    assert dashboard.cohort_years(session) == [2022]
    stats_years = {c.cohort_year for c in session.exec(select(Company)).all()}
    assert stats_years == {2021, 2022}  # the company of 2021 is there, its year is not offered


def test_supported_counts_cohort_companies_with_live_support_in_the_year_once(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    mentoring = programmes["mentoring"]
    twice = _company(session, officer, "가두번")
    _support(session, officer, twice, mentoring, date(2022, 3, 2))
    _support(session, officer, twice, mentoring, date(2022, 9, 9))
    once = _company(session, officer, "나한번")
    _support(session, officer, once, mentoring, date(2022, 11, 30), "planned")
    cancelled = _company(session, officer, "다취소")
    _support(session, officer, cancelled, mentoring, date(2022, 5, 5), "cancelled")
    _company(session, officer, "라없음")
    other_cohort = create_company(
        session, officer, new_company(name_ko="마작년", brn=None, cohort_year=2021)
    )
    _support(session, officer, other_cohort, mentoring, date(2022, 4, 4))

    summary = stats.cohort_summary(session, 2022)
    assert (summary.companies, summary.supported) == (4, 2)
    assert stats.cohort_summary(session, 2021).supported == 0  # its support was in 2022
