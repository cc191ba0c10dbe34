"""Shared SQL expressions for reads: quarters of a date, live (not cancelled) activities."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from crm.models import Activity, ActivityStatus


def quarter_of(column: sa.ColumnElement) -> sa.ColumnElement[int]:
    """1-4 for a date column, in SQL that SQLite and PostgreSQL both run."""
    month = sa.extract("month", column)
    return sa.case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)


def year_of(column: sa.ColumnElement) -> sa.ColumnElement[int]:
    return sa.cast(sa.extract("year", column), sa.Integer)


def live_activity() -> sa.ColumnElement[bool]:
    return col(Activity.status) != ActivityStatus.CANCELLED.value
