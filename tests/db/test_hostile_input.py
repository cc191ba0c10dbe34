"""Property tests over service writes with hostile input: every value is either stored and read
back identical (single-line text is trimmed of surrounding spaces, nothing else), or refused with
a validation message; never a crash, never a partial write. Each property has controls on the
same path: valid input (some of it hostile-looking) is stored, plainly bad input refused, so the
properties could not pass by refusing everything."""

from __future__ import annotations

import math
from datetime import date

import pytest
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


def _company_round_trip(
    engine: Engine, session: Session, officer: Actor, name: str, notes: str, representative: str
) -> bool:
    """Create a company: True if stored and read back as given, False if refused cleanly."""
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
        return False
    with Session(engine) as fresh:
        stored = fresh.get(Company, created.id)
        assert stored.name_ko == name.strip()
        assert stored.representative == (representative.strip() or None)
        assert stored.notes == (notes if notes.strip() else None)
    return True


@SETTINGS
@given(name=NASTY, notes=NASTY, representative=NASTY)
def test_company_text_fields(
    engine: Engine, session: Session, officer: Actor, name: str, notes: str, representative: str
) -> None:
    _company_round_trip(engine, session, officer, name, notes, representative)


@pytest.mark.parametrize(
    ("name", "notes", "representative"),
    [
        (" 빛고을 에이아이 ", "첫 줄\n둘째 줄", " 김철수 "),
        ("=cmd|' /C calc'!A0", "'; DROP TABLE company; --", "Robert'); DELETE FROM activity;--"),
        ("😀🚀 스타트업", "\t=1+1", "@SUM(A1)"),
    ],
)
def test_company_control_valid_text_is_stored(
    engine: Engine, session: Session, officer: Actor, name: str, notes: str, representative: str
) -> None:
    """The property above would pass if every input were refused: the same path must store
    these (formula- and SQL-looking text is text, kept as typed)."""
    assert _company_round_trip(engine, session, officer, name, notes, representative)


def test_company_control_blank_name_is_refused(
    engine: Engine, session: Session, officer: Actor
) -> None:
    assert not _company_round_trip(engine, session, officer, "   ", "", "")


def _activity_round_trip(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programme_id: int,
    amount: object,
    start: date,
    mentor: str,
) -> bool:
    """Log an activity: True if stored and read back as given, False if refused cleanly."""
    before = (_count(engine, "activity"), _count(engine, "audit_entry"))
    new = NewActivity(
        company.id,  # type: ignore[arg-type]
        programme_id,
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
        return False
    with Session(engine) as fresh:
        stored = fresh.get(Activity, saved.id)
        assert stored.start_on == start and date(1900, 1, 1) <= start <= date(2100, 12, 31)
        assert 0 <= stored.amount_krw <= 10**15
        assert stored.details["mentor"] == mentor.strip()
    return True


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
    mentoring = programmes["mentoring"].id
    _activity_round_trip(engine, session, officer, company, mentoring, amount, start, mentor)


@pytest.mark.parametrize(
    ("amount", "start", "mentor"),
    [
        (600_000, date(2022, 8, 10), " 이멘토 "),
        (0, date(2022, 1, 1), '=HYPERLINK("http://x")'),
        (10**15, date(2022, 12, 31), "😀 멘토"),
    ],
)
def test_activity_control_valid_values_are_stored(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict,
    amount: int,
    start: date,
    mentor: str,
) -> None:
    mentoring = programmes["mentoring"].id
    assert _activity_round_trip(engine, session, officer, company, mentoring, amount, start, mentor)


@pytest.mark.parametrize("amount", [-1, 10**15 + 1, math.nan, "12abc"])
def test_activity_control_bad_amounts_are_refused(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict,
    amount: object,
) -> None:
    mentoring = programmes["mentoring"].id
    assert not _activity_round_trip(
        engine, session, officer, company, mentoring, amount, date(2022, 8, 10), "이멘토"
    )


def _outcome_round_trip(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    employees: object,
    revenue: object,
    quarter: int,
) -> tuple[int, int, int] | None:
    """Add an outcome report: the stored (quarter, employees, revenue), then removed again so the
    next example can use the same quarter; None if refused cleanly."""
    before = _count(engine, "outcome_report")
    try:
        report = outcomes.create_outcome_report(
            session,
            officer,
            company_id=company.id,  # type: ignore[arg-type]
            year=2022,
            quarter=quarter,
            figures={"employees": employees, "revenue_krw": revenue},
        )
    except ValidationError:
        session.rollback()
        assert _count(engine, "outcome_report") == before
        return None
    with Session(engine) as fresh:
        stored = fresh.get(OutcomeReport, report.id)
        assert (
            1 <= stored.quarter <= 4 and stored.employees >= 0 and 0 <= stored.revenue_krw <= 10**15
        )
        kept = (stored.quarter, stored.employees, stored.revenue_krw)
    with Session(engine) as fresh:
        fresh.exec(sa.delete(OutcomeReport))  # type: ignore[call-overload]
        fresh.commit()
    return kept


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
    _outcome_round_trip(engine, session, officer, company, employees, revenue, quarter)


@pytest.mark.parametrize(
    ("employees", "revenue", "quarter"), [(12, 150_000_000, 3), (0, 0, 1), (5, 10**15, 4)]
)
def test_outcome_control_valid_figures_are_stored(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    employees: int,
    revenue: int,
    quarter: int,
) -> None:
    stored = _outcome_round_trip(engine, session, officer, company, employees, revenue, quarter)
    assert stored == (quarter, employees, revenue)


@pytest.mark.parametrize(
    ("employees", "revenue", "quarter"), [(-1, 0, 3), (1, 10**15 + 1, 3), (1, 0, 5), (1, 0, 0)]
)
def test_outcome_control_bad_figures_are_refused(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    employees: int,
    revenue: int,
    quarter: int,
) -> None:
    assert (
        _outcome_round_trip(engine, session, officer, company, employees, revenue, quarter) is None
    )
