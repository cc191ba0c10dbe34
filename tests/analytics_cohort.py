"""The small hand-built cohort the analytics tests work out by hand, in one place.

Days are counted from 2022-01-01 (`d(60)` is 2022-03-02) so the arithmetic in the tests reads as
plain subtraction. The same cohort is built two ways: as frames directly (`cohort_frames`, for the
unit tests) and through the real services into a database (`build_in_database`, for the db
tests), which must then load back into identical frames and identical answers.

    key  name          industry    officer   location  entry       moves (day: stage)
    c1   가온 (c1)     healthcare  officer1  동구      pre   d0    d60 startup, d200 growth
    c2   나래 (c2)     healthcare  officer1  동구      pre   d0    d100 startup
    c3   다온 (c3)     energy      officer2  서구      pre   d10   d130 startup, d250 pre (back)
    c4   라온 (c4)     energy      officer2  서구      pre   d20   -
    c5   마루 (c5)     automotive  officer1  -         pre   d30   d90 growth (skips startup)
    c6   바다 (c6)     automotive  -         서구      pre   d40   -
    c7   사랑 (c7)     healthcare  officer2  남구      start d5    d150 growth
    c8   아라 (c8)     energy      officer1  남구      start d15   -
    c9   자람 (c9)     healthcare  officer2  동구      grow  d0    d200 startup (back)
    c10  차오름 (c10)  other       officer1  북구      pre   d0    d10 startup; archived
    c11  하늘 (c11)    other       officer2  북구      pre   d-31  d50 startup; cohort 2021

Live activities (kind@day): c1 mentoring@10, prototyping@70; c2 mentoring@100, overseas@120;
c3 mentoring@20; c4 mentoring@25; c5 investment@50; c7 mentoring@10; c8 prototyping@400;
c9 mentoring@210; c11 mentoring@-10. One more, c6 mentoring@45, is cancelled: it must never
count. Outcome reports (2022 Q1-Q3) for c1, c2 and c4 only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from crm.analytics.frames import AnalyticsFrames, make_frames
from crm.models import Programme
from crm.services import activities as activity_service
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services import stages as stage_service
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.companies import NewCompany

DAY0 = date(2022, 1, 1)
AS_OF = date(2022, 10, 28)  # d(300)
OFFICER_NAMES = {"officer1": "Officer1 테스트", "officer2": "Officer2 테스트"}
# The ids the hand-built frames give the officers; the db test maps real ids onto these.
OFFICER_IDS = {"officer1": 101, "officer2": 102}
PROGRAMMES = (
    (1, "2022 mentoring", "mentoring"),
    (2, "2022 prototyping", "prototyping"),
    (3, "2022 investment", "investment"),
    (4, "2022 overseas", "overseas"),
)


def d(days: int) -> date:
    return DAY0 + timedelta(days=days)


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    industry: str
    ai_field: str | None
    officer: str | None
    location: str | None
    moves: tuple[tuple[str, int], ...]
    cohort_year: int = 2022
    archived: bool = False
    activities: tuple[tuple[str, int], ...] = ()
    cancelled: tuple[tuple[str, int], ...] = ()
    reports: tuple[tuple[int, int, int, int], ...] = field(default=())  # q, emp, revenue, invest


M = 1_000_000
COHORT: tuple[Spec, ...] = (
    Spec(
        "c1", "가온 (c1)", "healthcare", "vision", "officer1", "동구",
        (("pre_startup", 0), ("startup", 60), ("growth", 200)),
        activities=(("mentoring", 10), ("prototyping", 70)),
        reports=((1, 3, 10 * M, 0), (2, 5, 30 * M, 100 * M), (3, 6, 20 * M, 0)),
    ),
    Spec(
        "c2", "나래 (c2)", "healthcare", "language", "officer1", "동구",
        (("pre_startup", 0), ("startup", 100)),
        activities=(("mentoring", 100), ("overseas", 120)),
        reports=((1, 2, 0, 0), (2, 2, 5 * M, 0), (3, 4, 15 * M, 50 * M)),
    ),
    Spec(
        "c3", "다온 (c3)", "energy", "vision", "officer2", "서구",
        (("pre_startup", 10), ("startup", 130), ("pre_startup", 250)),
        activities=(("mentoring", 20),),
    ),
    Spec(
        "c4", "라온 (c4)", "energy", "data", "officer2", "서구",
        (("pre_startup", 20),),
        activities=(("mentoring", 25),),
        reports=((1, 1, 0, 0), (2, 1, 0, 0), (3, 2, 1 * M, 0)),
    ),
    Spec(
        "c5", "마루 (c5)", "automotive", "robotics", "officer1", None,
        (("pre_startup", 30), ("growth", 90)),
        activities=(("investment", 50),),
    ),
    Spec(
        "c6", "바다 (c6)", "automotive", None, None, "서구",
        (("pre_startup", 40),),
        cancelled=(("mentoring", 45),),
    ),
    Spec(
        "c7", "사랑 (c7)", "healthcare", "vision", "officer2", "남구",
        (("startup", 5), ("growth", 150)),
        activities=(("mentoring", 10),),
    ),
    Spec(
        "c8", "아라 (c8)", "energy", "data", "officer1", "남구",
        (("startup", 15),),
        activities=(("prototyping", 400),),
    ),
    Spec(
        "c9", "자람 (c9)", "healthcare", "data", "officer2", "동구",
        (("growth", 0), ("startup", 200)),
        activities=(("mentoring", 210),),
    ),
    Spec(
        "c10", "차오름 (c10)", "other", None, "officer1", "북구",
        (("pre_startup", 0), ("startup", 10)),
        archived=True,
    ),
    Spec(
        "c11", "하늘 (c11)", "other", "speech", "officer2", "북구",
        (("pre_startup", -31), ("startup", 50)),
        cohort_year=2021,
        activities=(("mentoring", -10),),
    ),
)  # fmt: skip
IDS = {spec.key: i for i, spec in enumerate(COHORT, start=1)}
KIND_PROGRAMME = {kind: pid for pid, _, kind in PROGRAMMES}
KIND_DETAILS: dict[str, dict[str, Any]] = {
    "mentoring": {"mentor": "멘토", "topic": "사업계획", "hours": 2.0},
    "prototyping": {"vendor": "공방", "deliverable": "시제품", "budget": 10 * M},
    "investment": {"fund_name": "펀드", "round": "seed", "invested_amount": 100 * M},
    "overseas": {"country": "US", "programme_type": "exhibition"},
}
KIND_AMOUNT = {
    "mentoring": 300_000,
    "prototyping": 10 * M,
    "investment": 100 * M,
    "overseas": 5 * M,
}


def cohort_frames() -> AnalyticsFrames:
    """The cohort as frames, built by hand (no database)."""
    companies, stages, activities, outcomes = [], [], [], []
    for spec in COHORT:
        cid = IDS[spec.key]
        companies.append(
            {
                "company_id": cid,
                "name_ko": spec.name,
                "cohort_year": spec.cohort_year,
                "industry": spec.industry,
                "ai_field": spec.ai_field,
                "officer_id": OFFICER_IDS.get(spec.officer or ""),
                "officer_name": OFFICER_NAMES.get(spec.officer or ""),
                "location": spec.location,
                "archived": spec.archived,
            }
        )
        for stage, day in spec.moves:
            stages.append({"company_id": cid, "stage": stage, "entered_on": d(day)})
        for kind, day in spec.activities:
            pid = KIND_PROGRAMME[kind]
            activities.append(
                {
                    "company_id": cid,
                    "programme_id": pid,
                    "programme": PROGRAMMES[pid - 1][1],
                    "kind": kind,
                    "start_on": d(day),
                    "amount_krw": KIND_AMOUNT[kind],
                }
            )
        for quarter, employees, revenue, investment in spec.reports:
            outcomes.append(
                {
                    "company_id": cid,
                    "year": 2022,
                    "quarter": quarter,
                    "employees": employees,
                    "revenue_krw": revenue,
                    "investment_krw": investment,
                }
            )
    return make_frames(
        companies=companies,
        stages=stages,
        activities=activities,
        outcomes=outcomes,
        programmes=[
            {"programme_id": pid, "name": name, "kind": kind, "year": 2022}
            for pid, name, kind in PROGRAMMES
        ],
    )


def build_in_database(
    session: Session,
    actor: Actor,
    officers: dict[str, Actor],
    programmes: dict[str, Programme],
) -> dict[str, int]:
    """The cohort through the real services (companies, stage changes, activities, cancels,
    outcome reports, archive); returns key -> company id."""
    today = date(2022, 12, 31)
    ids: dict[str, int] = {}
    for spec in COHORT:
        first_stage, first_day = spec.moves[0]
        founded = None if first_stage == "pre_startup" else date(2020, 1, 1)
        company = company_service.create_company(
            session,
            actor,
            NewCompany(
                name_ko=spec.name,
                industry=spec.industry,
                cohort_year=spec.cohort_year,
                stage=first_stage,
                stage_since=d(first_day),
                founded_on=founded,
                ai_field=spec.ai_field,
                location=spec.location,
                officer_id=officers[spec.officer].id if spec.officer else None,
            ),
        )
        assert company.id is not None
        ids[spec.key] = company.id
        for (previous, _), (stage, day) in zip(spec.moves, spec.moves[1:], strict=False):
            stage_service.change_stage(
                session,
                actor,
                company.id,
                stage=stage,
                entered_on=d(day),
                reason="test move",
                founded_on=d(day - 1) if previous == "pre_startup" else None,
                today=today,
            )
        for kinds, cancel in ((spec.activities, False), (spec.cancelled, True)):
            for kind, day in kinds:
                activity = activity_service.log_activity(
                    session,
                    actor,
                    NewActivity(
                        company_id=company.id,
                        programme_id=programmes[kind].id,  # type: ignore[arg-type]
                        start_on=d(day),
                        amount_krw=KIND_AMOUNT[kind],
                        details=KIND_DETAILS[kind],
                    ),
                )
                if cancel:
                    assert activity.id is not None
                    activity_service.cancel_activity(
                        session, actor, activity.id, version=activity.version, reason="test"
                    )
        for quarter, employees, revenue, investment in spec.reports:
            outcome_service.create_outcome_report(
                session,
                actor,
                company_id=company.id,
                year=2022,
                quarter=quarter,
                figures={
                    "employees": employees,
                    "revenue_krw": revenue,
                    "investment_krw": investment,
                },
            )
        if spec.archived:
            company_service.archive_company(session, actor, company.id)
    return ids
