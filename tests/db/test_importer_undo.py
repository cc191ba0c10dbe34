"""Undoing an import: created rows removed, updated values put back from the audit trail, or
a refusal with reasons (and nothing changed) where something happened since."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, select

from crm.errors import NotFound, PermissionDenied
from crm.importer import (
    ImportOptions,
    UndoRefused,
    apply_import,
    import_history,
    load_file,
    undo_import,
)
from crm.models import AuditEntry, Company, ImportBatch, Programme, QuarterClose
from crm.services import activities as activity_service
from crm.services import companies as company_service
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.ui import format as fmt
from tests.conftest import VALID_BRN
from tests.importer_files import csv_bytes
from tests.support import snapshot

DOMAIN = ("company", "stage_entry", "activity", "outcome_report")


def domain(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The domain tables, without the columns an undo legitimately moves on (version, times)."""
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in DOMAIN:
                kept = [c for c in table.columns if c.name not in ("version", "updated_at")]
                out[table.name] = sorted(tuple(r) for r in conn.execute(sa.select(*kept)))
    return out


def company_file(*rows: list[Any]) -> bytes:
    return csv_bytes(
        [
            [
                "회사명",
                "사업자등록번호",
                "연락처",
                "이메일",
                "업종",
                "단계",
                "설립일",
                "단계 시작일",
            ],
            *rows,
        ]
    )


def test_undo_removes_what_it_created_and_restores_what_it_changed(
    engine: Engine, session: Session, officer: Actor, manager: Actor, company: Company
) -> None:
    before = domain(engine)
    data = company_file(
        ["테스트에이아이", VALID_BRN, "010-2222-3333", None, None, "성장", None, "2022-06-01"],
        ["새회사", None, None, "new@example.com", "에너지", "창업", "2021-01-01", "2022-02-01"],
    )
    result = apply_import(session, officer, load_file(data, "a.csv"))
    assert (result.created, result.updated) == (1, 1)
    assert domain(engine) != before

    undone = undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    assert undone.deleted == {"activity": 0, "outcome_report": 0, "stage_entry": 2, "company": 1}
    assert undone.restored == 1
    assert domain(engine) == before
    session.expire_all()
    restored = session.get(Company, company.id)
    assert restored is not None and (restored.phone, restored.version) == ("010-1234-5678", 3)
    trail = session.exec(
        select(AuditEntry.action, AuditEntry.entity, AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
        .where(AuditEntry.context == f"undo import #{result.batch_id}")
        .order_by(col(AuditEntry.id))
    ).all()  # fmt: skip
    assert [t[:3] for t in trail] == [
        ("update", "company", "phone"),
        ("stage_change", "company", "stage"),
        ("delete", "company", None),
    ]
    assert trail[0][3:] == ("010-2222-3333", "010-1234-5678")
    assert trail[1][3:] == ("growth@2022-06-01", None)
    batch = session.get(ImportBatch, result.batch_id)
    assert batch is not None and batch.undone_by_id == manager.id and batch.undone_at is not None
    [line] = import_history(session)
    assert (line.id, line.by, line.undone_by, line.rows_created) == (
        result.batch_id,
        "Officer1 테스트",
        "Manager1 테스트",
        1,
    )

    unchanged = snapshot(engine)
    with pytest.raises(UndoRefused) as again:
        undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    assert [r.key for r in again.value.reasons] == ["importer.undo.already"]
    assert snapshot(engine) == unchanged


def test_a_later_edit_of_the_same_field_refuses_the_undo(
    engine: Engine,
    session: Session,
    officer: Actor,
    officer2: Actor,
    manager: Actor,
    company: Company,
) -> None:
    data = company_file(
        ["테스트에이아이", VALID_BRN, "010-2222-3333", None, None, None, None, None]
    )
    result = apply_import(session, officer, load_file(data, "a.csv"))
    company_service.update_company(
        session, officer2, company.id, version=2, changes={"phone": "010-4444-5555"}
    )  # type: ignore[arg-type]
    unchanged = snapshot(engine)
    with pytest.raises(UndoRefused) as refused:
        undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    [reason] = refused.value.reasons
    assert reason.key == "importer.undo.changed_since"
    assert (reason.params["field"], reason.params["by"], reason.params["id"]) == (
        "phone",
        "Officer2 테스트",
        company.id,
    )
    # Read in words: the company's name, the field's label, the office's time with its zone.
    later = session.exec(
        select(AuditEntry.at).where(AuditEntry.field == "phone").order_by(col(AuditEntry.id))
    ).all()[-1]
    seoul = fmt.moment(later, "ko", label=True)
    assert seoul.endswith(" KST")
    assert reason.message("ko") == (
        f"{company.name_ko}: '전화번호'가 가져오기 후에 다시 바뀌었습니다 "
        f"(Officer2 테스트, {seoul})."
    )
    assert reason.message("en") == (
        f"{company.name_ko}: 'Phone' was changed again after the import "
        f"(Officer2 테스트, {fmt.moment(later, 'en', label=True)})."
    )
    assert "phone" not in refused.value.message("ko") and "#" not in refused.value.message("ko")
    assert snapshot(engine) == unchanged


def test_a_later_edit_of_another_field_does_not(
    session: Session, officer: Actor, officer2: Actor, manager: Actor, company: Company
) -> None:
    data = company_file(
        ["테스트에이아이", VALID_BRN, "010-2222-3333", None, None, None, None, None]
    )
    result = apply_import(session, officer, load_file(data, "a.csv"))
    company_service.update_company(
        session, officer2, company.id, version=2, changes={"email": "later@example.com"}
    )  # type: ignore[arg-type]
    undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    session.expire_all()
    after = session.get(Company, company.id)
    assert after is not None and (after.phone, after.email) == (
        "010-1234-5678",
        "later@example.com",
    )


def test_a_created_company_used_since_cannot_be_removed(
    engine: Engine,
    session: Session,
    officer: Actor,
    manager: Actor,
    programmes: dict[str, Programme],
) -> None:
    data = company_file(["새회사", None, None, None, "에너지", "창업", "2021-01-01", "2022-02-01"])
    result = apply_import(session, officer, load_file(data, "a.csv"))
    new = session.exec(select(Company).where(Company.name_ko == "새회사")).one()
    activity = activity_service.log_activity(
        session,
        officer,
        NewActivity(
            company_id=new.id,  # type: ignore[arg-type]
            programme_id=programmes["mentoring"].id,  # type: ignore[arg-type]
            start_on=date(2022, 3, 1),
            details={"mentor": "김", "topic": "IR", "hours": 1},
        ),
    )
    unchanged = snapshot(engine)
    with pytest.raises(UndoRefused) as refused:
        undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    assert [(r.key, r.params) for r in refused.value.reasons] == [
        ("importer.undo.company_used", {"id": new.id, "entity": "activity", "other": activity.id})
    ]
    assert refused.value.reasons[0].message("ko") == (
        "가져오기로 만든 기업 새회사에 나중에 추가된 기록이 있습니다: 새회사 · 멘토링 (2022.03.01)."
    )
    assert refused.value.reasons[0].message("en") == (
        "Company 새회사, created by the import, has a record added later: "
        "새회사 · Mentoring (2022-03-01)."
    )
    assert snapshot(engine) == unchanged


def test_undo_an_activity_import_that_created_companies(
    engine: Engine,
    session: Session,
    officer: Actor,
    manager: Actor,
    company: Company,
    programmes: dict[str, Programme],
) -> None:
    before = domain(engine)
    data = csv_bytes(
        [
            ["회사명", "지원유형", "시작일", "금액", "멘토", "주제", "시간"],
            ["테스트에이아이", "멘토링", "2022-03-04", "30만원", "김멘토", "IR", 2],
            ["새싹", "멘토링", "2022-03-05", "30만원", "김멘토", "IR", 2],
        ]
    )
    options = ImportOptions(default_stage="pre_startup", default_industry="other")
    result = apply_import(session, officer, load_file(data, "acts.csv"), options=options)
    assert (result.created, result.companies_created) == (2, 1)
    undone = undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    assert undone.deleted == {"activity": 2, "outcome_report": 0, "stage_entry": 1, "company": 1}
    assert domain(engine) == before


def test_undo_in_reverse_order_of_imports(
    engine: Engine, session: Session, officer: Actor, manager: Actor
) -> None:
    before = domain(engine)
    first = apply_import(
        session,
        officer,
        load_file(
            company_file(
                ["새회사", None, None, None, "에너지", "창업", "2021-01-01", "2022-02-01"]
            ),
            "1.csv",
        ),
    )
    second = apply_import(
        session,
        officer,
        load_file(
            company_file(["새회사", None, None, "b@example.com", None, None, None, None]), "2.csv"
        ),
    )
    assert (first.created, second.updated) == (1, 1)
    with pytest.raises(UndoRefused) as refused:
        undo_import(session, manager, first.batch_id)  # type: ignore[arg-type]
    assert [r.key for r in refused.value.reasons] == ["importer.undo.edited_since"]
    undo_import(session, manager, second.batch_id)  # type: ignore[arg-type]
    undo_import(session, manager, first.batch_id)  # type: ignore[arg-type]
    assert domain(engine) == before


def test_rows_in_a_quarter_closed_since_stay(
    engine: Engine, session: Session, officer: Actor, manager: Actor, company: Company
) -> None:
    data = csv_bytes([["회사명", "연도", "분기", "고용인원"], ["테스트에이아이", 2022, 1, 3]])
    result = apply_import(session, officer, load_file(data, "o.csv"))
    session.add(QuarterClose(year=2022, quarter=1, closed_by_id=manager.id))
    session.commit()
    unchanged = snapshot(engine)
    with pytest.raises(UndoRefused) as refused:
        undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    assert [r.key for r in refused.value.reasons] == ["importer.undo.closed_quarter"]
    assert refused.value.reasons[0].message("ko") == (
        f"{company.name_ko} · 2022년 1분기 성과 보고: 마감된 2022년 1분기에 속합니다. "
        "매니저가 정정으로 고치세요."
    )
    assert snapshot(engine) == unchanged


def test_only_managers_undo(engine: Engine, session: Session, officer: Actor) -> None:
    data = company_file(["새회사", None, None, None, "에너지", "창업", "2021-01-01", "2022-02-01"])
    result = apply_import(session, officer, load_file(data, "a.csv"))
    unchanged = snapshot(engine)
    with pytest.raises(PermissionDenied):
        undo_import(session, officer, result.batch_id)  # type: ignore[arg-type]
    assert snapshot(engine) == unchanged


def test_unknown_import(session: Session, manager: Actor) -> None:
    with pytest.raises(NotFound):
        undo_import(session, manager, 999)


def test_ids_of_undone_rows_are_never_reused(
    engine: Engine, session: Session, officer: Actor, manager: Actor
) -> None:
    """Otherwise the deleted row's audit history would show up on a new, unrelated record."""
    data = company_file(
        ["지울회사", None, None, None, "에너지", "창업", "2021-01-01", "2022-02-01"]
    )
    result = apply_import(session, officer, load_file(data, "gone.csv"))
    gone = session.exec(select(Company.id).where(Company.name_ko == "지울회사")).one()
    undo_import(session, manager, result.batch_id)  # type: ignore[arg-type]
    fresh = company_service.create_company(
        session,
        officer,
        company_service.NewCompany(
            name_ko="새로 온 회사",
            industry="energy",
            cohort_year=2022,
            stage="pre_startup",
            stage_since=date(2022, 3, 1),
        ),
    )
    assert fresh.id is not None and fresh.id > gone
