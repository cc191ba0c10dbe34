""" "Empty cells clear values" (off by default) on both engines: off, an empty cell never clears
a stored value; on, it clears the stored optional values of the companies a file updates
(shown in the preview, written and audited as the import), and a required one is refused. Also:
the "programme kind differs" message names the kind by its label in the page's language."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm.importer import (
    ImportHasErrors,
    ImportKind,
    ImportOptions,
    RowStatus,
    apply_import,
    clearable_fields,
    load_file,
    preview_import,
)
from crm.models import AuditEntry, Company, Programme
from crm.services import companies as company_service
from crm.services.actor import Actor
from tests.conftest import VALID_BRN, new_company
from tests.importer_files import csv_bytes
from tests.support import snapshot

HEADER = ["회사명", "사업자등록번호", "대표자", "이메일", "전화번호", "소재지"]
ON = ImportOptions(empty_clears=True)


def stored(session: Session, company_id: int) -> tuple[str | None, ...]:
    session.expire_all()
    row = session.get(Company, company_id)
    assert row is not None
    return (row.representative, row.email, row.phone, row.location)


def with_location(session: Session, officer: Actor) -> Company:
    return company_service.create_company(session, officer, new_company(location="북구"))


def test_off_empty_cells_leave_stored_values(session: Session, officer: Actor) -> None:
    company = with_location(session, officer)
    data = csv_bytes([HEADER, ["테스트에이아이", VALID_BRN, None, None, None, None]])
    table = load_file(data, "blank.csv")
    preview = preview_import(session, officer, table)
    assert [r.status for r in preview.rows] == [RowStatus.UNCHANGED]
    result = apply_import(session, officer, table)
    assert result.batch_id is None  # nothing to write
    assert stored(session, company.id) == ("홍길동", "ceo@example.com", "010-1234-5678", "북구")  # type: ignore[arg-type]


def test_on_empty_cells_clear_optional_values_shown_written_and_audited(
    session: Session, officer: Actor
) -> None:
    company = with_location(session, officer)
    data = csv_bytes([HEADER, ["테스트에이아이", VALID_BRN, "김대표", None, "", None]])
    table = load_file(data, "clear.csv")
    preview = preview_import(session, officer, table, options=ON)
    [row] = preview.rows
    assert row.status == RowStatus.UPDATE
    assert row.changes == {
        "representative": ("홍길동", "김대표"),
        "email": ("ceo@example.com", None),
        "phone": ("010-1234-5678", None),
        "location": ("북구", None),
    }
    assert sorted((w.column, w.key, w.params["old"]) for w in row.warnings) == [
        ("소재지", "importer.warning.cleared", "북구"),
        ("이메일", "importer.warning.cleared", "ceo@example.com"),
        ("전화번호", "importer.warning.cleared", "010-1234-5678"),
    ]
    assert row.warnings[0].message("en").startswith("Clears the stored value")
    result = apply_import(session, officer, table, options=ON)
    assert result.updated == 1
    assert stored(session, company.id) == ("김대표", None, None, None)  # type: ignore[arg-type]
    entries = session.exec(
        select(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
        .where(AuditEntry.context == f"import #{result.batch_id} clear.csv")
        .order_by(col(AuditEntry.field))
    ).all()
    assert list(entries) == [
        ("email", "ceo@example.com", None),
        ("location", "북구", None),
        ("phone", "010-1234-5678", None),
        ("representative", "홍길동", "김대표"),
    ]


def test_on_a_required_field_is_refused_and_nothing_changes(
    engine: Engine, session: Session, officer: Actor
) -> None:
    company = with_location(session, officer)
    data = csv_bytes(
        [["회사명", "사업자등록번호", "업종", "소재지"], [None, VALID_BRN, None, None]]
    )
    table = load_file(data, "required.csv", kind=ImportKind.COMPANIES)
    preview = preview_import(session, officer, table, options=ON)
    [row] = preview.rows
    assert row.status == RowStatus.ERROR
    assert sorted((e.column, e.key) for e in row.errors) == [
        ("업종", "importer.error.cannot_clear"),
        ("회사명", "importer.error.cannot_clear"),
    ]
    before = snapshot(engine)
    try:
        apply_import(session, officer, table, options=ON)
        raise AssertionError("the import should be refused")
    except ImportHasErrors:
        pass
    assert snapshot(engine) == before
    assert stored(session, company.id)[3] == "북구"  # type: ignore[arg-type]


def test_on_clearing_the_founding_date_of_a_founded_company_is_the_services_refusal(
    session: Session, officer: Actor
) -> None:
    with_location(session, officer)
    data = csv_bytes([["회사명", "사업자등록번호", "설립일"], ["테스트에이아이", VALID_BRN, None]])
    preview = preview_import(session, officer, load_file(data, "founded.csv"), options=ON)
    assert [(e.column, e.key) for e in preview.rows[0].errors] == [
        ("설립일", "error.founded_required")
    ]


def test_the_fields_listed_are_the_mapped_ones() -> None:
    mapping = {"회사명": "name_ko", "이메일": "email", "담당자": "officer", "메모": None}
    assert clearable_fields(ImportKind.COMPANIES, mapping) == (["email", "officer"], ["name_ko"])
    assert clearable_fields(ImportKind.ACTIVITIES, mapping) == ([], [])


def test_kind_mismatch_names_the_kind_in_the_pages_language(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    data = csv_bytes(
        [
            ["회사명", "지원사업", "지원유형", "시작일"],
            ["테스트에이아이", "2022 mentoring", "투자", "2022-03-04"],
        ]
    )
    preview = preview_import(session, officer, load_file(data, "kinds.csv"))
    [issue] = [e for e in preview.rows[0].errors if e.key == "importer.error.kind_mismatch"]
    assert issue.message("ko").startswith("지원사업 '2022 mentoring'의 유형(멘토링)과 ")
    assert issue.message("en").startswith("Programme '2022 mentoring' is of kind Mentoring, ")


def test_no_programme_of_a_kind_names_the_kind_in_the_pages_language(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    data = csv_bytes([["회사명", "지원유형", "시작일"], ["테스트에이아이", "투자", "2023-03-04"]])
    preview = preview_import(session, officer, load_file(data, "kinds.csv"))
    [issue] = preview.rows[0].errors
    assert issue.key == "importer.error.programme_for_kind"
    assert issue.message("ko").startswith("2023년 '투자펀드' 유형의 지원사업이 없습니다.")
    assert issue.message("en").startswith("There is no 'Fund investment' programme in 2023.")
