"""The preview's checks are the services' checks: for the same input, the importer reports
exactly the field errors add_company / add_activity / add_outcome_report / update_company
raise (the few rules the services write inline are repeated in crm/importer/validate.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from crm.errors import ValidationError
from crm.importer import validate
from crm.models import Company, Programme, QuarterClose
from crm.services import activities as activity_service
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.actor import Actor
from crm.services.closing import closed_quarters
from crm.services.companies import NewCompany
from tests.conftest import VALID_BRN

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
Errors = list[tuple[str, str]]


def service_errors(session: Session, write: Any) -> Errors:
    try:
        write()
    except ValidationError as exc:
        return sorted((e.field, e.key) for e in exc.errors)
    finally:
        session.rollback()
    return []


def keys(errors: list[Any]) -> Errors:
    return sorted((e.field, e.key) for e in errors)


new_companies = st.builds(
    NewCompany,
    name_ko=st.sampled_from(["정상기업", "", "가" * 201, "탭\t이름"]),
    industry=st.sampled_from(["healthcare", "other", "bogus", ""]),
    cohort_year=st.sampled_from([2022, 1999, 2101]),
    stage=st.sampled_from(["pre_startup", "startup", "growth", "bogus", ""]),
    stage_since=st.sampled_from([date(2022, 1, 10), "2022-01-10", "bad", ""]),
    brn=st.sampled_from([None, VALID_BRN, "305-86-01233", "123-45-67890", "12345"]),
    founded_on=st.sampled_from([None, date(2020, 1, 1), "2020-13-01", date(1800, 1, 1)]),
    email=st.sampled_from([None, "ceo@example.com", "not-an-email"]),
    phone=st.sampled_from([None, "010-1234-5678", "12"]),
    officer_id=st.sampled_from([None, 1, 9999]),
)


@SETTINGS
@given(new=new_companies)
def test_new_company_checks_equal_add_company(
    session: Session, officer: Actor, company: Company, new: NewCompany
) -> None:
    owners = {company.brn: company.name_ko}
    _, found = validate.check_new_company(session, new, owners)  # type: ignore[arg-type]
    assert keys(found) == service_errors(
        session, lambda: company_service.add_company(session, officer, new)
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"brn": "305-86-01233"},
        {"brn": "123"},
        {"email": "bad"},
        {"founded_on": "2020-02-30"},
        {"name_ko": ""},
        {"officer_id": 9999},
        {"cohort_year": 1999, "phone": "1"},
    ],
)
def test_company_change_checks_equal_update_company(
    session: Session, officer: Actor, company: Company, changes: dict[str, Any]
) -> None:
    other = company_service.create_company(
        session,
        officer,
        NewCompany(
            name_ko="다른기업",
            industry="other",
            cohort_year=2022,
            stage="startup",
            stage_since=date(2022, 1, 1),
            founded_on=date(2020, 1, 1),
            brn="305-86-01233",
        ),
    )
    owners = {other.brn: (other.id, other.name_ko), company.brn: (company.id, company.name_ko)}
    _, found = validate.check_company_changes(session, company, changes, "startup", owners)  # type: ignore[arg-type]
    expected = service_errors(
        session,
        lambda: company_service.update_company(
            session,
            officer,
            company.id,
            version=company.version,
            changes=changes,  # type: ignore[arg-type]
        ),
    )
    assert keys(found) == expected and expected != []


def test_pre_startup_rules_equal_update_company(session: Session, officer: Actor) -> None:
    pre = company_service.create_company(
        session,
        officer,
        NewCompany(
            name_ko="예비",
            industry="other",
            cohort_year=2022,
            stage="pre_startup",
            stage_since=date(2022, 1, 1),
        ),
    )
    changes = {"brn": VALID_BRN, "founded_on": date(2021, 1, 1)}
    _, found = validate.check_company_changes(session, pre, changes, "pre_startup", {})
    expected = service_errors(
        session,
        lambda: company_service.update_company(
            session, officer, pre.id, version=1, changes=changes
        ),  # type: ignore[arg-type]
    )
    assert (
        keys(found)
        == expected
        == [("brn", "error.brn_pre_startup"), ("founded_on", "error.founded_pre_startup")]
    )


DETAILS = {
    "mentoring": [
        {"mentor": "김", "topic": "IR", "hours": 2},
        {"mentor": "김"},
        {"mentor": "김", "topic": "IR", "hours": -1},
    ],
    "investment": [
        {"fund_name": "F", "round": "seed", "invested_amount": 10},
        {"fund_name": "F", "round": "z", "invested_amount": 0},
    ],
    "overseas": [
        {"country": "VN", "programme_type": "exhibition"},
        {"country": "XX", "programme_type": "fair", "extra": 1},
    ],
}


@SETTINGS
@given(
    kind=st.sampled_from(sorted(DETAILS)),
    which=st.integers(0, 2),
    start=st.sampled_from([date(2022, 3, 4), date(2022, 11, 2), "bad", None]),
    end=st.sampled_from([None, date(2022, 1, 1), date(2022, 12, 31)]),
    status=st.sampled_from(["completed", "planned", "bogus"]),
    amount=st.sampled_from([0, 1_000_000, -5, "1,000", "lots"]),
    # add_activity checks officer_id only as a number: an unknown id fails on the foreign key
    # (IntegrityError, not a field error), so only existing ids are compared here.
    officer_id=st.sampled_from([None, 1]),
    archived=st.booleans(),
)
def test_new_activity_checks_equal_add_activity(
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
    kind: str,
    which: int,
    start: Any,
    end: Any,
    status: str,
    amount: Any,
    officer_id: int | None,
    archived: bool,
) -> None:
    if not session.exec(QuarterClose.__table__.select()).first():  # type: ignore[attr-defined]
        session.add(QuarterClose(year=2022, quarter=4, closed_by_id=officer.id))
        session.commit()
    company.archived = archived
    session.add(company)
    session.commit()
    new = activity_service.NewActivity(
        company_id=company.id,  # type: ignore[arg-type]
        programme_id=programmes[kind].id,  # type: ignore[arg-type]
        start_on=start,
        end_on=end,
        status=status,
        amount_krw=amount,
        officer_id=officer_id,
        details=DETAILS[kind][which % len(DETAILS[kind])],
    )
    _, found = validate.check_new_activity(session, new, archived, closed_quarters(session))
    assert keys(found) == service_errors(
        session, lambda: activity_service.add_activity(session, officer, new)
    )


@SETTINGS
@given(
    year=st.sampled_from([2022, 1999]),
    quarter=st.sampled_from([1, 4, 5]),
    figures=st.fixed_dictionaries(
        {},
        optional={
            "employees": st.sampled_from([0, 3, -1, "x"]),
            "new_hires": st.sampled_from([0, 5]),
            "patents_filed": st.sampled_from([0, 1]),
            "patents_registered": st.sampled_from([0, 2]),
            "revenue_krw": st.sampled_from([0, 10**16]),
            "notes": st.sampled_from(["메모", "\x00"]),
        },
    ),
)
def test_new_outcome_checks_equal_add_outcome_report(
    session: Session,
    officer: Actor,
    company: Company,
    year: int,
    quarter: int,
    figures: dict[str, Any],
) -> None:
    if not session.exec(QuarterClose.__table__.select()).first():  # type: ignore[attr-defined]
        session.add(QuarterClose(year=2022, quarter=4, closed_by_id=officer.id))
        session.commit()
    _, found = validate.check_new_outcome(session, year, quarter, figures, closed_quarters(session))
    assert keys(found) == service_errors(
        session,
        lambda: outcome_service.add_outcome_report(
            session,
            officer,
            company_id=company.id,
            year=year,
            quarter=quarter,
            figures=figures,  # type: ignore[arg-type]
        ),
    )
