"""Counts for `crm db stats` and the home dashboard, computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.models import (
    Activity,
    AuditEntry,
    Cohort,
    Company,
    OutcomeReport,
    Programme,
    Stage,
    User,
)
from crm.quarters import Quarter
from crm.services.budget import BudgetLine, Spend, amount_sum
from crm.services.queries import live_activity, quarter_of, year_of
from crm.services.stages import current_stage_subquery


def table_counts(session: Session) -> dict[str, int]:
    out: dict[str, int] = {}
    for model in (Company, Activity, Programme, OutcomeReport, User, AuditEntry):
        out[model.__tablename__] = session.exec(select(func.count()).select_from(model)).one()  # type: ignore[arg-type]
    return out


def companies_by_stage(
    session: Session, *, cohort_year: int | None = None, include_archived: bool = False
) -> dict[str, int]:
    current = current_stage_subquery()
    query = (
        select(current.c.stage, func.count())
        .select_from(current)
        .join(Company, col(Company.id) == current.c.company_id)
        .group_by(current.c.stage)
    )
    if cohort_year is not None:
        query = query.where(Company.cohort_year == cohort_year)
    if not include_archived:
        query = query.where(~col(Company.archived))
    counts = dict(session.exec(query).all())
    return {s.value: int(counts.get(s.value, 0)) for s in Stage}


def activities_by_kind(
    session: Session, *, year: int | None = None, quarter: int | None = None
) -> pd.DataFrame:
    """Live activities and KRW per kind (optionally one year / quarter)."""
    query = (
        select(
            Programme.kind,
            func.count(col(Activity.id)).label("activities"),
            func.coalesce(func.sum(Activity.amount_krw), 0).label("amount_krw"),
            func.count(sa.distinct(Activity.company_id)).label("companies"),
        )
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .where(live_activity())
        .group_by(Programme.kind)
        .order_by(Programme.kind)
    )
    if year is not None and quarter is not None:
        # A date range, not a quarter computed per row: the start_on index narrows the scan.
        first, last = Quarter(year, quarter).bounds()
        query = query.where(col(Activity.start_on).between(first, last))
    elif year is not None:
        query = query.where(col(Activity.start_on).between(date(year, 1, 1), date(year, 12, 31)))
    elif quarter is not None:
        query = query.where(quarter_of(col(Activity.start_on)) == quarter)
    rows = session.exec(query).all()
    return pd.DataFrame(rows, columns=["kind", "activities", "amount_krw", "companies"])


def activities_by_quarter(session: Session) -> pd.DataFrame:
    y = year_of(col(Activity.start_on)).label("year")
    q = quarter_of(col(Activity.start_on)).label("quarter")
    rows = session.exec(
        select(y, q, func.count(), func.coalesce(func.sum(Activity.amount_krw), 0))
        .where(live_activity())
        .group_by(y, q)
        .order_by(y, q)
    ).all()
    return pd.DataFrame(rows, columns=["year", "quarter", "activities", "amount_krw"])


def programme_execution(session: Session, year: int) -> pd.DataFrame:
    """Per programme of a year: budget; KRW executed (completed), committed (in progress) and
    planned, apart (see crm.services.budget); executed share of the budget; companies and
    activities not cancelled; target."""
    spent = (
        select(
            Activity.programme_id,
            amount_sum(Spend.EXECUTED).label("executed"),
            amount_sum(Spend.COMMITTED).label("committed"),
            amount_sum(Spend.PLANNED).label("planned"),
            func.count(col(Activity.id)).label("activities"),
            func.count(sa.distinct(Activity.company_id)).label("companies"),
        )
        .where(live_activity())
        # Only the year's programmes: other years' activities are not read at all.
        .where(col(Activity.programme_id).in_(select(Programme.id).where(Programme.year == year)))
        .group_by(Activity.programme_id)
        .subquery()
    )
    rows = session.exec(
        select(
            Programme.id,
            Programme.name,
            Programme.kind,
            Programme.budget_krw,
            Programme.target_companies,
            func.coalesce(spent.c.executed, 0),
            func.coalesce(spent.c.committed, 0),
            func.coalesce(spent.c.planned, 0),
            func.coalesce(spent.c.activities, 0),
            func.coalesce(spent.c.companies, 0),
        )
        .outerjoin(spent, spent.c.programme_id == Programme.id)
        .where(Programme.year == year)
        .order_by(col(Programme.id))
    ).all()
    df = pd.DataFrame(
        rows,
        columns=[
            "programme_id",
            "name",
            "kind",
            "budget_krw",
            "target_companies",
            "executed_krw",
            "committed_krw",
            "planned_krw",
            "activities",
            "companies",
        ],
    )
    # PostgreSQL sums BIGINT into NUMERIC (Decimal): back to whole won.
    for column in ("executed_krw", "committed_krw", "planned_krw"):
        df[column] = df[column].astype("int64")
    df["executed_pct"] = (df["executed_krw"] / df["budget_krw"].where(df["budget_krw"] > 0)).fillna(
        0.0
    ) * 100
    return df


def latest_year(session: Session) -> int | None:
    return session.exec(select(func.max(Company.cohort_year))).one()


@dataclass(frozen=True)
class CohortSummary:
    year: int
    target: int
    companies: int
    supported: int
    budget_krw: int
    executed_krw: int
    committed_krw: int
    planned_krw: int
    jobs_created: int
    patents_filed: int
    patents_registered: int

    @property
    def budget_line(self) -> BudgetLine:
        return BudgetLine(self.budget_krw, self.executed_krw, self.committed_krw, self.planned_krw)

    @property
    def executed_pct(self) -> float:
        """집행률 in percent: executed (completed) over the year's budgets, 0 without a budget."""
        return 100 * self.budget_line.executed_share


def cohort_summary(
    session: Session, year: int, execution: pd.DataFrame | None = None
) -> CohortSummary:
    """The year's cohort figures; `execution` is `programme_execution(session, year)` when the
    caller has it already (the dashboard shows both)."""
    cohort = session.get(Cohort, year)
    companies = session.exec(
        select(func.count())
        .select_from(Company)
        .where(Company.cohort_year == year, ~col(Company.archived))
    ).one()
    # Companies of the cohort with live support in the year: one index probe per company
    # (the first live activity answers), not a distinct count over every activity of the year.
    supported_in_year = (
        select(Activity.id)
        .where(
            col(Activity.company_id) == Company.id,
            live_activity(),
            col(Activity.start_on).between(date(year, 1, 1), date(year, 12, 31)),
        )
        .correlate(Company)
        .exists()
    )
    supported = session.exec(
        select(func.count())
        .select_from(Company)
        .where(Company.cohort_year == year, supported_in_year)
    ).one()
    if execution is None:
        execution = programme_execution(session, year)
    outcomes = session.exec(
        select(
            func.coalesce(func.sum(OutcomeReport.new_hires), 0),
            func.coalesce(func.sum(OutcomeReport.patents_filed), 0),
            func.coalesce(func.sum(OutcomeReport.patents_registered), 0),
        ).where(OutcomeReport.year == year)
    ).one()
    return CohortSummary(
        year=year,
        target=cohort.target_companies if cohort else 0,
        companies=int(companies),
        supported=int(supported),
        budget_krw=int(execution["budget_krw"].sum()),
        executed_krw=int(execution["executed_krw"].sum()),
        committed_krw=int(execution["committed_krw"].sum()),
        planned_krw=int(execution["planned_krw"].sum()),
        jobs_created=int(outcomes[0]),
        patents_filed=int(outcomes[1]),
        patents_registered=int(outcomes[2]),
    )


def companies_needing_attention(
    session: Session, *, as_of: date, year: int | None = None, days: int = 90
) -> pd.DataFrame:
    """Active companies with no live support in `days` before `as_of`, or no outcome report for
    the quarter before `as_of`'s quarter. One row per company with both reasons as flags."""
    since = as_of - timedelta(days=days)
    # Each company's latest live support up to as_of, found through the (company, start_on)
    # index from as_of backwards: a grouped maximum over every activity read them all.
    last_support = (
        select(func.max(Activity.start_on))
        .where(
            col(Activity.company_id) == Company.id,
            live_activity(),
            col(Activity.start_on) <= as_of,
        )
        .correlate(Company)
        .scalar_subquery()
    )
    report_quarter = Quarter.of(as_of).previous()
    rep_year, rep_quarter = report_quarter.year, report_quarter.number
    has_report = (
        select(OutcomeReport.company_id)
        .where(OutcomeReport.year == rep_year, OutcomeReport.quarter == rep_quarter)
        .subquery()
    )
    current = current_stage_subquery()
    companies = select(
        Company.id.label("company_id"),  # type: ignore[union-attr]
        Company.name_ko.label("name"),  # type: ignore[attr-defined]
        last_support.label("last_support"),
    ).where(~col(Company.archived))
    if year is not None:
        companies = companies.where(Company.cohort_year == year)
    each = companies.subquery()
    no_support = sa.or_(each.c.last_support.is_(None), each.c.last_support < since)
    no_report = has_report.c.company_id.is_(None)
    query = (
        select(
            each.c.company_id,
            each.c.name,
            current.c.stage,
            each.c.last_support,
            no_support.label("no_recent_support"),
            no_report.label("missing_report"),
        )
        .join(current, current.c.company_id == each.c.company_id)
        .outerjoin(has_report, has_report.c.company_id == each.c.company_id)
        .where(sa.or_(no_support, no_report))
        .order_by(each.c.name)
    )
    rows = session.exec(query).all()
    df = pd.DataFrame(
        rows,
        columns=[
            "company_id",
            "name",
            "stage",
            "last_support",
            "no_recent_support",
            "missing_report",
        ],
    )
    df["no_recent_support"] = df["no_recent_support"].astype(bool)
    df["missing_report"] = df["missing_report"].astype(bool)
    df.attrs["report_quarter"] = (rep_year, rep_quarter)
    return df


def default_as_of(year: int, quarter: int, today: date | None = None) -> date:
    """The dashboard's reference day: the end of the chosen quarter, or today if earlier."""
    end = Quarter(year, quarter).end
    return min(end, today or date.today())
