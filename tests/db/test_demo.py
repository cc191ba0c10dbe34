"""The 2022 demo: deterministic, 99 fictional cohort companies with every stage, kind and
quarter, the infrastructure programmes (HPC, test equipment) and outcomes at published rates."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm import demo
from crm.db import make_engine
from crm.errors import CRMError
from crm.kinds import hpc
from crm.migrate import upgrade
from crm.models import Activity, Company, OutcomeReport, Programme, StageEntry, SupportKind
from crm.services import stages, stats
from crm.services.actor import system_actor
from crm.services.companies import PROFILE_FIELDS, validate_profile
from crm.validation import Checker, validate_kind_fields
from tests.support import snapshot


def _without_system_user(snap: dict) -> dict:
    # The system user's own created_at is the wall clock; every demo row is fixed by the seed.
    return {k: v for k, v in snap.items() if k != "app_user"}


def test_demo_cohort_shape(engine: Engine, session: Session) -> None:
    result = demo.load(session)
    assert result.cohort_companies == 99
    outside = result.companies - 99  # last year's companies supported only by infrastructure
    assert 50 <= outside <= 80
    assert demo.demo_company_count(session) == result.companies
    by_stage = stats.companies_by_stage(session, cohort_year=2022)
    assert sum(by_stage.values()) == 99 and all(n > 0 for n in by_stage.values())
    kinds = stats.activities_by_kind(session, year=2022)
    assert set(kinds["kind"]) == {
        "mentoring",
        "prototyping",
        "investment",
        "overseas",
        "hpc",
        "equipment",
    }
    quarters = stats.activities_by_quarter(session)
    assert list(quarters["quarter"]) == [1, 2, 3, 4]
    moves = session.exec(select(StageEntry)).all()
    assert len(moves) > result.companies  # some companies moved stage during 2022
    assert all(m.entered_on.year == 2022 for m in moves)


def test_demo_rows_pass_the_same_validation_as_the_app(engine: Engine, session: Session) -> None:
    demo.load(session)
    for company in session.exec(select(Company)).all():
        check = Checker()
        validate_profile(
            session, check, {f: getattr(company, f) for f in PROFILE_FIELDS}, partial=False
        )
        assert check.errors == [], (company.name_ko, check.errors)
        stage = stages.current_stage(session, company.id)
        if stage.value != "pre_startup":
            assert company.founded_on is not None
        else:
            assert company.brn is None and company.founded_on is None
        assert "(가상)" in company.name_ko


def test_demo_load_is_deterministic(tmp_path: Path) -> None:
    snaps = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite3")
        upgrade(engine)
        with Session(engine) as s:
            demo.load(s, companies=150, seed=7)
        snaps.append(_without_system_user(snapshot(engine)))
        engine.dispose()
    assert snaps[0] == snaps[1]
    year_at = list(Company.__table__.columns.keys()).index("cohort_year")  # type: ignore[attr-defined]
    kind_at = list(Programme.__table__.columns.keys()).index("kind")  # type: ignore[attr-defined]
    cohort = [c for c in snaps[0]["company"] if c[year_at] == 2022]
    assert len(cohort) == 150 and len(snaps[0]["company"]) > 150
    assert {"hpc", "equipment"} <= {p[kind_at] for p in snaps[0]["programme"]}


def test_demo_refuses_a_database_with_data_unless_replace(engine: Engine, session: Session) -> None:
    demo.load(session, companies=20, seed=1)
    before = snapshot(engine)
    with pytest.raises(CRMError):
        demo.load(session, companies=20, seed=1)
    assert snapshot(engine) == before
    demo.load(session, companies=20, seed=1, replace=True)
    after = snapshot(engine)
    assert after["company"] == before["company"]
    assert after["activity"] == before["activity"]


def test_demo_only_for_admins(engine: Engine, session: Session, officer) -> None:  # noqa: ANN001
    system_actor(session)
    with pytest.raises(CRMError):
        demo.load(session, officer, companies=5)
    assert session.exec(select(col(Company.id))).all() == []


# --- infrastructure programmes (issue 18) -------------------------------------------------------


def _programme(execution: pd.DataFrame, kind: str) -> pd.Series:
    rows = execution[execution["kind"] == kind]
    assert len(rows) == 1, kind
    return rows.iloc[0]


def test_demo_infrastructure_programmes(engine: Engine, session: Session) -> None:
    demo.load(session)
    execution = stats.programme_execution(session, 2022)
    hpc, equipment = _programme(execution, "hpc"), _programme(execution, "equipment")
    assert hpc["target_companies"] == 100 and 95 <= hpc["companies"] <= 105
    assert equipment["target_companies"] == 50 and 45 <= equipment["companies"] <= 55
    # A value of a few billion won for the GPU-hours; the allocations fit inside the budget.
    assert 1_000_000_000 <= hpc["budget_krw"] <= 5_000_000_000
    assert 0 < hpc["executed_krw"] + hpc["committed_krw"] + hpc["planned_krw"] <= hpc["budget_krw"]
    assert 0 < equipment["executed_krw"] <= equipment["budget_krw"]
    # The cohort's own figures stay the plan's 99.
    summary = stats.cohort_summary(session, 2022, execution)
    assert (summary.target, summary.companies, summary.supported) == (99, 99, 99)


def _activities(session: Session, kind: str) -> list[Activity]:
    return list(
        session.exec(
            select(Activity)
            .join(Programme, col(Programme.id) == Activity.programme_id)
            .where(Programme.kind == kind)
            .order_by(col(Activity.id))
        ).all()
    )


def test_demo_details_validate_against_each_kind(engine: Engine, session: Session) -> None:
    demo.load(session)
    specs = {k.code: k.fields for k in session.exec(select(SupportKind)).all()}
    kind_of = dict(session.exec(select(Programme.id, Programme.kind)).all())
    activities = session.exec(select(Activity)).all()
    assert {kind_of[a.programme_id] for a in activities} == set(specs)
    for activity in activities:
        check = Checker()
        clean = validate_kind_fields(check, specs[kind_of[activity.programme_id]], activity.details)
        assert check.errors == [], (activity.id, activity.details, check.errors)
        assert clean == activity.details
        assert activity.end_on is None or activity.end_on >= activity.start_on


def test_demo_hpc_usage_and_idle_allocations(engine: Engine, session: Session) -> None:
    demo.load(session)
    allocations = _activities(session, "hpc")
    used = [a for a in allocations if "used_gpu_hours" in a.details]
    shares = [a.details["used_gpu_hours"] / a.details["allocated_gpu_hours"] for a in used]
    assert all(0 <= s <= 1 for s in shares)
    assert sum(0.6 <= s for s in shares) / len(shares) >= 0.8  # most 60-100 % used
    idle = [
        a
        for a, s in zip(used, shares, strict=True)
        if s < 0.5 and a.end_on is not None and a.end_on >= date(2022, 12, 1)
    ]
    assert 5 <= len(idle) <= 20 and all(a.status == "in_progress" for a in idle)
    # The HPC view's reclaim flag (under 50 % used, ending within 30 days or past) finds them.
    flagged = hpc.to_reclaim(hpc.allocations(session, year=2022), date(2022, 12, 31), 0.5)
    assert {a.activity_id for a in flagged} == {a.id for a in idle}
    assert {a.activity_id for a in hpc.to_reclaim(hpc.allocations(session), date.today(), 0.5)} == {
        a.id for a in idle
    }
    # Allocations are worth their GPU-hours.
    assert all(a.amount_krw == a.details["allocated_gpu_hours"] * 4_000 for a in allocations)
    uses = _activities(session, "equipment")
    per_company = Counter(a.company_id for a in uses)
    assert set(per_company.values()) <= {1, 2, 3} and len(set(per_company.values())) == 3
    assert all(1 <= a.details["days_used"] <= 366 for a in uses)
    assert {a.details["test_report_issued"] for a in uses} == {"yes", "no"}


def test_demo_companies_supported_only_by_infrastructure(engine: Engine, session: Session) -> None:
    demo.load(session)
    kinds_by_company: dict[int, set[str]] = {}
    for company_id, kind in session.exec(
        select(Activity.company_id, Programme.kind).join(
            Programme, col(Programme.id) == Activity.programme_id
        )
    ).all():
        kinds_by_company.setdefault(company_id, set()).add(kind)
    companies = {c.id: c for c in session.exec(select(Company)).all()}
    outside = [cid for cid, c in companies.items() if c.cohort_year != 2022]
    assert len(outside) >= 40
    for cid in outside:
        assert companies[cid].cohort_year == 2021
        assert kinds_by_company[cid] and kinds_by_company[cid] <= {"hpc", "equipment"}
    in_cohort_hpc = [c for c, k in kinds_by_company.items() if "hpc" in k and c not in outside]
    assert len(in_cohort_hpc) >= 40  # part of the HPC users are cohort companies
    # Outcome reports (and the dashboard's attention list) are the cohort's.
    reporters = set(session.exec(select(OutcomeReport.company_id)).all())
    assert reporters and not reporters & set(outside)


def test_demo_reads_the_kind_declarations_from_the_database(
    engine: Engine, session: Session
) -> None:
    """An admin retired `used_gpu_hours` and an equipment option: the demo follows."""
    demo.load(session, companies=30, seed=4)  # creates the built-in kinds
    hpc = session.get(SupportKind, "hpc")
    equipment = session.get(SupportKind, "equipment")
    assert hpc is not None and equipment is not None
    hpc.fields = [{**f, "retired": f["name"] == "used_gpu_hours"} for f in hpc.fields]
    retired_option = "emc_chamber"
    equipment.fields = [
        {
            **f,
            "choices": [
                {**c, "retired": c["code"] == retired_option} for c in f.get("choices", [])
            ],
        }
        if f["name"] == "equipment"
        else f
        for f in equipment.fields
    ]
    session.add_all([hpc, equipment])
    session.commit()
    demo.load(session, companies=30, seed=4, replace=True)
    allocations = _activities(session, "hpc")
    assert allocations and all("used_gpu_hours" not in a.details for a in allocations)
    uses = _activities(session, "equipment")
    assert uses and retired_option not in {a.details["equipment"] for a in uses}


# --- outcomes calibrated to the published rates -----------------------------------------------


def _company_totals(session: Session) -> tuple[list[int], list[int]]:
    jobs: Counter[int] = Counter()
    patents: Counter[int] = Counter()
    for report in session.exec(select(OutcomeReport).where(OutcomeReport.year == 2022)).all():
        assert report.new_hires <= report.employees
        assert report.patents_registered <= report.patents_filed  # the outcome form's rule
        jobs[report.company_id] += report.new_hires
        patents[report.company_id] += report.patents_filed + report.patents_registered
    cohort = session.exec(select(col(Company.id)).where(Company.cohort_year == 2022)).all()
    return [jobs[c] for c in cohort], [patents[c] for c in cohort]


def test_demo_outcomes_follow_the_published_rates(engine: Engine, session: Session) -> None:
    demo.load(session)
    summary = stats.cohort_summary(session, 2022)
    per_company_jobs = summary.jobs_created / summary.supported
    per_company_patents = (summary.patents_filed + summary.patents_registered) / summary.supported
    assert 1 <= per_company_jobs <= 2  # published: 436 jobs / 292 companies ≈ 1.5
    assert 0.4 <= per_company_patents <= 1  # published: 192 patents / 292 companies ≈ 0.66
    assert 0 < summary.patents_registered < summary.patents_filed
    jobs, patents = _company_totals(session)
    assert sum(jobs) == summary.jobs_created
    # Most companies none or one, a few many.
    assert 0.3 <= jobs.count(0) / len(jobs) <= 0.7
    assert sum(j <= 1 for j in jobs) / len(jobs) >= 0.5
    assert max(jobs) >= 5 and max(patents) >= 3
    assert patents.count(0) / len(patents) >= 0.5


def test_demo_outcome_figures_are_the_same_for_a_seed(engine: Engine, session: Session) -> None:
    def figures(seed: int) -> tuple[Any, ...]:
        demo.load(session, companies=60, seed=seed, replace=True)
        s = stats.cohort_summary(session, 2022)
        execution = stats.programme_execution(session, 2022)
        return (
            s.jobs_created,
            s.patents_filed,
            s.patents_registered,
            tuple(execution["companies"]),
            tuple(execution["budget_krw"]),
            tuple(execution["executed_krw"]),
        )

    first = figures(5)
    assert figures(5) == first
    assert figures(6) != first


def test_scale_data_sets_follow_the_same_rates() -> None:
    rows = demo.generate(3000, 11, [1, 2], 1)
    cohort = {c["id"] for c in rows["company"] if c["cohort_year"] == 2022}
    assert len(cohort) == 3000
    jobs = sum(r["new_hires"] for r in rows["outcome_report"])
    patents = sum(r["patents_filed"] + r["patents_registered"] for r in rows["outcome_report"])
    assert 1.35 <= jobs / 3000 <= 1.65
    assert 0.58 <= patents / 3000 <= 0.75
    users: dict[int, set[int]] = {}
    for a in rows["activity"]:
        users.setdefault(a["programme_id"], set()).add(a["company_id"])
    targets = {p["kind"]: (p["id"], p["target_companies"]) for p in rows["programme"]}
    for kind, share in (("hpc", 100 / 99), ("equipment", 50 / 99)):
        pid, target = targets[kind]
        assert target == round(share * 3000)
        assert abs(len(users[pid]) - target) <= target * 0.05
