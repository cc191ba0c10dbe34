from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from crm.errors import ConflictError, ValidationError
from crm.models import Company
from crm.services import outcomes as svc
from crm.services.actor import Actor
from tests.support import new_session, snapshot

FIGURES = {
    "employees": 12,
    "new_hires": 3,
    "revenue_krw": 150_000_000,
    "patents_filed": 2,
    "patents_registered": 1,
    "investment_krw": 0,
    "exports_krw": 20_000_000,
}


def test_create_and_update(session: Session, officer: Actor, company: Company) -> None:
    report = svc.create_outcome_report(
        session, officer, company_id=company.id, year=2022, quarter=2, figures=FIGURES
    )
    assert (report.employees, report.new_hires) == (12, 3)
    svc.update_outcome_report(session, officer, report.id, version=1, changes={"employees": 13})
    assert svc.reports_for_company(session, company.id)[0].employees == 13


@pytest.mark.parametrize(
    ("year", "quarter", "figures", "field"),
    [
        (2022, 5, FIGURES, "quarter"),
        (2022, 1, {**FIGURES, "new_hires": 20}, "new_hires"),
        (2022, 1, {**FIGURES, "patents_registered": 3}, "patents_registered"),
        (2022, 1, {**FIGURES, "revenue_krw": -1}, "revenue_krw"),
        (2022, 1, {**FIGURES, "exports_krw": "lots"}, "exports_krw"),
    ],
)
def test_invalid_reports_change_nothing(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    year: int,
    quarter: int,
    figures: dict,
    field: str,
) -> None:
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        svc.create_outcome_report(
            session, officer, company_id=company.id, year=year, quarter=quarter, figures=figures
        )
    assert field in info.value.fields
    assert snapshot(engine) == before


def test_one_report_per_quarter(
    engine: Engine, session: Session, officer: Actor, company: Company
) -> None:
    svc.create_outcome_report(
        session, officer, company_id=company.id, year=2022, quarter=1, figures=FIGURES
    )
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        svc.create_outcome_report(
            session, officer, company_id=company.id, year=2022, quarter=1, figures=FIGURES
        )
    assert info.value.errors[0].key == "error.outcome_duplicate"
    assert snapshot(engine) == before


def test_stale_report_edit_conflicts(
    engine: Engine, session: Session, officer: Actor, officer2: Actor, company: Company
) -> None:
    report = svc.create_outcome_report(
        session, officer, company_id=company.id, year=2022, quarter=1, figures=FIGURES
    )
    with new_session(engine) as other:
        svc.update_outcome_report(other, officer2, report.id, version=1, changes={"employees": 20})
    with pytest.raises(ConflictError) as info:
        svc.update_outcome_report(session, officer, report.id, version=1, changes={"employees": 15})
    assert info.value.clashes[0].theirs == 20
