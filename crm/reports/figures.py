"""Every number of the report's Summary, by SQL selects, for a quarter and its year to date.

The result is plain data that round-trips through JSON: closing a quarter stores it, and a report of
a closed quarter shows the stored figures instead of recomputing them.

KRW comes in two readings: `krw_*` is every activity not cancelled (what the detail sheets list),
and `executed_*` / `committed_*` / `planned_*` split it by status (crm.services.budget): only
completed activities are executed. Figures stored before the split (schema 1) have no split: its
fields are None and show as blank cells."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from itertools import permutations
from typing import Any

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
    SupportKind,
)
from crm.reports.options import Period
from crm.reports.sql import in_ytd, stage_entries_with_previous, stage_on, stream
from crm.services.budget import Spend, amount_sum

FIGURES_SCHEMA = 2


@dataclass(frozen=True)
class ProgrammeFigures:
    programme_id: int
    name: str
    kind: str
    budget_krw: int
    target_companies: int
    companies_q: int
    activities_q: int
    krw_q: int
    companies_ytd: int
    activities_ytd: int
    krw_ytd: int
    executed_q: int | None = None
    committed_q: int | None = None
    planned_q: int | None = None
    executed_ytd: int | None = None
    committed_ytd: int | None = None
    planned_ytd: int | None = None

    @property
    def executed_share(self) -> float | None:
        """KRW executed (completed) in the year to date over the budget (0 when there is no
        budget; None for figures stored before executed was told apart)."""
        if self.executed_ytd is None:
            return None
        return self.executed_ytd / self.budget_krw if self.budget_krw else 0.0


@dataclass(frozen=True)
class KindFigures:
    kind: str
    companies_q: int
    activities_q: int
    krw_q: int
    companies_ytd: int
    activities_ytd: int
    krw_ytd: int


@dataclass(frozen=True)
class StageFigures:
    stage: str
    at_start: int
    entered: int
    moved_in: int
    moved_out: int
    at_end: int


@dataclass(frozen=True)
class MoveFigures:
    from_stage: str
    to_stage: str
    moves: int


@dataclass(frozen=True)
class OutcomeFigures:
    reports: int
    new_hires: int
    patents_filed: int
    patents_registered: int
    investment_krw: int
    exports_krw: int


@dataclass(frozen=True)
class ReportFigures:
    year: int
    quarter: int
    cohort_name: str
    target_companies: int
    cohort_companies: int
    supported_q: int
    supported_ytd: int
    activities_q: int
    activities_ytd: int
    krw_q: int
    krw_ytd: int
    budget_krw: int
    programmes: tuple[ProgrammeFigures, ...]
    kinds: tuple[KindFigures, ...]
    stages: tuple[StageFigures, ...]
    moves: tuple[MoveFigures, ...]
    outcomes_q: OutcomeFigures
    outcomes_ytd: OutcomeFigures
    data_as_of: datetime | None
    # Companies of the year's cohort supported (the target's companies); supported_q/_ytd also
    # count companies outside the cohort (infrastructure-only support). None: frozen before.
    cohort_supported_q: int | None = None
    cohort_supported_ytd: int | None = None
    executed_q: int | None = None
    committed_q: int | None = None
    planned_q: int | None = None
    executed_ytd: int | None = None
    committed_ytd: int | None = None
    planned_ytd: int | None = None

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)

    @property
    def cohort_supported(self) -> tuple[int, int]:
        """(quarter, year to date) companies of the cohort supported; figures frozen before
        this count existed counted every supported company, and keep doing so."""
        if self.cohort_supported_q is None or self.cohort_supported_ytd is None:
            return self.supported_q, self.supported_ytd
        return self.cohort_supported_q, self.cohort_supported_ytd

    @property
    def has_data(self) -> bool:
        return bool(
            self.programmes
            or self.activities_ytd
            or self.outcomes_ytd.reports
            or self.cohort_companies
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["data_as_of"] = self.data_as_of.isoformat() if self.data_as_of else None
        data["schema"] = FIGURES_SCHEMA
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportFigures:
        as_of = data.get("data_as_of")
        return cls(
            **{
                **{f.name: data[f.name] for f in fields(cls) if f.name in data},
                "programmes": tuple(ProgrammeFigures(**p) for p in data["programmes"]),
                "kinds": tuple(KindFigures(**k) for k in data["kinds"]),
                "stages": tuple(StageFigures(**s) for s in data["stages"]),
                "moves": tuple(MoveFigures(**m) for m in data["moves"]),
                "outcomes_q": OutcomeFigures(**data["outcomes_q"]),
                "outcomes_ytd": OutcomeFigures(**data["outcomes_ytd"]),
                "data_as_of": datetime.fromisoformat(as_of) if as_of else None,
            }
        )


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive timestamps; everything we store is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ints(row: Any) -> list[int]:
    # PostgreSQL sums BIGINT into NUMERIC (Decimal); the figures are whole numbers either way.
    return [int(v or 0) for v in row]


SPENDS = tuple(Spend)  # executed, committed, planned: the order of every spend tuple below


@dataclass
class _Tally:
    """Companies, activities and KRW in the quarter, then in the year to date; KRW also split
    into executed, committed and planned (in SPENDS order)."""

    companies_q: int = 0
    activities_q: int = 0
    companies_ytd: int = 0
    activities_ytd: int = 0
    spend_q: list[int] = field(default_factory=lambda: [0] * len(SPENDS))
    spend_ytd: list[int] = field(default_factory=lambda: [0] * len(SPENDS))

    def add(
        self, activities_q: int, activities: int, spend_q: list[int], spend_ytd: list[int]
    ) -> None:
        self.activities_q += activities_q
        self.activities_ytd += activities
        for i in range(len(SPENDS)):
            self.spend_q[i] += spend_q[i]
            self.spend_ytd[i] += spend_ytd[i]

    def values(self) -> list[int]:
        """companies, activities, KRW not cancelled: in the quarter, then the year to date."""
        return [
            self.companies_q,
            self.activities_q,
            sum(self.spend_q),
            self.companies_ytd,
            self.activities_ytd,
            sum(self.spend_ytd),
        ]

    def spends(self) -> dict[str, int]:
        """executed_q, committed_q, planned_q, executed_ytd, committed_ytd, planned_ytd."""
        out = {f"{s.value}_q": v for s, v in zip(SPENDS, self.spend_q, strict=True)}
        out.update({f"{s.value}_ytd": v for s, v in zip(SPENDS, self.spend_ytd, strict=True)})
        return out


@dataclass
class ActivityTallies:
    programmes: dict[int, _Tally]
    kinds: dict[str, _Tally]
    total: _Tally


def activity_tallies(session: Session, period: Period) -> ActivityTallies:
    """Per programme, per kind and overall, in one pass over (company, programme) pairs in
    company order: distinct companies are counted as each company ends, so memory stays flat."""
    in_q = col(Activity.start_on) >= period.start
    kind_of: dict[int, str] = {
        pid: kind for pid, kind in session.execute(select(Programme.id, Programme.kind))
    }
    pairs = (
        select(
            Activity.company_id,
            Activity.programme_id,
            func.sum(sa.case((in_q, 1), else_=0)),
            func.count(col(Activity.id)),
            *(amount_sum(spend, in_q) for spend in SPENDS),
            *(amount_sum(spend) for spend in SPENDS),
        )
        .where(in_ytd(period))
        .group_by(Activity.company_id, Activity.programme_id)
        .order_by(Activity.company_id)
    )
    tallies = ActivityTallies({}, {}, _Tally())
    current: int | None = None
    kinds_q: set[str] = set()
    kinds_ytd: set[str] = set()

    def company_done() -> None:
        for kind in kinds_q:
            tallies.kinds[kind].companies_q += 1
        for kind in kinds_ytd:
            tallies.kinds[kind].companies_ytd += 1
        tallies.total.companies_q += bool(kinds_q)
        tallies.total.companies_ytd += bool(kinds_ytd)
        kinds_q.clear()
        kinds_ytd.clear()

    for company_id, programme_id, *raw in stream(session, pairs):
        if company_id != current:
            if current is not None:
                company_done()
            current = company_id
        activities_q, activities, *amounts = _ints(raw)
        spend_q, spend_ytd = amounts[: len(SPENDS)], amounts[len(SPENDS) :]
        kind = kind_of[programme_id]
        programme = tallies.programmes.setdefault(programme_id, _Tally())
        programme.add(activities_q, activities, spend_q, spend_ytd)
        programme.companies_q += activities_q > 0
        programme.companies_ytd += 1
        tallies.kinds.setdefault(kind, _Tally()).add(activities_q, activities, spend_q, spend_ytd)
        tallies.total.add(activities_q, activities, spend_q, spend_ytd)
        kinds_ytd.add(kind)
        if activities_q:
            kinds_q.add(kind)
    if current is not None:
        company_done()
    return tallies


def programme_figures(
    session: Session, period: Period, tallies: ActivityTallies
) -> tuple[ProgrammeFigures, ...]:
    """The year's programmes and any programme with activities in the period."""
    rows = session.execute(
        select(
            Programme.id,
            Programme.name,
            Programme.kind,
            Programme.budget_krw,
            Programme.target_companies,
        )
        .join(SupportKind, col(SupportKind.code) == Programme.kind)
        .where(
            sa.or_(
                Programme.year == period.year,
                col(Programme.id).in_(list(tallies.programmes)),
            )
        )
        .order_by(col(SupportKind.sort_order), col(Programme.year), col(Programme.name))
    ).all()
    figures = []
    for r in rows:
        tally = tallies.programmes.get(int(r[0]), _Tally())
        figures.append(
            ProgrammeFigures(
                int(r[0]), r[1], r[2], *_ints(r[3:5]), *tally.values(), **tally.spends()
            )
        )
    return tuple(figures)


def kind_figures(session: Session, tallies: ActivityTallies) -> tuple[KindFigures, ...]:
    """Every kind of support (those without activities too), in their sort order."""
    kinds = session.execute(
        select(SupportKind.code).order_by(col(SupportKind.sort_order), col(SupportKind.code))
    ).scalars()
    return tuple(KindFigures(k, *tallies.kinds.get(k, _Tally()).values()) for k in kinds)


def _count_by_stage(session: Session, subquery: sa.Subquery) -> dict[str, int]:
    return {
        s: int(n)
        for s, n in session.execute(
            select(subquery.c.stage, func.count()).group_by(subquery.c.stage)
        ).all()
    }


def stage_figures(
    session: Session, period: Period
) -> tuple[tuple[StageFigures, ...], tuple[MoveFigures, ...]]:
    start = _count_by_stage(session, stage_on(period.before_start, period.year))
    end = _count_by_stage(session, stage_on(period.end, period.year))
    lagged = stage_entries_with_previous(period)
    pairs = {
        (prev, stage): int(n)
        for prev, stage, n in session.execute(
            select(lagged.c.previous, lagged.c.stage, func.count())
            .where(lagged.c.entered_on >= period.start)
            .group_by(lagged.c.previous, lagged.c.stage)
        ).all()
    }
    stages = tuple(
        StageFigures(
            stage=s.value,
            at_start=start.get(s.value, 0),
            entered=pairs.get((None, s.value), 0),
            moved_in=sum(n for (p, t), n in pairs.items() if p is not None and t == s.value),
            moved_out=sum(n for (p, _), n in pairs.items() if p == s.value),
            at_end=end.get(s.value, 0),
        )
        for s in Stage
    )
    moves = tuple(
        MoveFigures(a.value, b.value, pairs.get((a.value, b.value), 0))
        for a, b in permutations(Stage, 2)
    )
    return stages, moves


def outcome_figures(session: Session, year: int, quarters: range) -> OutcomeFigures:
    row = session.execute(
        select(
            func.count(col(OutcomeReport.id)),
            func.coalesce(func.sum(OutcomeReport.new_hires), 0),
            func.coalesce(func.sum(OutcomeReport.patents_filed), 0),
            func.coalesce(func.sum(OutcomeReport.patents_registered), 0),
            func.coalesce(func.sum(OutcomeReport.investment_krw), 0),
            func.coalesce(func.sum(OutcomeReport.exports_krw), 0),
        ).where(
            OutcomeReport.year == year,
            col(OutcomeReport.quarter).between(quarters.start, quarters.stop - 1),
        )
    ).one()
    return OutcomeFigures(*_ints(row))


def cohort_supported(session: Session, period: Period) -> tuple[int, int]:
    """Companies of the period's cohort with a live activity in the quarter, and year to date."""
    in_q = col(Activity.start_on) >= period.start
    row = session.execute(
        select(
            func.count(sa.distinct(sa.case((in_q, Activity.company_id)))),
            func.count(sa.distinct(Activity.company_id)),
        )
        .join(Company, col(Company.id) == Activity.company_id)
        .where(in_ytd(period), Company.cohort_year == period.year)
    ).one()
    quarter, ytd = _ints(row)
    return quarter, ytd


def data_as_of(session: Session) -> datetime | None:
    """When the last change was recorded (the audit trail is written with every change)."""
    latest = session.execute(
        select(AuditEntry.at).order_by(col(AuditEntry.id).desc()).limit(1)
    ).scalar()
    return as_utc(latest)


def compute_figures(session: Session, period: Period) -> ReportFigures:
    cohort = session.execute(
        select(Cohort.name, Cohort.target_companies).where(Cohort.year == period.year)
    ).first()
    cohort_companies = session.execute(
        select(func.count()).select_from(Company).where(Company.cohort_year == period.year)
    ).scalar_one()
    tallies = activity_tallies(session, period)
    totals = tallies.total.values()
    programmes = programme_figures(session, period, tallies)
    stages, moves = stage_figures(session, period)
    cohort_q, cohort_ytd = cohort_supported(session, period)
    return ReportFigures(
        year=period.year,
        quarter=period.quarter,
        cohort_name=cohort[0] if cohort else "",
        target_companies=int(cohort[1]) if cohort else 0,
        cohort_companies=int(cohort_companies),
        supported_q=totals[0],
        activities_q=totals[1],
        krw_q=totals[2],
        supported_ytd=totals[3],
        cohort_supported_q=cohort_q,
        cohort_supported_ytd=cohort_ytd,
        activities_ytd=totals[4],
        krw_ytd=totals[5],
        budget_krw=sum(p.budget_krw for p in programmes),
        programmes=programmes,
        kinds=kind_figures(session, tallies),
        stages=stages,
        moves=moves,
        outcomes_q=outcome_figures(session, period.year, range(period.quarter, period.quarter + 1)),
        outcomes_ytd=outcome_figures(session, period.year, range(1, period.quarter + 1)),
        data_as_of=data_as_of(session),
        **tallies.total.spends(),
    )
