"""Read side of companies: the searchable, filterable, paged list and the profile, with personal
contact data masked for roles that may not see it (analysts)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.errors import NotFound
from crm.models import Activity, Company, Programme, StageEntry, User
from crm.quarters import Quarter
from crm.services.actor import Actor
from crm.services.companies import PERSONAL_FIELDS
from crm.services.permissions import Permission, can
from crm.services.queries import live_activity
from crm.services.stages import current_stage_subquery

MASK = "●●●"
SORTABLE = {
    "name_ko": col(Company.name_ko),
    "stage": None,  # filled with the current-stage column at query time
    "industry": col(Company.industry),
    "cohort_year": col(Company.cohort_year),
    "updated_at": col(Company.updated_at),
    "id": col(Company.id),
}


@dataclass(frozen=True)
class CompanyFilters:
    search: str = ""
    stages: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    officer_ids: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    programme_ids: tuple[int, ...] = ()
    quarter: tuple[int, int] | None = None  # (year, quarter) a support was received in
    archived: bool | None = False  # None: both
    cohort_year: int | None = None


@dataclass(frozen=True)
class CompanyPage:
    rows: pd.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def mask_value(field_name: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if field_name == "representative":
        text = str(value)
        return text[0] + "*" * max(1, len(text) - 1)
    return MASK


def may_see_personal(actor: Actor) -> bool:
    return can(actor.role, Permission.VIEW_PERSONAL_DATA)


def _without_spaces(column: Any) -> Any:
    return func.replace(column, " ", "")


def _filtered(actor: Actor, filters: CompanyFilters, *, with_stage: bool) -> tuple[sa.Select, Any]:
    """The filtered company ids; the current-stage window join only when it is needed (a stage
    filter or sort), so the common case stays a plain indexed scan at 10,000+ companies."""
    current = current_stage_subquery()
    query = select(Company.id)
    if with_stage or filters.stages:
        query = query.join(current, current.c.company_id == Company.id)
    conditions: list[Any] = []
    text = " ".join(filters.search.split())
    if text:
        like = f"%{text}%"
        digits = text.replace("-", "")
        # Names match without their spaces: "금남 로보틱스" finds "금남로보틱스" and back.
        squeezed = f"%{text.replace(' ', '')}%"
        options = [
            _without_spaces(col(Company.name_ko)).ilike(squeezed),
            _without_spaces(col(Company.name_en)).ilike(squeezed),
        ]
        if digits.isdigit() and len(digits) >= 3:
            options.append(func.replace(col(Company.brn), "-", "").contains(digits))
        if may_see_personal(actor):  # searching by a masked field would reveal it
            options.append(col(Company.representative).ilike(like))
        conditions.append(sa.or_(*options))
    if filters.stages:
        conditions.append(current.c.stage.in_(filters.stages))
    if filters.industries:
        conditions.append(col(Company.industry).in_(filters.industries))
    if filters.officer_ids:
        conditions.append(col(Company.officer_id).in_(filters.officer_ids))
    if filters.archived is not None:
        conditions.append(col(Company.archived) == filters.archived)
    if filters.cohort_year is not None:
        conditions.append(Company.cohort_year == filters.cohort_year)
    if filters.kinds or filters.programme_ids or filters.quarter:
        support = (
            select(Activity.company_id)
            .join(Programme, col(Programme.id) == Activity.programme_id)
            .where(live_activity())
        )
        if filters.kinds:
            support = support.where(col(Programme.kind).in_(filters.kinds))
        if filters.programme_ids:
            support = support.where(col(Activity.programme_id).in_(filters.programme_ids))
        if filters.quarter:
            start, end = Quarter(*filters.quarter).bounds()
            support = support.where(col(Activity.start_on).between(start, end))
        conditions.append(col(Company.id).in_(support))
    if conditions:
        query = query.where(*conditions)
    return query, current


def list_companies(
    session: Session,
    actor: Actor,
    filters: CompanyFilters = CompanyFilters(),  # noqa: B008 (frozen, safe as a default)
    *,
    sort: str = "name_ko",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> CompanyPage:
    """One page of companies, filtered, sorted and paged in SQL (fast at 10,000+ companies)."""
    page_size = max(1, min(page_size, 500))
    base, current = _filtered(actor, filters, with_stage=sort == "stage")
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page = max(1, min(page, max(1, -(-total // page_size))))
    order_col = current.c.stage if sort == "stage" else SORTABLE.get(sort, col(Company.name_ko))
    order = order_col.desc() if descending else order_col.asc()
    query = (
        base.outerjoin(User, col(User.id) == Company.officer_id)
        .with_only_columns(
            Company.id,
            Company.name_ko,
            Company.name_en,
            Company.brn,
            Company.representative,
            Company.industry,
            Company.ai_field,
            Company.location,
            Company.email,
            Company.phone,
            col(User.display_name).label("officer"),
            Company.cohort_year,
            Company.archived,
            Company.version,
        )
        .order_by(order, col(Company.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = pd.DataFrame(
        session.execute(query).all(),  # a multi-column select: rows, not scalars
        columns=[
            "id",
            "name_ko",
            "name_en",
            "brn",
            "representative",
            "industry",
            "ai_field",
            "location",
            "email",
            "phone",
            "officer",
            "cohort_year",
            "archived",
            "version",
        ],
    )
    rows.insert(5, "stage", _stages_of(session, [int(i) for i in rows["id"]]))
    rows = _with_support_summary(session, rows)
    return CompanyPage(_masked(actor, rows), int(total), page, page_size)


def _stages_of(session: Session, ids: list[int]) -> list[str]:
    """Current stage of just these companies (latest entry), in the given order."""
    if not ids:
        return []
    ranked = (
        select(
            StageEntry.company_id,
            StageEntry.stage,
            func.row_number()
            .over(
                partition_by=StageEntry.company_id,
                order_by=(col(StageEntry.entered_on).desc(), col(StageEntry.id).desc()),
            )
            .label("rn"),
        )
        .where(col(StageEntry.company_id).in_(ids))
        .subquery()
    )
    found = dict(
        session.execute(select(ranked.c.company_id, ranked.c.stage).where(ranked.c.rn == 1)).all()
    )
    return [found[i] for i in ids]


def _with_support_summary(session: Session, rows: pd.DataFrame) -> pd.DataFrame:
    """Activity count and last support date, aggregated only for the companies on this page."""
    ids = [int(i) for i in rows["id"]] if not rows.empty else []
    summary: dict[int, tuple[int, date | None, int]] = {}
    if ids:
        for cid, n, last, krw in session.exec(
            select(
                Activity.company_id,
                func.count(),
                func.max(Activity.start_on),
                func.coalesce(func.sum(Activity.amount_krw), 0),
            )
            .where(col(Activity.company_id).in_(ids), live_activity())
            .group_by(Activity.company_id)
        ).all():
            summary[int(cid)] = (int(n), last, int(krw))
    rows = rows.copy()
    rows["activities"] = [summary.get(int(i), (0, None, 0))[0] for i in rows["id"]]
    rows["last_support"] = [summary.get(int(i), (0, None, 0))[1] for i in rows["id"]]
    rows["amount_krw"] = [summary.get(int(i), (0, None, 0))[2] for i in rows["id"]]
    return rows


def _masked(actor: Actor, rows: pd.DataFrame) -> pd.DataFrame:
    if may_see_personal(actor) or rows.empty:
        return rows
    rows = rows.copy()
    for name in PERSONAL_FIELDS:
        rows[name] = [mask_value(name, v) for v in rows[name]]
    return rows


def export_rows(
    session: Session, actor: Actor, filters: CompanyFilters, *, limit: int = 100_000
) -> pd.DataFrame:
    """Every company matching the filters (for the Excel download), masked as the list is."""
    first = list_companies(session, actor, filters, page=1, page_size=500)
    frames = [first.rows]
    for number in range(2, min(first.pages, -(-limit // 500)) + 1):
        frames.append(list_companies(session, actor, filters, page=number, page_size=500).rows)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class CompanyView:
    """A company's profile as this actor may see it (plain values, safe to keep in the UI)."""

    id: int
    version: int
    values: dict[str, Any]
    stage: str
    officer_name: str | None
    masked: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def with_values(self, **changes: Any) -> CompanyView:
        return replace(self, values={**self.values, **changes})


def company_profile(session: Session, actor: Actor, company_id: int) -> CompanyView:
    from crm.services.companies import PROFILE_FIELDS
    from crm.services.stages import current_stage

    company = session.get(Company, company_id, populate_existing=True)
    if company is None:
        raise NotFound(entity="company", id=company_id)
    values = {f: getattr(company, f) for f in PROFILE_FIELDS}
    values["archived"] = company.archived
    masked = not may_see_personal(actor)
    if masked:
        values.update({f: mask_value(f, values[f]) for f in PERSONAL_FIELDS})
    officer = session.get(User, company.officer_id) if company.officer_id else None
    return CompanyView(
        id=company_id,
        version=company.version,
        values=values,
        stage=current_stage(session, company_id).value,
        officer_name=officer.display_name if officer else None,
        masked=masked,
    )


def company_choices(session: Session, *, include_archived: bool = False) -> dict[int, str]:
    """id -> Korean name of every company (no personal data), for pickers."""
    query = select(Company.id, Company.name_ko).order_by(col(Company.name_ko))
    if not include_archived:
        query = query.where(~col(Company.archived))
    return {int(cid): name for cid, name in session.exec(query).all()}


def choices_signature(session: Session) -> tuple[int, int, int, int]:
    """Changes whenever `company_choices` could: a company added, renamed (every update bumps
    its version), archived or restored. One pass over the companies, no sort."""
    row = session.exec(
        select(
            func.count(),
            func.coalesce(func.max(Company.id), 0),
            func.coalesce(func.sum(Company.version), 0),
            func.coalesce(func.sum(sa.cast(col(Company.archived), sa.Integer)), 0),
        ).select_from(Company)
    ).one()
    return (int(row[0]), int(row[1]), int(row[2]), int(row[3]))
