"""The importer's checks are the services' bulk checks (crm/services/bulk.py), and those are the
single forms' rules: for the same input, a bulk write refuses with exactly the field errors
add_company / add_activity / add_outcome_report / update_company raise."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from crm.errors import ValidationError
from crm.models import Company, Programme, QuarterClose
from crm.services import activities as activity_service
from crm.services import bulk
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.activities import BatchError
from crm.services.actor import Actor
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


def batch_errors(session: Session, write: Any) -> Errors:
    """The field errors a bulk write of one row refuses it with (none: it wrote)."""
    try:
        write()
    except BatchError as exc:
        [row] = exc.rows
        assert row.row == 1
        return keys(row.errors)
    finally:
        session.rollback()
    return []


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
    [(_, found)] = bulk.check_new_companies(session, [new])
    found_keys = keys(found)
    assert found_keys == batch_errors(session, lambda: bulk.add_companies(session, officer, [new]))
    assert found_keys == service_errors(
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
    company_service.create_company(
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
    found = batch_errors(
        session,
        lambda: bulk.update_companies(
            session,
            officer,
            [bulk.CompanyUpdate(company.id, changes)],  # type: ignore[arg-type]
        ),
    )
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
    assert found == expected and expected != []


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
    found = batch_errors(
        session,
        lambda: bulk.update_companies(
            session,
            officer,
            [bulk.CompanyUpdate(pre.id, changes)],  # type: ignore[arg-type]
        ),
    )
    expected = service_errors(
        session,
        lambda: company_service.update_company(
            session, officer, pre.id, version=1, changes=changes
        ),  # type: ignore[arg-type]
    )
    assert (
        found
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
    found = batch_errors(session, lambda: bulk.add_activities(session, officer, [new]))
    assert found == service_errors(
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
    new = bulk.NewOutcomeReport(company.id, year, quarter, figures)  # type: ignore[arg-type]
    found = batch_errors(session, lambda: bulk.add_outcome_reports(session, officer, [new]))
    assert found == service_errors(
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


# --- many rows at once -------------------------------------------------------------------------

PROFILE_VALUES: dict[str, Any] = {
    "name_ko": st.sampled_from(["정상기업", "", "  앞뒤 공백  ", "가" * 201, "탭\t이름", None]),
    "name_en": st.sampled_from([None, "Startup", "x" * 201, "ok\x7f"]),
    "brn": st.sampled_from(
        [None, VALID_BRN, VALID_BRN.replace("-", ""), "3058601233", "3058601234", "12345",
         "١٢٣٤٥٦٧٨٩٠", " 3058601233"]
    ),
    "representative": st.sampled_from([None, "홍길동", "가" * 101]),
    "founded_on": st.sampled_from([None, date(2020, 1, 1), "2020-13-01", date(1800, 1, 1)]),
    "industry": st.sampled_from(["healthcare", "other", "bogus", None, ""]),
    "location": st.sampled_from([None, "북구", " 북구"]),
    "email": st.sampled_from([None, "ceo@example.com", "not-an-email", "a@b.c\x00"]),
    "phone": st.sampled_from(
        [None, "010-1234-5678", "02-123-4567", "01012345678", "021-123-4567", "12",
         "010-１２３４-5678", "031-123-4567", "+1 650-253-0000"]
    ),
    "officer_id": st.sampled_from([None, 1, 9999]),
    "cohort_year": st.sampled_from([2022, 1999, None, True]),
    "notes": st.sampled_from([None, "메모\n둘째 줄", "\x00"]),
}  # fmt: skip


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(
            st.fixed_dictionaries(PROFILE_VALUES),
            st.sampled_from(["pre_startup", "startup", "growth", "bogus", None]),
            st.sampled_from([date(2022, 1, 10), "2022-01-10", "bad", None]),
        ),
        max_size=12,
    ),
)
def test_many_new_companies_at_once_equal_add_company_one_after_another(
    session: Session,
    officer: Actor,
    company: Company,
    rows: list[tuple[Any, Any, Any]],
) -> None:
    """check_new_companies (each rule asked once per distinct value) answers every row exactly
    as add_company does when the rows are added one after another (a registration number an
    earlier row took is taken), errors and their parameters in the same order, and cleans
    every value (phone numbers through phonenumbers) as add_company stores it."""
    news = [
        NewCompany(stage=stage, stage_since=since, ai_field=None, **profile)
        for profile, stage, since in rows
    ]
    together = bulk.check_new_companies(session, news)
    alone: list[tuple[dict[str, Any] | None, list[Any]]] = []
    try:
        for new in news:
            try:
                made = company_service.add_company(session, officer, new)
                stored = {f: getattr(made, f) for f in company_service.PROFILE_FIELDS}
                alone.append((stored, []))
            except ValidationError as exc:
                alone.append((None, [(e.field, e.key, e.params) for e in exc.errors]))
    finally:
        session.rollback()
    assert [[(e.field, e.key, e.params) for e in found] for _, found in together] == [
        errors for _, errors in alone
    ]
    for (clean, found), (stored, _) in zip(together, alone, strict=True):
        if not found:
            assert {f: clean[f] for f in company_service.PROFILE_FIELDS} == stored
