"""Closed quarters: activities and outcome reports dated in one cannot change by normal edits."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from crm.models import QuarterClose
from crm.quarters import Quarter
from crm.validation import Checker


def is_closed(session: Session, year: int, quarter: int) -> bool:
    return (
        session.exec(
            select(QuarterClose.id).where(
                QuarterClose.year == year, QuarterClose.quarter == quarter
            )
        ).first()
        is not None
    )


def closed_quarters(session: Session) -> set[tuple[int, int]]:
    return {(y, q) for y, q in session.exec(select(QuarterClose.year, QuarterClose.quarter)).all()}


def check_open(
    check: Checker,
    session: Session,
    field: str,
    *,
    day: date | None = None,
    year: int | None = None,
    quarter: int | None = None,
) -> None:
    """Add a field error if the date (or year/quarter) falls in a closed quarter."""
    if day is not None:
        year, quarter = day.year, Quarter.of(day).number
    if year is None or quarter is None:
        return
    if is_closed(session, year, quarter):
        check.fail(field, "error.quarter_closed", year=year, quarter=quarter)
