"""Search that ignores spaces in names, and country names (not codes) in the quarterly workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from sqlmodel import Session

from crm.models import Cohort, Programme
from crm.reports.options import ReportOptions
from crm.reports.workbook import write_report
from crm.services import activities, companies
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.company_views import CompanyFilters, list_companies
from tests.conftest import new_company


def _names(session: Session, actor: Actor, search: str) -> list[str]:
    return list(list_companies(session, actor, CompanyFilters(search=search)).rows["name_ko"])


def test_search_ignores_spaces_in_names(session: Session, officer: Actor) -> None:
    for name_ko, name_en in (
        ("금남로보틱스", "Geumnam Robotics"),
        ("빛고을 데이터", "BitgoeulData"),
        ("충장비전", None),
    ):
        companies.create_company(
            session, officer, new_company(name_ko=name_ko, name_en=name_en, brn=None)
        )
    assert _names(session, officer, "금남 로보틱스") == ["금남로보틱스"]
    assert _names(session, officer, "  금남   로보 ") == ["금남로보틱스"]
    assert _names(session, officer, "빛고을데이터") == ["빛고을 데이터"]
    assert _names(session, officer, "bitgoeul data") == ["빛고을 데이터"]
    assert _names(session, officer, "geumnamrobotics") == ["금남로보틱스"]
    assert _names(session, officer, "금남 비전") == []


def test_workbook_names_countries_in_its_language(
    session: Session, officer: Actor, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    session.add(Cohort(year=2022, name="국가 이름", target_companies=1))
    session.commit()
    company = companies.create_company(session, officer, new_company(name_ko="해외기업"))
    for day, country in ((date(2022, 7, 5), "VN"), (date(2022, 8, 5), "DE")):
        activities.log_activity(
            session,
            officer,
            NewActivity(
                company.id,
                programmes["overseas"].id,
                day,
                amount_krw=1_000_000,
                details={"country": country, "programme_type": "exhibition"},
            ),
        )
    for lang, sheet, header, expected in (
        ("ko", "해외진출", "국가", ["베트남", "독일"]),
        ("en", "Overseas expansion", "Country", ["Viet Nam", "Germany"]),
    ):
        path = tmp_path / f"q3-{lang}.xlsx"
        write_report(session, ReportOptions(2022, 3, lang=lang), path, generated_by="검토자")
        rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
        column = rows[0].index(header)
        assert [r[column] for r in rows[1:-1]] == expected
