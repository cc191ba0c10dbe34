"""Round trip: export the companies list and the activity log to Excel, import both into an
empty database, and the data is identical (and so is a second export, cell by cell)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm import demo
from crm.importer import apply_import, export_activities, export_companies, load_file
from crm.models import Activity, Company, Programme, User
from crm.services import companies as company_service
from crm.services import programmes as programme_service
from crm.services.actor import Actor, system_actor
from crm.services.reference import ensure_builtin_kinds
from crm.services.stages import current_stage_subquery
from tests.conftest import new_company
from tests.support import new_session, truncate_all

PROFILE = (
    "name_ko", "name_en", "brn", "representative", "founded_on", "industry", "ai_field",
    "location", "email", "phone", "cohort_year", "notes", "archived",
)  # fmt: skip


def content(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the two workbooks carry, with database ids replaced by names."""
    current = current_stage_subquery()
    company_rows = session.exec(
        select(Company, current.c.stage, current.c.entered_on, User.username)  # type: ignore[call-overload]
        .join(current, current.c.company_id == Company.id)
        .outerjoin(User, col(User.id) == Company.officer_id)
    ).all()
    companies = sorted(
        tuple(getattr(c, f) for f in PROFILE) + (stage, since, officer)
        for c, stage, since, officer in company_rows
    )
    activity_rows = session.exec(
        select(Activity, Company.name_ko, Programme.name, Programme.year, User.username)  # type: ignore[call-overload]
        .join(Company, col(Company.id) == Activity.company_id)
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .outerjoin(User, col(User.id) == Activity.officer_id)
    ).all()
    activities = sorted(
        (name, programme, year, a.start_on, a.end_on, a.status, a.amount_krw, officer, a.notes,
         tuple(sorted(a.details.items())))
        for a, name, programme, year, officer in activity_rows
    )  # fmt: skip
    return {"companies": companies, "activities": activities}


def cells(data: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_then_import_into_an_empty_database(engine: Engine, session: Session) -> None:
    system = system_actor(session)
    loaded = demo.load(session, system, companies=30, seed=11)
    companies_xlsx, activities_xlsx = export_companies(session), export_activities(session)
    before = content(session)
    # The 30-company cohort and the companies supported only by infrastructure (HPC, equipment).
    assert loaded.cohort_companies == 30 and loaded.companies > 30
    assert len(before["companies"]) == loaded.companies and len(before["activities"]) > 200
    programmes = [
        (p.name, p.year, p.kind, p.budget_krw, p.target_companies)
        for p in session.exec(select(Programme).order_by(col(Programme.id)))
    ]
    session.close()
    truncate_all(engine)

    with new_session(engine) as target:
        ensure_builtin_kinds(target)
        admin = system_actor(target)
        demo.ensure_demo_staff(target)
        for name, year, kind, budget, goal in programmes:
            programme_service.create_programme(
                target,
                admin,
                name=name,
                year=year,
                kind=kind,
                budget_krw=budget,
                target_companies=goal,
            )
        first = apply_import(target, admin, load_file(companies_xlsx, "companies.xlsx"))
        second = apply_import(target, admin, load_file(activities_xlsx, "activities.xlsx"))
        assert (first.created, first.preview.counts["error"]) == (loaded.companies, 0)
        assert (second.created, second.companies_created, second.preview.counts["error"]) == (
            len(before["activities"]),
            0,
            0,
        )
        assert content(target) == before
        assert cells(export_companies(target)) == cells(companies_xlsx)
        assert cells(export_activities(target)) == cells(activities_xlsx)


def test_exports_never_turn_text_into_formulas_or_links(session: Session, officer: Actor) -> None:
    hostile = '=HYPERLINK("http://evil.example","click")'
    company_service.create_company(
        session, officer, new_company(name_ko=hostile, notes="+cmd|' /C calc'!A0", email=None)
    )
    data = export_companies(session)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    name = sheet.cell(2, headers.index("회사명") + 1)
    notes = sheet.cell(2, headers.index("비고") + 1)
    assert (name.data_type, name.value, name.hyperlink) == ("s", hostile, None)
    assert (notes.data_type, notes.value) == ("s", "+cmd|' /C calc'!A0")
    table = load_file(data, "back.xlsx")
    assert table.rows[0][1][0] == hostile and not table.formula_cells
