"""HPC compute utilisation: used / allocated GPU-hours per allocation (an activity of the `hpc`
kind), and the allocations the programme should reclaim: under the idle threshold
(CRM_HPC_IDLE_THRESHOLD) with their end within 30 days, or already past."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from crm.models import Activity, ActivityStatus, Company, Programme

HPC_KIND = "hpc"
ALLOCATED = "allocated_gpu_hours"
USED = "used_gpu_hours"
RESOURCE = "resource"
RECLAIM_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Allocation:
    """One HPC activity's GPU-hours; `end_on` is the activity's own end date."""

    activity_id: int
    company_id: int
    company: str
    programme: str
    resource: str
    allocated: float
    used: float
    start_on: date
    end_on: date | None

    @property
    def utilisation(self) -> float:
        """Used / allocated (0 when nothing was allocated or nothing used yet)."""
        return self.used / self.allocated if self.allocated > 0 else 0.0


def utilisation(details: dict[str, Any] | None) -> float | None:
    """Used / allocated GPU-hours of one HPC activity's stored details (None if not HPC)."""
    allocated = _hours((details or {}).get(ALLOCATED))
    if allocated <= 0:
        return None
    return _hours((details or {}).get(USED)) / allocated


def _hours(value: Any) -> float:
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def allocations(
    session: Session, *, year: int | None = None, company_id: int | None = None
) -> list[Allocation]:
    """Every live (not cancelled) HPC allocation, optionally of one programme year or company."""
    query = (
        select(
            Activity.id,
            Activity.company_id,
            Company.name_ko,
            Programme.name,
            Activity.start_on,
            Activity.end_on,
            Activity.details,
        )
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .join(Company, col(Company.id) == Activity.company_id)
        .where(Programme.kind == HPC_KIND, Activity.status != ActivityStatus.CANCELLED.value)
        # By end date, open-ended last (NULLs sort first on SQLite, last on PostgreSQL).
        .order_by(col(Activity.end_on).is_(None), col(Activity.end_on), col(Activity.id))
    )
    if year is not None:
        query = query.where(Programme.year == year)
    if company_id is not None:
        query = query.where(Activity.company_id == company_id)
    out = []
    for aid, cid, company, programme, start, end, details in session.execute(query).all():
        values = details if isinstance(details, dict) else {}
        out.append(
            Allocation(
                int(aid),
                int(cid),
                str(company),
                str(programme),
                str(values.get(RESOURCE) or ""),
                _hours(values.get(ALLOCATED)),
                _hours(values.get(USED)),
                start,
                end,
            )
        )
    return out


def to_reclaim(found: Iterable[Allocation], today: date, threshold: float) -> list[Allocation]:
    """Allocations under `threshold` utilisation whose end is within 30 days of `today` or past
    (an allocation without an end date is not flagged: nothing says it is ending)."""
    return [
        a
        for a in found
        if a.allocated > 0
        and a.utilisation < threshold
        and a.end_on is not None
        and a.end_on <= today + RECLAIM_WINDOW
    ]


def overall(found: Sequence[Allocation]) -> float | None:
    """Used / allocated over all allocations (None when none has hours)."""
    allocated = sum(a.allocated for a in found)
    return sum(a.used for a in found) / allocated if allocated > 0 else None
