"""Property tests over service writes with hostile input: every value is either stored and read
back identical (single-line text is trimmed of surrounding spaces, nothing else), or refused with
a validation message; never a crash, never a partial write."""

from __future__ import annotations

import math
from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from crm.errors import ValidationError
from crm.models import Activity, Company, OutcomeReport
from crm.services import activities, companies, outcomes
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from tests.conftest import new_company

NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            "'; DROP TABLE company; --",
            "Robert'); DELETE FROM activity;--",
            "😀🚀 스타트업",
            "a\x00b",
            "\u202eevil",
            "x" * 10_000,
            "\t=1+1",
            "@SUM(A1)",
            "   ",
        ]
    ),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, -1, 0, 10**15, 10**15 + 1, "1,000", "12abc", None]),
)
DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


@SETTINGS
@given(name=NASTY, notes=NASTY, representative=NASTY)
def test_company_text_fields(
    engine: Engine, session: Session, officer: Actor, name: str, notes: str, representative: str
) -> None:
    before = (_count(engine, "company"), _count(engine, "audit_entry"))
    try:
        created = companies.create_company(
            session,
            officer,
            new_company(name_ko=name, notes=notes, representative=representative, brn=None),
        )
    except ValidationError as exc:
        assert exc.errors and all(e.message("ko") and e.message("en") for e in exc.errors)
        session.rollback()
        assert (_count(engine, "company"), _count(engine, "audit_entry")) == before
        return
    with Session(engine) as fresh:
        stored = fresh.get(Company, created.id)
        assert stored.name_ko == name.strip()
        assert stored.representative == (representative.strip() or None)
        assert stored.notes == (notes if notes.strip() else None)


@SETTINGS
@given(amount=NUMBERS, start=DATES, mentor=NASTY)
def test_activity_numbers_dates_and_details(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict,
    amount: object,
    start: date,
    mentor: str,
) -> None:
    before = (_count(engine, "activity"), _count(engine, "audit_entry"))
    new = NewActivity(
        company.id,
        programmes["mentoring"].id,
        start,
        amount_krw=amount,  # type: ignore[arg-type]
        details={"mentor": mentor, "topic": "T", "hours": 1.5},
    )
    try:
        saved = activities.log_activity(session, officer, new)
    except ValidationError as exc:
        assert exc.errors
        session.rollback()
        assert (_count(engine, "activity"), _count(engine, "audit_entry")) == before
        return
    with Session(engine) as fresh:
        stored = fresh.get(Activity, saved.id)
        assert stored.start_on == start and date(1900, 1, 1) <= start <= date(2100, 12, 31)
        assert 0 <= stored.amount_krw <= 10**15
        assert stored.details["mentor"] == mentor.strip()


@SETTINGS
@given(employees=NUMBERS, revenue=NUMBERS, quarter=st.integers(min_value=-5, max_value=9))
def test_outcome_figures(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    employees: object,
    revenue: object,
    quarter: int,
) -> None:
    before = _count(engine, "outcome_report")
    try:
        report = outcomes.create_outcome_report(
            session,
            officer,
            company_id=company.id,
            year=2022,
            quarter=quarter,
            figures={"employees": employees, "revenue_krw": revenue},
        )
    except ValidationError:
        session.rollback()
        assert _count(engine, "outcome_report") == before
        return
    with Session(engine) as fresh:
        stored = fresh.get(OutcomeReport, report.id)
        assert (
            1 <= stored.quarter <= 4 and stored.employees >= 0 and 0 <= stored.revenue_krw <= 10**15
        )
    # one report per quarter: clean up so the next example can use the same quarter
    with Session(engine) as fresh:
        fresh.exec(sa.delete(OutcomeReport))  # type: ignore[call-overload]
        fresh.commit()
