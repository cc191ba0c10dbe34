"""What counts as executed, committed and planned KRW: one definition for the home dashboard, the
support log's budget table, the over-budget warning and the quarterly workbook.

- executed (집행): completed activities. Money actually spent, the ministry's execution figure.
- committed (약정): activities in progress. Agreed and under way but not yet settled, so not
  executed; it becomes executed when the activity is marked completed.
- planned (계획): activities not started yet.
- cancelled activities count nowhere.

Headroom is budget − (executed + committed + planned): the over-budget warning uses all three."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, func

from crm.models import Activity, ActivityStatus


class Spend(StrEnum):
    EXECUTED = "executed"
    COMMITTED = "committed"
    PLANNED = "planned"


STATUS_OF: dict[Spend, ActivityStatus] = {
    Spend.EXECUTED: ActivityStatus.COMPLETED,
    Spend.COMMITTED: ActivityStatus.IN_PROGRESS,
    Spend.PLANNED: ActivityStatus.PLANNED,
}


def spend_of(status: str) -> Spend | None:
    """Which amount an activity of `status` adds to (None for cancelled)."""
    return next((s for s, st in STATUS_OF.items() if st.value == status), None)


def amount_sum(spend: Spend, *conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """SUM of amount_krw over the activities counted as `spend` (and `conditions`), 0 if none."""
    counted = col(Activity.status) == STATUS_OF[spend].value
    when = sa.and_(counted, *conditions) if conditions else counted
    return func.coalesce(func.sum(sa.case((when, Activity.amount_krw), else_=0)), 0)


@dataclass(frozen=True)
class BudgetLine:
    """A budget with what is executed, committed and planned against it (KRW)."""

    budget_krw: int
    executed_krw: int
    committed_krw: int
    planned_krw: int

    @property
    def allocated_krw(self) -> int:
        """Executed + committed + planned: what the budget must cover."""
        return self.executed_krw + self.committed_krw + self.planned_krw

    @property
    def executed_share(self) -> float:
        return self.executed_krw / self.budget_krw if self.budget_krw else 0.0
