"""SQL pieces the figures and the detail sheets share, and streaming of large selects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.models import Activity, Company, StageEntry
from crm.reports.options import Period
from crm.services.queries import live_activity

BATCH = 2_000


def stream(session: Session, statement: sa.Select[Any]) -> Iterator[Sequence[Any]]:
    """Rows fetched in batches (a server-side cursor on PostgreSQL), so memory stays flat."""
    result = session.execute(statement, execution_options={"yield_per": BATCH})
    for partition in result.partitions():
        yield from partition


def in_ytd(period: Period) -> sa.ColumnElement[bool]:
    """Live activities starting between 1 January and the quarter's last day."""
    return sa.and_(live_activity(), col(Activity.start_on).between(period.ytd_start, period.end))


def company_name(lang: str) -> sa.ColumnElement[str]:
    if lang == "ko":
        return col(Company.name_ko)
    return func.coalesce(col(Company.name_en), col(Company.name_ko))


def stage_on(day: Any, cohort_year: int | None) -> sa.Subquery:
    """(company_id, stage) of each company's latest stage entry on or before `day` (only the
    companies of one cohort year, unless it is None)."""
    ranked_select = select(
        StageEntry.company_id,
        StageEntry.stage,
        func.row_number()
        .over(
            partition_by=StageEntry.company_id,
            order_by=(col(StageEntry.entered_on).desc(), col(StageEntry.id).desc()),
        )
        .label("rn"),
    ).where(col(StageEntry.entered_on) <= day)
    if cohort_year is not None:
        ranked_select = ranked_select.join(Company, col(Company.id) == StageEntry.company_id).where(
            Company.cohort_year == cohort_year
        )
    ranked = ranked_select.subquery("ranked")
    return select(ranked.c.company_id, ranked.c.stage).where(ranked.c.rn == 1).subquery("stage_on")


def stage_entries_with_previous(period: Period) -> sa.Subquery:
    """Cohort companies' stage entries up to the quarter's end, each with the stage before it."""
    return (
        select(
            StageEntry.id,
            StageEntry.company_id,
            StageEntry.stage,
            StageEntry.entered_on,
            func.lag(StageEntry.stage)
            .over(
                partition_by=StageEntry.company_id,
                order_by=(col(StageEntry.entered_on), col(StageEntry.id)),
            )
            .label("previous"),
        )
        .join(Company, col(Company.id) == StageEntry.company_id)
        .where(Company.cohort_year == period.year, col(StageEntry.entered_on) <= period.end)
        .subquery("lagged")
    )
