"""Imported outcome reports are recorded as imported: the quarterly workbook's source column
(crm/reports/provenance.py, issue 14) finds them by the import's audit entry, which the bulk
write (crm/services/bulk.py) gives every report it creates; a report an officer enters is not."""

from __future__ import annotations

from sqlmodel import Session

from crm.importer import apply_import, load_file
from crm.models import Company
from crm.reports.options import Period
from crm.reports.provenance import outcome_provenance
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.actor import Actor
from tests.conftest import new_company
from tests.importer_files import xlsx


def test_imported_reports_show_as_imported(
    session: Session, officer: Actor, company: Company
) -> None:
    typed_in = company_service.create_company(
        session, officer, new_company(name_ko="직접입력", brn=None)
    )
    outcome_service.create_outcome_report(
        session,
        officer,
        company_id=typed_in.id,  # type: ignore[arg-type]
        year=2022,
        quarter=1,
        figures={"employees": 2},
    )
    rows = [["회사명", "연도", "분기", "고용인원"], ["테스트에이아이", 2022, 1, 5]]
    result = apply_import(session, officer, load_file(xlsx(rows), "성과.xlsx"))
    assert result.created == 1
    sources = outcome_provenance(session, Period(2022, 1), "ko")
    assert {cid: s.label for cid, s in sources.items()} == {
        company.id: "가져오기",
        typed_in.id: "담당자 입력",
    }
    assert outcome_provenance(session, Period(2022, 1), "en")[company.id].label == "Imported"  # type: ignore[index]
