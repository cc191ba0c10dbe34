"""What the programme office opens each morning: one read model for the home dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from crm.models import Activity, Cohort, Programme
from crm.quarters import Quarter
from crm.services import stats
from crm.services.queries import live_activity


@dataclass(frozen=True)
class Dashboard:
    year: int
    quarter: int
    as_of: date
    summary: stats.CohortSummary
    by_stage: dict[str, int]
    programmes: pd.DataFrame
    quarter_by_kind: pd.DataFrame
    attention: pd.DataFrame


def cohort_years(session: Session) -> list[int]:
    """Programme years, newest first: years with a cohort (its target) or with programmes. A
    cohort year of companies alone is not one (the demo's infrastructure-only companies come
    from the 2021 cohort, which this office ran no programme for)."""
    cohorts = session.exec(select(Cohort.year)).all()
    programmes = session.exec(select(Programme.year).distinct()).all()
    return sorted({int(y) for y in (*cohorts, *programmes)}, reverse=True)


def default_quarter(session: Session, year: int, today: date | None = None) -> int:
    """The latest quarter of `year` that has activity (or today's quarter, in the current year)."""
    today = today or date.today()
    if year == today.year:
        return Quarter.of(today).number
    # The newest live activity of the year, found by walking the start_on index from the year's
    # end (a quarter computed per row read every activity).
    latest = session.exec(
        select(Activity.start_on)
        .where(
            live_activity(), col(Activity.start_on).between(date(year, 1, 1), date(year, 12, 31))
        )
        .order_by(col(Activity.start_on).desc())
        .limit(1)
    ).first()
    return Quarter.of(latest).number if latest else 4


def build(session: Session, year: int, quarter: int, *, today: date | None = None) -> Dashboard:
    as_of = stats.default_as_of(year, quarter, today)
    programmes = stats.programme_execution(session, year)  # read once, shown twice
    return Dashboard(
        year=year,
        quarter=quarter,
        as_of=as_of,
        summary=stats.cohort_summary(session, year, programmes),
        by_stage=stats.companies_by_stage(session, cohort_year=year),
        programmes=programmes,
        quarter_by_kind=stats.activities_by_kind(session, year=year, quarter=quarter),
        attention=stats.companies_needing_attention(session, as_of=as_of, year=year),
    )
