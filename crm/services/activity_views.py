"""Read side of the support log: filtered, paged activities across companies, programme budget
status, and the audit history of one company with its activities and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.models import Activity, Company, Programme, User
from crm.quarters import Quarter
from crm.services.budget import BudgetLine, Spend, amount_sum
from crm.services.queries import live_activity

ACTIVITY_COLUMNS = [
    "id",
    "company_id",
    "company",
    "programme_id",
    "programme",
    "kind",
    "start_on",
    "end_on",
    "status",
    "amount_krw",
    "officer_id",
    "officer",
    "notes",
    "details",
    "version",
]


@dataclass(frozen=True)
class ActivityFilters:
    kinds: tuple[str, ...] = ()
    programme_ids: tuple[int, ...] = ()
    quarter: tuple[int, int] | None = None
    statuses: tuple[str, ...] = ()
    officer_ids: tuple[int, ...] = ()
    company_id: int | None = None
    search: str = ""


@dataclass(frozen=True)
class ActivityPage:
    rows: pd.DataFrame
    total: int
    total_krw: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _where(filters: ActivityFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.kinds:
        conditions.append(col(Programme.kind).in_(filters.kinds))
    if filters.programme_ids:
        conditions.append(col(Activity.programme_id).in_(filters.programme_ids))
    if filters.quarter:
        start, end = Quarter(*filters.quarter).bounds()
        conditions.append(col(Activity.start_on).between(start, end))
    if filters.statuses:
        conditions.append(col(Activity.status).in_(filters.statuses))
    if filters.officer_ids:
        conditions.append(col(Activity.officer_id).in_(filters.officer_ids))
    if filters.company_id is not None:
        conditions.append(Activity.company_id == filters.company_id)
    if filters.search.strip():
        like = f"%{filters.search.strip()}%"
        conditions.append(
            sa.or_(col(Company.name_ko).ilike(like), col(Company.name_en).ilike(like))
        )
    return conditions


def list_activities(
    session: Session,
    filters: ActivityFilters = ActivityFilters(),  # noqa: B008 (frozen, safe as a default)
    *,
    page: int = 1,
    page_size: int = 50,
) -> ActivityPage:
    """Newest first; the count and KRW total cover every matching row (cancelled rows excluded
    from the total), the rows only this page."""
    page_size = max(1, min(page_size, 1000))
    conditions = _where(filters)
    joined = (
        select(Activity.id)
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .join(Company, col(Company.id) == Activity.company_id)
        .where(*conditions)
    )
    total = session.exec(select(func.count()).select_from(joined.subquery())).one()
    total_krw = session.exec(
        select(func.coalesce(func.sum(Activity.amount_krw), 0))
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .join(Company, col(Company.id) == Activity.company_id)
        .where(*conditions, live_activity())
    ).one()
    page = max(1, min(page, max(1, -(-total // page_size))))
    query = (
        sa.select(
            Activity.id,
            Activity.company_id,
            Company.name_ko,
            Activity.programme_id,
            Programme.name,
            Programme.kind,
            Activity.start_on,
            Activity.end_on,
            Activity.status,
            Activity.amount_krw,
            Activity.officer_id,
            User.display_name,
            Activity.notes,
            Activity.details,
            Activity.version,
        )
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .join(Company, col(Company.id) == Activity.company_id)
        .outerjoin(User, col(User.id) == Activity.officer_id)
        .where(*conditions)
        .order_by(col(Activity.start_on).desc(), col(Activity.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = pd.DataFrame(session.execute(query).all(), columns=ACTIVITY_COLUMNS)
    return ActivityPage(rows, int(total), int(total_krw), page, page_size)


@dataclass(frozen=True)
class BudgetCheck:
    """A programme's budget against what it already carries, and the total after a new amount."""

    programme_id: int
    line: BudgetLine
    after_krw: int

    @property
    def budget_krw(self) -> int:
        return self.line.budget_krw

    @property
    def executed_krw(self) -> int:
        return self.line.executed_krw

    @property
    def over_budget(self) -> bool:
        """Executed + committed + planned + the new amount exceeds the budget."""
        return self.budget_krw > 0 and self.after_krw > self.budget_krw


def budget_check(
    session: Session, programme_id: int, amount_krw: int, *, replacing_activity: int | None = None
) -> BudgetCheck:
    """What a programme's executed + committed + planned KRW would be after saving this amount
    (warn before an overrun: money already promised counts as much as money spent)."""
    programme = session.get(Programme, programme_id)
    budget = programme.budget_krw if programme else 0
    query = select(
        amount_sum(Spend.EXECUTED), amount_sum(Spend.COMMITTED), amount_sum(Spend.PLANNED)
    ).where(Activity.programme_id == programme_id, live_activity())
    if replacing_activity is not None:
        query = query.where(Activity.id != replacing_activity)
    executed, committed, planned = (int(v) for v in session.exec(query).one())
    line = BudgetLine(budget, executed, committed, planned)
    return BudgetCheck(programme_id, line, line.allocated_krw + max(0, int(amount_krw or 0)))
