"""Read side of the support log: filtered, paged activities across companies, programme budget
status, and the audit history of one company with its activities and reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.models import Activity, AuditEntry, Company, OutcomeReport, Programme, User
from crm.services.actor import Actor
from crm.services.budget import BudgetLine, Spend, amount_sum
from crm.services.companies import PERSONAL_FIELDS
from crm.services.company_views import mask_value
from crm.services.permissions import Permission, can
from crm.services.queries import live_activity, quarter_bounds

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
        start, end = quarter_bounds(*filters.quarter)
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


def company_audit(
    session: Session, actor: Actor, company_id: int, limit: int = 500
) -> pd.DataFrame:
    """Audit rows of a company, its activities and its outcome reports, newest first; personal
    contact values are masked for actors who may not see them."""
    activity_ids = select(Activity.id).where(Activity.company_id == company_id)
    report_ids = select(OutcomeReport.id).where(OutcomeReport.company_id == company_id)
    query = (
        sa.select(
            AuditEntry.at,
            User.display_name,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.field,
            AuditEntry.old_value,
            AuditEntry.new_value,
            AuditEntry.context,
        )
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(
            sa.or_(
                sa.and_(AuditEntry.entity == "company", AuditEntry.entity_id == company_id),
                sa.and_(
                    AuditEntry.entity == "activity", col(AuditEntry.entity_id).in_(activity_ids)
                ),
                sa.and_(
                    AuditEntry.entity == "outcome_report", col(AuditEntry.entity_id).in_(report_ids)
                ),
            )
        )
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    rows = pd.DataFrame(
        session.execute(query).all(),
        columns=["at", "who", "action", "entity", "entity_id", "field", "old", "new", "context"],
    )
    if not can(actor.role, Permission.VIEW_PERSONAL_DATA) and not rows.empty:
        for column in ("old", "new"):
            rows[column] = [
                _mask_audit_value(f, v) for f, v in zip(rows["field"], rows[column], strict=True)
            ]
    return rows


def _mask_audit_value(field: str | None, value: str | None) -> str | None:
    if value is None:
        return None
    if field in PERSONAL_FIELDS:
        return mask_value(field, value)
    if field is None and value.startswith("{"):
        try:
            snapshot = json.loads(value)
        except ValueError:
            return value
        for name in PERSONAL_FIELDS:
            if snapshot.get(name):
                snapshot[name] = mask_value(name, snapshot[name])
        return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)
    return value
