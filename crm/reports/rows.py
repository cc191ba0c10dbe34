"""The detail sheets' rows, streamed from SQL selects in sheet order (never loaded all at once)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from crm.models import Activity, Company, OutcomeReport, Programme, StageEntry, User
from crm.reports.options import Period
from crm.reports.sql import company_name, in_ytd, stage_entries_with_previous, stage_on, stream
from crm.services.queries import live_activity


def company_rows(
    session: Session, period: Period, kinds: Sequence[str], lang: str
) -> Iterator[Sequence[Any]]:
    """Per supported company: id, name, stage at quarter end, industry, officer; then per kind
    (activities Q, KRW Q, activities YTD, KRW YTD); the same four for all kinds; last support."""
    in_q = col(Activity.start_on) >= period.start
    amount = col(Activity.amount_krw)

    def counted(condition: sa.ColumnElement[bool], value: Any) -> sa.ColumnElement[Any]:
        return func.coalesce(func.sum(sa.case((condition, value), else_=0)), 0)

    per_kind: list[sa.ColumnElement[Any]] = []
    for kind in kinds:
        is_kind = col(Programme.kind) == kind
        per_kind += [
            counted(sa.and_(is_kind, in_q), 1),
            counted(sa.and_(is_kind, in_q), amount),
            counted(is_kind, 1),
            counted(is_kind, amount),
        ]
    figures = [
        *per_kind,
        counted(in_q, 1),
        counted(in_q, amount),
        func.count(col(Activity.id)),
        func.coalesce(func.sum(amount), 0),
        func.max(Activity.start_on),
    ]
    agg = (
        select(
            col(Activity.company_id).label("company_id"),
            *[f.label(f"f{i}") for i, f in enumerate(figures)],
        )
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .where(in_ytd(period))
        .group_by(Activity.company_id)
        .subquery("per_company")
    )
    stage = stage_on(period.end, None)
    statement = (
        select(
            Company.id,
            company_name(lang),
            stage.c.stage,
            Company.industry,
            User.display_name,
            *[c for c in agg.c if c.name != "company_id"],
        )
        .join(agg, agg.c.company_id == Company.id)
        .outerjoin(stage, stage.c.company_id == Company.id)
        .outerjoin(User, col(User.id) == Company.officer_id)
        .order_by(col(Company.id))
    )
    return stream(session, statement)


def kind_activity_rows(
    session: Session, period: Period, kind: str, lang: str
) -> Iterator[Sequence[Any]]:
    """The quarter's live activities of one kind: id, start, end, company id, company, programme,
    status, amount, officer, notes, details (the kind's fields as stored)."""
    statement = (
        select(
            Activity.id,
            Activity.start_on,
            Activity.end_on,
            Activity.company_id,
            company_name(lang),
            Programme.name,
            Activity.status,
            Activity.amount_krw,
            User.display_name,
            Activity.notes,
            Activity.details,
        )
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .join(Company, col(Company.id) == Activity.company_id)
        .outerjoin(User, col(User.id) == Activity.officer_id)
        .where(
            Programme.kind == kind,
            live_activity(),
            col(Activity.start_on).between(period.start, period.end),
        )
        .order_by(col(Activity.start_on), col(Activity.id))
    )
    return stream(session, statement)


def stage_move_rows(session: Session, period: Period, lang: str) -> Iterator[Sequence[Any]]:
    """The quarter's stage moves of cohort companies: company id, company, from, to, date,
    reason, recorded by, recorded at."""
    lagged = stage_entries_with_previous(period)
    statement = (
        select(
            lagged.c.company_id,
            company_name(lang),
            lagged.c.previous,
            lagged.c.stage,
            lagged.c.entered_on,
            StageEntry.reason,
            User.display_name,
            StageEntry.recorded_at,
        )
        .join(StageEntry, col(StageEntry.id) == lagged.c.id)
        .join(Company, col(Company.id) == lagged.c.company_id)
        .outerjoin(User, col(User.id) == StageEntry.recorded_by_id)
        .where(lagged.c.entered_on >= period.start, lagged.c.previous.is_not(None))
        .order_by(lagged.c.entered_on, lagged.c.id)
    )
    return stream(session, statement)


OUTCOME_FLOWS = (
    "new_hires",
    "patents_filed",
    "patents_registered",
    "investment_krw",
    "exports_krw",
)


def outcome_rows(session: Session, period: Period, lang: str) -> Iterator[Sequence[Any]]:
    """Per company with a report this year up to the quarter: id, company, then the quarter's
    employees, new hires, revenue, patents filed, registered, investment, exports (None when the
    quarter has no report), then the year-to-date sums of the five flows."""
    ytd = (
        select(
            col(OutcomeReport.company_id).label("company_id"),
            *[
                func.coalesce(func.sum(getattr(OutcomeReport, f)), 0).label(f)
                for f in OUTCOME_FLOWS
            ],
        )
        .where(OutcomeReport.year == period.year, col(OutcomeReport.quarter) <= period.quarter)
        .group_by(OutcomeReport.company_id)
        .subquery("ytd")
    )
    this = aliased(OutcomeReport, name="this_quarter")
    statement = (
        select(
            Company.id,
            company_name(lang),
            this.employees,
            this.new_hires,
            this.revenue_krw,
            this.patents_filed,
            this.patents_registered,
            this.investment_krw,
            this.exports_krw,
            *[ytd.c[f] for f in OUTCOME_FLOWS],
        )
        .join(ytd, ytd.c.company_id == Company.id)
        .outerjoin(
            this,
            sa.and_(
                this.company_id == Company.id,
                this.year == period.year,
                this.quarter == period.quarter,
            ),
        )
        .order_by(col(Company.id))
    )
    return stream(session, statement)
