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
from crm.services.companies import NewCompany, TextRule
from crm.validation import Checker
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
         "010-１２３４-5678", "031-123-4567"]
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
    unknown=st.booleans(),
)
def test_many_new_profiles_at_once_equal_each_checked_alone(
    session: Session,
    officer: Actor,
    company: Company,
    rows: list[tuple[Any, Any, Any]],
    unknown: bool,
) -> None:
    """check_new_profiles (column by column, set-wise where it can) answers every row exactly
    as check_new_profile does, errors in the same order."""
    owners = {company.brn: company.name_ko}
    extra = {"unknown_field": 1} if unknown else {}
    profiles = [{**p, "ai_field": None, **extra} for p, _, _ in rows]
    stages = [stage for _, stage, _ in rows]
    sinces = [since for _, _, since in rows]
    columns = {name: [p[name] for p in profiles] for name in [*PROFILE_VALUES, "ai_field", *extra]}
    together = validate.check_new_profiles(session, columns, stages, sinces, owners)  # type: ignore[arg-type]
    alone = [
        validate.check_new_profile(session, p, stage, since, owners)  # type: ignore[arg-type]
        for p, stage, since in zip(profiles, stages, sinces, strict=True)
    ]
    assert [(c, [(e.field, e.key, e.params) for e in f]) for c, f in together] == [
        (c, [(e.field, e.key, e.params) for e in f]) for c, f in alone
    ]


def test_registration_numbers_checked_a_column_at_a_time() -> None:
    """stored_brns agrees with Checker.brn on every number it answers for (here: every
    ten-digit number with a right or wrong check digit, one in ten right)."""
    import random

    rng = random.Random(3)
    values: list[Any] = [f"{rng.randrange(10**10):010d}" for _ in range(5000)]
    values += [VALID_BRN, "١٢٣٤٥٦٧٨٩٠", 1234567890, None, "123456789", "12345678901"]
    answers = validate.stored_brns(values)
    known = 0
    for value, answer in zip(values, answers, strict=True):
        check = Checker()
        expected = check.brn("brn", value)
        if answer is not validate.ASK:
            known += 1
            assert (answer, check.errors) == (expected, [])
        elif isinstance(value, str) and len(value) == 10 and value.isascii():
            assert check.errors  # only numbers the rule refuses are left to it
    assert 300 < known < 700  # ~10% of the random numbers have a right check digit


@given(st.text(alphabet="0123456789-. ２", max_size=14))
def test_phone_numbers_accepted_as_stored_are_what_the_rule_stores(text: str) -> None:
    [answer] = validate.stored_phones([text])
    if answer is not validate.ASK:
        check = Checker()
        assert (check.phone("phone", text), check.errors) == (answer, [])


@given(
    rule=st.sampled_from(
        [r for r in company_service.PROFILE_RULES.values() if isinstance(r, TextRule)]
        + [company_service.PROFILE_RULES["email"]]
    ),
    values=st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet="a@.가 \t\x00\u200b-", max_size=12),
            st.sampled_from(
                ["x" * 96 + "@b.c", "a@b.c" + "d" * 249, "a@b.c" + "d" * 250, "가" * 200, " a@b.c"]
            ),
        ),
        max_size=6,
    ),
)
def test_texts_accepted_a_column_at_a_time_are_what_the_rules_return(
    rule: Any, values: list[Any]
) -> None:
    """Whatever stored_form accepts for a text or e-mail column, the field's own rule returns
    unchanged and without an error (near each length limit too)."""
    known = validate.stored_form(rule, values)
    if known is None:
        return
    for value, answer in zip(values, known, strict=True):
        check = Checker()
        assert (rule(None, check, value), check.errors) == (answer, [])


def test_plain_columns_are_accepted_set_wise() -> None:
    """The set-wise checks do answer for ordinary columns (else they would only cost time)."""
    rules = company_service.PROFILE_RULES
    assert validate.stored_form(rules["name_ko"], ["정상기업", "Startup Inc."]) is not None
    assert validate.stored_form(rules["email"], ["a@b.co", None]) == ["a@b.co", None]
    assert validate.stored_form(rules["name_ko"], ["정상기업", None]) is None  # required
    assert validate.stored_form(rules["name_en"], ["x" * 201]) is None
    assert validate.stored_form(rules["location"], ["북구 "]) is None
    assert validate.stored_form(rules["email"], ["not-an-email"]) is None
    assert validate.stored_form(rules["phone"], ["010-1234-5678", "01012345678"]) == [
        "010-1234-5678",
        validate.ASK,
    ]
