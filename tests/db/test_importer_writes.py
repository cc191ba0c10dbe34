"""What an import writes for the companies it creates, on both engines: the same rows and
values add_company writes, one "create" audit entry per company that also records its stage,
ids that never collide with later inserts or reuse an undone row's id, and a company page
history and an undo that work with that entry."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm.importer import UndoRefused, apply_import, load_file, undo_import
from crm.models import AuditAction, AuditEntry, Company, StageEntry
from crm.services import audit, bulk, stages
from crm.services import companies as company_service
from crm.services.actor import Actor
from crm.services.history import company_history
from crm.validation import brn_check_digit
from tests.conftest import VALID_BRN, new_company
from tests.importer_files import csv_bytes

HEADER = ["회사명", "사업자등록번호", "대표자", "설립일", "업종", "소재지", "이메일", "전화번호"]
HEADER += ["선정연도", "단계", "단계 시작일"]
ROWS = [
    ["테스트에이아이", VALID_BRN, "홍길동", "2020-05-01", "헬스케어", None, "ceo@example.com",
     "010-1234-5678", 2022, "창업", "2022-01-10"],
    ["무등로보틱스", "305-86-01233", "김대표", "2021-03-04", "자동차", "북구", None, None, 2022,
     "성장", "2022-02-01"],
    ["영산에너지", None, None, None, "에너지", "남구", None, "02-123-4567", 2023, "예비창업",
     "2023-03-10"],
]  # fmt: skip


def import_rows(session: Session, actor: Actor, name: str = "new.csv") -> int:
    result = apply_import(session, actor, load_file(csv_bytes([HEADER, *ROWS]), name))
    assert result.created == len(ROWS) and result.batch_id is not None
    return result.batch_id


def created_entries(session: Session, context: str) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.context == context).order_by(col(AuditEntry.id))
        ).all()
    )


def test_an_imported_company_is_written_as_add_company_writes_it(
    engine: Engine, session: Session, officer: Actor
) -> None:
    """The same row and stage entry as add_company, and one audit entry holding what
    add_company's two entries hold (its snapshot of the profile, then "stage@date")."""
    batch = import_rows(session, officer)
    imported = session.exec(select(Company).where(Company.name_ko == "테스트에이아이")).one()
    [entry] = [
        e
        for e in created_entries(session, f"import #{batch} new.csv")
        if e.entity_id == imported.id
    ]
    assert (entry.action, entry.entity, entry.entity_version, entry.field, entry.old_value) == (
        "create",
        "company",
        1,
        None,
        None,
    )
    snapshot = json.loads(entry.new_value or "")
    made = company_service.create_company(
        session, officer, new_company(name_ko="서비스로 만든 회사", brn=None)
    )
    by_service = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "company", AuditEntry.entity_id == made.id)
        .order_by(col(AuditEntry.id))
    ).all()
    assert [(e.action, e.field) for e in by_service] == [
        ("create", None),
        ("stage_change", "stage"),
    ]
    service_snapshot = json.loads(by_service[0].new_value or "")
    profile = {k: v for k, v in snapshot.items() if k not in ("stage", "stage_since")}
    assert profile.keys() == service_snapshot.keys()
    assert {k: v for k, v in profile.items() if k not in ("name_ko", "brn")} == {
        k: v for k, v in service_snapshot.items() if k not in ("name_ko", "brn")
    }
    assert (profile["name_ko"], profile["brn"]) == ("테스트에이아이", VALID_BRN)
    assert f"{snapshot['stage']}@{snapshot['stage_since']}" == by_service[1].new_value
    same = [
        c.name
        for c in Company.__table__.columns  # type: ignore[attr-defined]
        if c.name not in ("id", "name_ko", "brn", "created_at", "updated_at")
    ]
    assert {n: getattr(made, n) for n in same} == {n: getattr(imported, n) for n in same}
    stage_of = {
        company_id: (stage, day)
        for company_id, stage, day in session.exec(
            select(StageEntry.company_id, StageEntry.stage, StageEntry.entered_on)
        )
    }
    assert stage_of[imported.id] == stage_of[made.id] == ("startup", date(2022, 1, 10))


def test_ids_rows_and_audit_entries_belong_together(
    engine: Engine, session: Session, officer: Actor
) -> None:
    batch = import_rows(session, officer)
    companies = session.exec(select(Company).order_by(col(Company.id))).all()
    assert [c.name_ko for c in companies] == [r[0] for r in ROWS]
    assert [(c.founded_on, c.cohort_year, c.phone) for c in companies] == [
        (date(2020, 5, 1), 2022, "010-1234-5678"),
        (date(2021, 3, 4), 2022, None),
        (None, 2023, "02-123-4567"),
    ]
    assert all(c.created_at.year >= 2024 and c.version == 1 for c in companies)
    stages = session.exec(
        select(StageEntry.company_id, StageEntry.stage, StageEntry.entered_on)
    ).all()
    assert sorted(stages) == sorted(
        [
            (companies[0].id, "startup", date(2022, 1, 10)),
            (companies[1].id, "growth", date(2022, 2, 1)),
            (companies[2].id, "pre_startup", date(2023, 3, 10)),
        ]
    )
    entries = created_entries(session, f"import #{batch} new.csv")
    assert [(e.entity_id, json.loads(e.new_value or "")["name_ko"]) for e in entries] == [
        (c.id, c.name_ko) for c in companies
    ]


def test_ids_continue_after_the_import_and_after_undone_rows(
    engine: Engine, session: Session, officer: Actor, manager: Actor
) -> None:
    """The import takes its ids as the database would hand them out: a company added later
    gets a new one (PostgreSQL: from the sequence), and a re-import after an undo never reuses
    the undone companies' ids (SQLite: sqlite_sequence)."""
    first = import_rows(session, officer, "a.csv")
    undone = sorted(session.exec(select(Company.id)).all())
    undo_import(session, manager, first)
    assert session.exec(select(Company.id)).all() == []
    import_rows(session, officer, "b.csv")
    again = sorted(session.exec(select(Company.id)).all())
    assert min(again) > max(undone)  # type: ignore[type-var]
    later = company_service.create_company(
        session, officer, new_company(name_ko="나중회사", brn=None)
    )
    assert later.id is not None and later.id > max(again)  # type: ignore[type-var]


def test_the_company_page_history_shows_the_import_with_its_stage(
    session: Session, officer: Actor
) -> None:
    batch = import_rows(session, officer)
    imported = session.exec(select(Company).where(Company.name_ko == "무등로보틱스")).one()
    history = company_history(session, officer, imported.id).entries  # type: ignore[arg-type]
    assert [e.action for e in history] == ["create"]
    assert [e.context for e in history] == [f"import #{batch} new.csv"]
    shown = json.loads(history[0].new or "")
    assert (shown["stage"], shown["stage_since"], shown["representative"]) == (
        "growth",
        "2022-02-01",
        "김대표",
    )


def test_undo_also_takes_imports_audited_the_earlier_way(
    engine: Engine, session: Session, officer: Actor, manager: Actor
) -> None:
    """Imports made before one entry per company also wrote a stage_change entry for each new
    company: undoing one of those still removes the companies and their stage entries."""
    batch = import_rows(session, officer)
    context = f"import #{batch} new.csv"
    for entry in created_entries(session, context):
        stage = json.loads(entry.new_value or "")
        audit.record(
            session,
            officer,
            AuditAction.STAGE_CHANGE,
            "company",
            entry.entity_id,
            field="stage",
            new=f"{stage['stage']}@{stage['stage_since']}",
            context=context,
        )
    session.commit()
    undone = undo_import(session, manager, batch)
    assert undone.deleted == {"activity": 0, "outcome_report": 0, "stage_entry": 3, "company": 3}
    assert session.exec(select(Company)).all() == []
    assert session.exec(select(StageEntry)).all() == []


def test_a_later_stage_change_of_an_imported_company_refuses_the_undo(
    session: Session, officer: Actor, manager: Actor
) -> None:
    batch = import_rows(session, officer)
    imported = session.exec(select(Company).where(Company.name_ko == "테스트에이아이")).one()
    stages.change_stage(
        session,
        officer,
        imported.id,  # type: ignore[arg-type]
        stage="growth",
        entered_on=date(2022, 6, 1),
        today=date(2022, 12, 31),
    )
    with pytest.raises(UndoRefused) as refused:
        undo_import(session, manager, batch)
    assert [(r.key, r.params["id"]) for r in refused.value.reasons] == [
        ("importer.undo.edited_since", imported.id)
    ]


@pytest.mark.parametrize(
    "text", ['따옴표 " 와 \\ 역슬래시', "100% 확실", "탭\t줄\n바꿈", "é ü 漢字 😀"]
)
def test_snapshots_are_the_audit_text_of_the_values(
    session: Session, officer: Actor, text: str
) -> None:
    """A created company's entry holds exactly what audit.to_text (json.dumps) writes for its
    stored values, its stage and stage date."""
    new = new_company(
        name_ko=f"회사 {text}"[:200].replace("\t", " ").replace("\n", " "), notes=text
    )
    [company_id] = bulk.add_companies(session, officer, [new], context="test")
    session.commit()
    stored = session.get(Company, company_id)
    [entry] = created_entries(session, "test")
    expected = {k: audit.to_text(getattr(stored, k)) for k in company_service.PROFILE_FIELDS}
    expected |= {"stage": "startup", "stage_since": "2022-01-10"}
    assert entry.new_value == audit.to_text(expected)
    assert json.loads(entry.new_value or "")["notes"] == text


def test_a_file_larger_than_one_write_batch(
    engine: Engine, session: Session, officer: Actor
) -> None:
    """Past one chunk of writes (2,000 rows) and one multi-row INSERT (500): every company has
    exactly its own stage entry and audit entry."""
    rows = []
    for i in range(2_101):
        head = f"1018{i:05d}"
        digits = head + str(brn_check_digit(head))
        rows.append([f"대량기업{i:05d}", digits, None, "2020-01-01", "기타", None, None, None,
                     2022, "창업", "2022-01-03"])  # fmt: skip
    result = apply_import(session, officer, load_file(csv_bytes([HEADER, *rows]), "big.csv"))
    assert result.created == len(rows)
    names = dict(session.exec(select(Company.id, Company.name_ko)).all())
    assert sorted(names.values()) == [r[0] for r in rows]
    staged = session.exec(select(StageEntry.company_id)).all()
    assert sorted(staged) == sorted(names)  # type: ignore[type-var]
    entries = created_entries(session, f"import #{result.batch_id} big.csv")
    assert {e.entity_id: json.loads(e.new_value or "")["name_ko"] for e in entries} == names
    assert len(entries) == len(rows)
