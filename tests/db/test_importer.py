"""Importing spreadsheets on both engines: the preview classifies every row and writes
nothing; the import writes exactly the rows shown, in one transaction, audited as the import;
the same file again changes nothing; a failure or refusal leaves the database as it was."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm.errors import PermissionDenied
from crm.importer import (
    ImportHasErrors,
    ImportKind,
    ImportOptions,
    ImportPreview,
    RowStatus,
    SourceTable,
    apply_import,
    load_file,
    preview_import,
)
from crm.models import (
    Activity,
    AuditEntry,
    Company,
    ImportBatch,
    OutcomeReport,
    Programme,
    QuarterClose,
    StageEntry,
)
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.actor import Actor
from crm.validation import brn_check_digit
from tests.conftest import VALID_BRN, new_company
from tests.importer_files import csv_bytes, openpyxl_xlsx, xlsx
from tests.support import snapshot


def brn(head: str) -> str:
    """A valid registration number from its first nine digits."""
    digits = head + str(brn_check_digit(head))
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


BRN_2 = brn("305860123")
BRN_3 = brn("410810456")


def statuses(preview: ImportPreview) -> dict[int, str]:
    return {r.row: r.status.value for r in preview.rows}


def errors(preview: ImportPreview) -> list[tuple[int, str | None, str]]:
    return [(e.row, e.column, e.key) for r in preview.rows for e in r.errors]


def companies(session: Session) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(
            Company.name_ko,
            Company.brn,
            Company.representative,
            Company.founded_on,
            Company.industry,
            Company.location,
            Company.cohort_year,
        ).order_by(col(Company.id))
    ).all()
    return [tuple(r) for r in rows]


def stage_rows(session: Session) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(Company.name_ko, StageEntry.stage, StageEntry.entered_on)
        .join(Company, col(Company.id) == StageEntry.company_id)
        .order_by(col(StageEntry.id))
    ).all()
    return [tuple(r) for r in rows]


def audit_rows(session: Session, since_id: int = 0) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(AuditEntry.action, AuditEntry.entity, AuditEntry.field, AuditEntry.context)
        .where(col(AuditEntry.id) > since_id)
        .order_by(col(AuditEntry.id))
    ).all()
    return [tuple(r) for r in rows]


def last_audit_id(session: Session) -> int:
    return max(session.exec(select(AuditEntry.id)).all() or [0])  # type: ignore[type-var]


QUIRKY_COMPANIES = [
    ["2022년 광주 AI 창업기업 현황"],
    ["회사명", "사업자번호", "대표자", "설립일", "업종", "소재지", "단계", "선정일"],
    ["(주)빛고을에이아이", BRN_2, "홍길동", "2022.3.4", "헬스케어", "광산구", "창업/초기", "2022년 3월 10일"],
    ["무등로보틱스 주식회사", BRN_3.replace("-", ""), "김대표", 44624, "자동차", "북구", "성장", datetime(2022, 3, 10)],
    ["빛고을에이아이", None, None, None, "헬스케어", None, None, None],
    [None],
    ["영산에너지", None, None, None, "자원/에너지산업", "남구", "예비창업", "2022-03-10"],
    ["잘못된회사", "123-45-67890", None, "2022-13-01", "기타", None, "창업", "2022-03-10"],
    ["합계", None, None, None, None, None, None, None],
    ["※ 주: 2022년 12월 기준"],
]  # fmt: skip


def quirky_companies_table() -> SourceTable:
    data = xlsx(QUIRKY_COMPANIES, merges=[("A1:H1", "2022년 광주 AI 창업기업 현황")])
    return load_file(data, "기업현황.xlsx")


def test_companies_workbook_with_every_quirk(
    engine: Engine, session: Session, officer: Actor
) -> None:
    table = quirky_companies_table()
    assert table.kind == ImportKind.COMPANIES and table.header_row == 2
    before = snapshot(engine)
    preview = preview_import(session, officer, table)
    assert snapshot(engine) == before  # a preview writes nothing
    assert statuses(preview) == {3: "new", 4: "new", 5: "duplicate", 7: "new", 8: "error"}
    assert preview.rows[2].duplicate_of == 3  # "빛고을에이아이" = "(주)빛고을에이아이"
    assert errors(preview) == [
        (8, "설립일", "importer.error.date_invalid"),
        (8, "사업자번호", "error.brn_checksum"),
    ]
    assert [(s.row, s.reason.value) for s in preview.skipped] == [
        (1, "title"),
        (6, "blank"),
        (9, "totals"),
        (10, "note"),
    ]
    first = preview.rows[0].values
    assert first["founded_on"] == date(2022, 3, 4) and first["stage_since"] == date(2022, 3, 10)
    assert preview.rows[1].values["founded_on"] == date(2022, 3, 4)  # Excel serial 44624

    with pytest.raises(ImportHasErrors) as refused:
        apply_import(session, officer, table)
    assert refused.value.preview.counts["error"] == 1
    assert snapshot(engine) == before  # refused as a whole: nothing written

    result = apply_import(session, officer, table, skip_invalid=True)
    assert (result.created, result.updated, result.duplicates, result.skipped_rows) == (
        3,
        0,
        1,
        [8],
    )
    assert companies(session) == [
        ("(주)빛고을에이아이", BRN_2, "홍길동", date(2022, 3, 4), "healthcare", "광산구", 2022),
        ("무등로보틱스 주식회사", BRN_3, "김대표", date(2022, 3, 4), "automotive", "북구", 2022),
        ("영산에너지", None, None, None, "energy", "남구", 2022),
    ]
    assert stage_rows(session) == [
        ("(주)빛고을에이아이", "startup", date(2022, 3, 10)),
        ("무등로보틱스 주식회사", "growth", date(2022, 3, 10)),
        ("영산에너지", "pre_startup", date(2022, 3, 10)),
    ]
    context = f"import #{result.batch_id} 기업현황.xlsx"
    # one entry per created company (after the officer's own account), its stage included
    assert audit_rows(session, 1) == [("create", "company", None, context)] * 3
    batch = session.get(ImportBatch, result.batch_id)
    assert batch is not None
    assert (batch.filename, batch.kind, batch.actor_id) == (
        "기업현황.xlsx",
        "companies",
        officer.id,
    )
    assert (batch.rows_created, batch.rows_updated, batch.rows_skipped) == (3, 0, 2)
    assert batch.sha256 == table.sha256


def test_the_same_file_again_changes_nothing(
    engine: Engine, session: Session, officer: Actor
) -> None:
    table = quirky_companies_table()
    first = apply_import(session, officer, table, skip_invalid=True)
    before = snapshot(engine)
    preview = preview_import(session, officer, table)
    assert statuses(preview) == {
        3: "unchanged",
        4: "unchanged",
        5: "duplicate",
        7: "unchanged",
        8: "error",
    }
    assert preview.previous_imports == [first.batch_id]
    again = apply_import(session, officer, table, skip_invalid=True)
    assert again.batch_id is None and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(engine) == before


def test_updates_match_by_registration_number_then_by_name(
    engine: Engine, session: Session, officer: Actor, company: Company
) -> None:
    other = company_service.create_company(
        session, officer, new_company(name_ko="무등랩스", brn=None)
    )
    data = csv_bytes(
        [
            ["회사명", "사업자등록번호", "연락처", "이메일", "단계", "단계 시작일"],
            ["테스트에이아이 주식회사", VALID_BRN.replace("-", ""), "010 9999 8888", None, "성장", "2022-06-01"],
            ["(주)무등랩스", None, None, "new@example.com", None, None],
            ["없는회사", None, None, None, None, None],
        ]
    )  # fmt: skip
    table = load_file(data, "update.csv")
    preview = preview_import(
        session, officer, table, options=ImportOptions(default_industry="other")
    )
    first, second, third = preview.rows
    assert (first.status, first.match and (first.match.id, first.match.by)) == (
        RowStatus.UPDATE,
        (company.id, "brn"),
    )
    assert first.changes == {
        "phone": ("010-1234-5678", "010-9999-8888"),
        "stage": ("startup", "growth@2022-06-01"),
    }
    assert (second.status, second.match and (second.match.id, second.match.by)) == (
        RowStatus.UPDATE,
        (other.id, "name"),
    )
    assert second.changes == {"email": ("ceo@example.com", "new@example.com")}
    assert third.status == RowStatus.ERROR
    assert [(e.column, e.key) for e in third.errors] == [
        ("단계", "importer.error.default_stage_needed")
    ]

    mark = last_audit_id(session)
    result = apply_import(
        session, officer, table, options=ImportOptions(default_industry="other"), skip_invalid=True
    )
    context = f"import #{result.batch_id} update.csv"
    assert (result.created, result.updated, result.skipped_rows) == (0, 2, [4])
    session.expire_all()
    assert session.get(Company, company.id).phone == "010-9999-8888"  # type: ignore[union-attr]
    assert session.get(Company, company.id).version == 2  # type: ignore[union-attr]
    assert session.get(Company, other.id).email == "new@example.com"  # type: ignore[union-attr]
    assert stage_rows(session)[-1] == ("테스트에이아이", "growth", date(2022, 6, 1))
    assert audit_rows(session, mark) == [
        ("stage_change", "company", "stage", context),
        ("update", "company", "phone", context),
        ("update", "company", "email", context),
    ]


def test_stage_moves_follow_the_stage_rules(
    session: Session, officer: Actor, company: Company
) -> None:
    data = csv_bytes(
        [
            ["회사명", "단계", "단계 시작일"],
            ["테스트에이아이", "예비창업", "2022-06-01"],
        ]
    )
    preview = preview_import(session, officer, load_file(data, "back.csv"))
    assert errors(preview) == [(2, "단계", "error.stage_backward_reason")]
    data = csv_bytes([["회사명", "단계", "단계 시작일"], ["테스트에이아이", "성장", "2021-01-01"]])
    preview = preview_import(session, officer, load_file(data, "early.csv"))
    assert errors(preview) == [(2, "단계 시작일", "error.stage_date_order")]


def test_names_shared_by_two_companies_need_a_registration_number(
    session: Session, officer: Actor
) -> None:
    company_service.create_company(session, officer, new_company(name_ko="한빛", brn=VALID_BRN))
    company_service.create_company(session, officer, new_company(name_ko="(주)한빛", brn=BRN_2))
    data = csv_bytes(
        [["회사명", "이메일"], ["한빛 주식회사", "a@example.com"], ["한빛", "a@example.com"]]
    )
    preview = preview_import(session, officer, load_file(data, "x.csv"))
    assert errors(preview) == [(2, "회사명", "importer.error.company_ambiguous")]
    assert preview.rows[1].status == RowStatus.DUPLICATE


def test_failure_midway_leaves_the_database_as_it_was(
    engine: Engine, session: Session, officer: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = quirky_companies_table()
    before = snapshot(engine)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("crm.services.bulk.insert_audit", broken)
    with pytest.raises(RuntimeError):
        apply_import(session, officer, table, skip_invalid=True)
    assert snapshot(engine) == before


def test_cancelling_from_the_progress_callback_rolls_back(
    engine: Engine, session: Session, officer: Actor
) -> None:
    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if fraction > 0.5:
            raise KeyboardInterrupt

    before = snapshot(engine)
    with pytest.raises(KeyboardInterrupt):
        apply_import(
            session, officer, quirky_companies_table(), skip_invalid=True, progress=progress
        )
    assert snapshot(engine) == before
    assert seen[0] == 0.05 and seen[-1] > 0.5


def test_progress_reaches_the_end(session: Session, officer: Actor) -> None:
    seen: list[tuple[float, str]] = []
    apply_import(
        session,
        officer,
        quirky_companies_table(),
        skip_invalid=True,
        progress=lambda f, m: seen.append((f, m)),
        lang="en",
    )
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert seen[-1] == (1.0, "Import #1 done")


def test_only_officers_and_managers_import(
    engine: Engine, session: Session, analyst: Actor
) -> None:
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        preview_import(session, analyst, quirky_companies_table())
    with pytest.raises(PermissionDenied):
        apply_import(session, analyst, quirky_companies_table(), skip_invalid=True)
    assert snapshot(engine) == before


# --- activities ------------------------------------------------------------------------------

ACTIVITY_HEADER = ["기업명", "사업자등록번호", "지원유형", "지원일자", "지원금액", "멘토", "주제", "시간", "펀드명", "투자단계", "비고"]  # fmt: skip


def activity_rows() -> list[list[Any]]:
    return [
        ["2022 지원 실적 (CP949)"],
        ACTIVITY_HEADER,
        ["테스트에이아이", VALID_BRN, "멘토링", "2022.03.04", "30만원", "김멘토", "사업계획", "2시간", None, None, None],
        ["새싹바이오", None, "투자펀드", "2022-05-01", "1.2억", None, None, None, "광주펀드", "Seed Round", "첫 투자"],
        ["새싹바이오", None, "투자", "2022년 7월 1일", "3천만원", None, None, None, "광주펀드", "시리즈A", None],
        ["테스트에이아이", None, "컨설팅", "2022-03-05", "1,000,000원", None, None, None, None, None, None],
        ["테스트에이아이", VALID_BRN, "멘토링", "2022.03.04", "30만원", "김멘토", "사업계획", "2시간", None, None, None],
        ["합계", None, None, None, "1억 5,130만원", None, None, None, None, None, None],
    ]  # fmt: skip


def test_activities_csv_in_cp949_creates_missing_companies(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
) -> None:
    table = load_file(csv_bytes(activity_rows(), encoding="cp949"), "실적.csv")
    assert (table.kind, table.encoding, table.header_row) == (ImportKind.ACTIVITIES, "cp949", 2)
    options = ImportOptions(default_stage="pre_startup", default_industry="healthcare")
    before = snapshot(engine)
    preview = preview_import(session, officer, table, options=options)
    assert snapshot(engine) == before
    assert statuses(preview) == {3: "new", 4: "new", 5: "new", 6: "error", 7: "duplicate"}
    assert errors(preview) == [(6, "지원유형", "error.choice")]
    assert preview.new_companies == 1 and preview.rows[1].creates_company == "새싹바이오"

    result = apply_import(session, officer, table, options=options, skip_invalid=True)
    assert (result.created, result.companies_created, result.skipped_rows) == (3, 1, [6])
    new = session.exec(select(Company).where(Company.name_ko == "새싹바이오")).one()
    assert (new.industry, new.cohort_year, new.brn, new.founded_on) == (
        "healthcare",
        2022,
        None,
        None,
    )
    assert stage_rows(session)[-1] == ("새싹바이오", "pre_startup", date(2022, 5, 1))
    rows = session.exec(
        select(Activity.company_id, Activity.programme_id, Activity.start_on, Activity.amount_krw, Activity.status, Activity.officer_id, Activity.notes, Activity.details).order_by(col(Activity.id))
    ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (company.id, programmes["mentoring"].id, date(2022, 3, 4), 300_000, "completed", officer.id, None,
         {"mentor": "김멘토", "topic": "사업계획", "hours": 2.0}),
        (new.id, programmes["investment"].id, date(2022, 5, 1), 120_000_000, "completed", officer.id, "첫 투자",
         {"fund_name": "광주펀드", "round": "seed", "invested_amount": 120_000_000}),
        (new.id, programmes["investment"].id, date(2022, 7, 1), 30_000_000, "completed", officer.id, None,
         {"fund_name": "광주펀드", "round": "series_a", "invested_amount": 30_000_000}),
    ]  # fmt: skip
    context = f"import #{result.batch_id} 실적.csv"
    made = session.exec(
        select(AuditEntry.entity, AuditEntry.action).where(AuditEntry.context == context)
    ).all()
    assert sorted(made) == sorted([("company", "create")] + [("activity", "create")] * 3)
    after = snapshot(engine)
    again = apply_import(session, officer, table, options=options, skip_invalid=True)
    assert again.batch_id is None and again.unchanged == 3
    assert snapshot(engine) == after


def test_activity_rows_update_the_one_they_match(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    header = ["회사명", "지원유형", "시작일", "상태", "금액", "멘토", "주제", "시간"]
    planned = ["테스트에이아이", "멘토링", "2022-03-04", "계획", "0", "김멘토", "IR", "2"]
    apply_import(session, officer, load_file(csv_bytes([header, planned]), "plan.csv"))
    done = [*planned[:3], "완료", "30만원", *planned[5:]]
    table = load_file(csv_bytes([header, done]), "done.csv")
    preview = preview_import(session, officer, table)
    [row] = preview.rows
    assert row.status == RowStatus.UPDATE and row.match is not None
    assert row.changes == {"status": ("planned", "completed"), "amount_krw": (0, 300_000)}
    result = apply_import(session, officer, table)
    activity = session.get(Activity, row.match.id)
    assert activity is not None and (activity.status, activity.amount_krw, activity.version) == (
        "completed",
        300_000,
        2,
    )
    fields = session.exec(
        select(AuditEntry.field).where(AuditEntry.context == f"import #{result.batch_id} done.csv")
    ).all()
    assert sorted(fields) == ["amount_krw", "status"]  # type: ignore[type-var]


def test_company_names_merged_over_their_activity_rows(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    rows = [
        ["회사명", "지원유형", "시작일", "금액(만원)", "멘토", "주제", "시간"],
        ["테스트에이아이", "멘토링", date(2022, 3, 4), 30, "김멘토", "IR", 2],
        [None, "멘토링", date(2022, 4, 4), 30, "김멘토", "특허", 2],
        [None, "멘토링", date(2022, 5, 4), 45, "이멘토", "투자", 3],
        ["합계", None, None, None, None, None, None],
    ]
    data = xlsx(rows, merges=[("A2:A4", "테스트에이아이")], formulas={"D5": ("=SUM(D2:D4)", 105)})
    result = apply_import(session, officer, load_file(data, "merged.xlsx"))
    assert result.created == 3 and result.preview.skipped[0].reason.value == "totals"
    amounts = session.exec(
        select(Activity.start_on, Activity.amount_krw).where(Activity.company_id == company.id).order_by(col(Activity.start_on))
    ).all()  # fmt: skip
    assert [tuple(a) for a in amounts] == [
        (date(2022, 3, 4), 300_000),
        (date(2022, 4, 4), 300_000),
        (date(2022, 5, 4), 450_000),
    ]


def test_funding_file_in_dollars_with_indian_digits_and_a_stray_byte(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    header = "Sr No,Date ,StartupName,IndustryVertical,CityLocation,InvestorsName,InvestmentType,AmountInUSD,Remarks\r\n"
    body = (
        '1,09/01/2022,BYJU’S,E-Tech,Bengaluru,Tiger Global,Private Equity Round,"20,00,000",\r\n'
        '2,13/01/2022,Shuttl,Transportation,Gurgaon,Susquehanna,Series C,"80,48,394",\r\n'
        '3,05/072022,Fashor,Fashion,Mumbai,Sprout,Seed Round,"18,00,000",\r\n'
        "4,02/02/2022,Pando,Healthcare,Chennai,Chiratae,Seed Funding,undisclosed,\r\n"
        '5,03/03/2022,Misters,Health,Gurgaon,N/A,Series B,"4,86,000",\r\n'
    )
    data = header.encode() + body.encode("cp1252")
    table = load_file(data, "funding.csv", kind="activities")
    options = ImportOptions(
        default_stage="pre_startup", default_kind="investment", usd_krw_rate=1300
    )
    preview = preview_import(session, officer, table, options=options)
    assert statuses(preview) == {2: "new", 3: "new", 4: "error", 5: "error", 6: "error"}
    assert errors(preview) == [
        (4, "Date", "importer.error.date"),
        (5, "AmountInUSD", "importer.error.undisclosed"),
        (6, "InvestorsName", "error.required"),
    ]
    warned = [(w.row, w.key) for r in preview.rows for w in r.warnings]
    assert warned == [
        (2, "importer.warn.industry_other"),
        (2, "importer.warn.round_other"),
        (3, "importer.warn.industry_other"),
        (4, "importer.warn.industry_other"),  # warnings are shown on error rows too
    ]
    notes = [n.key for n in preview.notes]
    assert notes == ["importer.note.stray_bytes", "importer.note.date_dmy", "importer.note.usd"]
    result = apply_import(session, officer, table, options=options, skip_invalid=True)
    assert result.skipped_rows == [4, 5, 6] and result.companies_created == 2
    made = session.exec(
        select(Company.name_ko, Activity.start_on, Activity.amount_krw, Activity.details)
        .join(Company, col(Company.id) == Activity.company_id)
        .order_by(col(Activity.id))
    ).all()
    assert [tuple(m) for m in made] == [
        ("BYJU’S", date(2022, 1, 9), 2_600_000_000,
         {"fund_name": "Tiger Global", "round": "other", "invested_amount": 2_600_000_000}),
        ("Shuttl", date(2022, 1, 13), 10_462_912_200,
         {"fund_name": "Susquehanna", "round": "series_c", "invested_amount": 10_462_912_200}),
    ]  # fmt: skip


def test_activities_for_unknown_companies_can_be_refused(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    data = csv_bytes([["회사명", "지원유형", "시작일"], ["없는회사", "멘토링", "2022-03-04"]])
    options = ImportOptions(create_companies=False)
    preview = preview_import(session, officer, load_file(data, "x.csv"), options=options)
    assert errors(preview) == [(2, "회사명", "importer.error.company_unknown")]


# --- outcomes ----------------------------------------------------------------------------------


def test_outcome_reports(
    engine: Engine, session: Session, officer: Actor, company: Company
) -> None:
    outcome_service.create_outcome_report(
        session,
        officer,
        company_id=company.id,
        year=2022,
        quarter=3,
        figures={"employees": 4},  # type: ignore[arg-type]
    )
    session.add(QuarterClose(year=2022, quarter=4, closed_by_id=officer.id))
    session.commit()
    rows = [
        ["회사명", "연도", "분기", "고용인원", "신규고용", "매출액(만원)"],
        ["테스트에이아이", 2022, "1분기", "5명", 1, "1,000"],
        ["(주)테스트에이아이", None, "2022-Q2", 6, 1, 1200],
        ["테스트에이아이", 2022, "Q3", 7, 3, 0],
        ["테스트에이아이", 2022, 4, 8, 1, 0],
        ["테스트에이아이", 2023, 1, 1, 2, 0],
        ["없는회사", 2022, 1, 1, 0, 0],
        ["테스트에이아이", 2022, 1, 5, 1, 1000],
    ]
    table = load_file(xlsx(rows), "성과.xlsx")
    assert table.kind == ImportKind.OUTCOMES
    before = snapshot(engine)
    preview = preview_import(session, officer, table)
    assert snapshot(engine) == before
    assert statuses(preview) == {
        2: "new",
        3: "new",
        4: "update",
        5: "error",
        6: "error",
        7: "error",
        8: "duplicate",
    }
    assert errors(preview) == [
        (5, "분기", "error.quarter_closed"),
        (6, "신규고용", "error.hires_exceed"),
        (7, "회사명", "importer.error.company_unknown"),
    ]
    assert preview.rows[2].changes == {"employees": (4, 7), "new_hires": (0, 3)}
    result = apply_import(session, officer, table, skip_invalid=True)
    assert (result.created, result.updated) == (2, 1)
    reports = session.exec(
        select(OutcomeReport.year, OutcomeReport.quarter, OutcomeReport.employees, OutcomeReport.new_hires, OutcomeReport.revenue_krw)
        .order_by(col(OutcomeReport.year), col(OutcomeReport.quarter))
    ).all()  # fmt: skip
    assert [tuple(r) for r in reports] == [
        (2022, 1, 5, 1, 10_000_000),
        (2022, 2, 6, 1, 12_000_000),
        (2022, 3, 7, 3, 0),
    ]


# --- formulas ------------------------------------------------------------------------------------


def test_formula_cells_use_saved_values_or_are_reported(session: Session, officer: Actor) -> None:
    data = openpyxl_xlsx(
        [
            ["회사명", "업종", "단계", "설립일"],
            ['="계산"&"회사"', "기타", "창업", "2021-01-01"],
            ["=cmd|' /C calc'!A0", "기타", "창업", "2021-01-01"],
            ["보통회사", "기타", "창업", "2021-01-01"],
        ]
    )
    preview = preview_import(session, officer, load_file(data, "formulas.xlsx"))
    assert statuses(preview) == {2: "error", 3: "error", 4: "new"}
    assert errors(preview) == [
        (2, "회사명", "importer.error.formula_no_value"),
        (3, "회사명", "importer.error.formula_no_value"),
    ]
    cached = xlsx(
        [["회사명", "업종", "단계", "설립일"], [None, "기타", "창업", "2021-01-01"]],
        formulas={"A2": ('="계산"&"회사"', "계산회사")},
    )
    result = apply_import(session, officer, load_file(cached, "cached.xlsx"))
    assert result.created == 1
    assert companies(session)[-1][0] == "계산회사"


def test_text_that_looks_like_a_formula_stays_text(session: Session, officer: Actor) -> None:
    data = csv_bytes(
        [
            ["회사명", "업종", "단계", "설립일", "비고"],
            ["=1+1 랩스", "기타", "창업", "2021-01-01", "@SUM(A1)"],
        ]
    )
    apply_import(session, officer, load_file(data, "inject.csv"))
    company = session.exec(select(Company)).all()[-1]
    assert (company.name_ko, company.notes) == ("=1+1 랩스", "@SUM(A1)")


def test_rows_of_one_new_company_with_and_without_its_number_create_it_once(
    session: Session, officer: Actor, programmes: dict[str, Programme]
) -> None:
    data = csv_bytes(
        [
            ["회사명", "사업자등록번호", "설립일", "지원유형", "시작일", "멘토", "주제", "시간"],
            ["새싹 주식회사", None, None, "멘토링", "2022-03-04", "김", "IR", 1],
            ["(주)새싹", BRN_2, "2021-01-01", "멘토링", "2022-04-04", "김", "IR", 1],
        ]
    )
    options = ImportOptions(default_stage="startup", default_industry="other")
    result = apply_import(session, officer, load_file(data, "x.csv"), options=options)
    assert (result.created, result.companies_created) == (2, 1)
    new = session.exec(select(Company)).one()
    assert (new.name_ko, new.brn, new.founded_on) == ("(주)새싹", BRN_2, date(2021, 1, 1))
    assert stage_rows(session) == [("(주)새싹", "startup", date(2022, 3, 4))]  # first activity
    owners = session.exec(select(Activity.company_id)).all()
    assert owners == [new.id, new.id]
