"""Company service on both engines: validation leaves the database unchanged, audit, locking."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from crm.errors import ConflictError, ValidationError
from crm.models import AuditEntry, Company, Stage
from crm.services import companies as svc
from crm.services import stages
from crm.services.actor import Actor
from tests.conftest import VALID_BRN, new_company
from tests.support import new_session, snapshot


def test_create_company_writes_stage_history_and_audit(session: Session, officer: Actor) -> None:
    company = svc.create_company(session, officer, new_company())
    assert company.id is not None
    assert company.brn == VALID_BRN and company.version == 1
    assert stages.current_stage(session, company.id) == Stage.STARTUP
    history = stages.stage_history(session, company.id)
    assert [(h.stage, h.entered_on, h.recorded_by_id) for h in history] == [
        ("startup", date(2022, 1, 10), officer.id)
    ]
    actions = session.exec(
        select(AuditEntry.action, AuditEntry.field, AuditEntry.actor_id).where(
            AuditEntry.entity == "company", AuditEntry.entity_id == company.id
        )
    ).all()
    assert sorted(actions, key=str) == sorted(
        [("create", None, officer.id), ("stage_change", "stage", officer.id)], key=str
    )


def test_pre_startup_without_registration_number(session: Session, officer: Actor) -> None:
    company = svc.create_company(
        session, officer, new_company(stage="pre_startup", brn=None, founded_on=None)
    )
    assert company.brn is None and company.founded_on is None


@pytest.mark.parametrize(
    ("overrides", "field", "key"),
    [
        ({"name_ko": ""}, "name_ko", "error.required"),
        ({"name_ko": "x" * 201}, "name_ko", "error.too_long"),
        ({"brn": "220-81-62518"}, "brn", "error.brn_checksum"),
        ({"brn": "12345"}, "brn", "error.brn_format"),
        ({"industry": "finance"}, "industry", "error.choice"),
        ({"email": "nope"}, "email", "error.email"),
        ({"phone": "123"}, "phone", "error.phone"),
        ({"stage": "unicorn"}, "stage", "error.choice"),
        ({"stage_since": "2022-02-30"}, "stage_since", "error.date"),
        ({"cohort_year": 1999}, "cohort_year", "error.min"),
        ({"founded_on": None}, "founded_on", "error.founded_required"),
        ({"stage": "pre_startup", "founded_on": None}, "brn", "error.brn_pre_startup"),
        ({"officer_id": 999_999}, "officer_id", "error.officer"),
        ({"notes": "a\x00b"}, "notes", "error.control_chars"),
    ],
)
def test_invalid_company_is_refused_and_nothing_changes(
    engine: Engine, session: Session, officer: Actor, overrides: dict, field: str, key: str
) -> None:
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        svc.create_company(session, officer, new_company(**overrides))
    assert (field, key) in [(e.field, e.key) for e in info.value.errors]
    assert info.value.messages("ko")[field] and info.value.messages("en")[field]
    assert snapshot(engine) == before


def test_duplicate_registration_number(engine: Engine, session: Session, officer: Actor) -> None:
    svc.create_company(session, officer, new_company())
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        svc.create_company(session, officer, new_company(name_ko="다른회사"))
    assert info.value.errors[0].key == "error.brn_duplicate"
    assert snapshot(engine) == before


def test_update_audits_each_field(session: Session, officer: Actor, company: Company) -> None:
    svc.update_company(
        session,
        officer,
        company.id,
        version=company.version,
        changes={"name_en": "Test AI", "location": "북구"},
    )
    rows = session.exec(
        select(
            AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value, AuditEntry.entity_version
        )
        .where(AuditEntry.action == "update", AuditEntry.entity_id == company.id)
        .order_by(AuditEntry.field)
    ).all()
    assert rows == [("location", None, "북구", 2), ("name_en", None, "Test AI", 2)]


def test_stale_save_of_same_field_is_a_conflict(
    engine: Engine, session: Session, officer: Actor, officer2: Actor, company: Company
) -> None:
    opened = company.version
    with new_session(engine) as other:
        svc.update_company(other, officer2, company.id, version=opened, changes={"notes": "theirs"})
    before = snapshot(engine)
    with pytest.raises(ConflictError) as info:
        svc.update_company(session, officer, company.id, version=opened, changes={"notes": "mine"})
    clash = info.value.clashes[0]
    assert (clash.field, clash.theirs, clash.yours) == ("notes", "theirs", "mine")
    assert clash.by == "Officer2 테스트"
    assert snapshot(engine) == before


def test_stale_save_of_other_fields_merges(
    engine: Engine, session: Session, officer: Actor, officer2: Actor, company: Company
) -> None:
    opened = company.version
    with new_session(engine) as other:
        svc.update_company(other, officer2, company.id, version=opened, changes={"notes": "theirs"})
    svc.update_company(session, officer, company.id, version=opened, changes={"location": "남구"})
    with new_session(engine) as check:
        fresh = check.get(Company, company.id)
        assert (fresh.notes, fresh.location, fresh.version) == ("theirs", "남구", 3)
        editors = check.exec(
            select(AuditEntry.field, AuditEntry.actor_id).where(AuditEntry.action == "update")
        ).all()
    assert sorted(editors) == sorted([("notes", officer2.id), ("location", officer.id)])


def test_archive_and_restore_are_audited(
    session: Session, officer: Actor, company: Company
) -> None:
    svc.archive_company(session, officer, company.id)
    assert session.get(Company, company.id).archived
    with pytest.raises(ValidationError):
        svc.update_company(session, officer, company.id, version=2, changes={"notes": "x"})
    svc.restore_company(session, officer, company.id)
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.field == "archived").order_by(AuditEntry.id)
    ).all()
    assert actions == ["archive", "restore"]


def test_pre_startup_profile_cannot_gain_registration_number(
    engine: Engine, session: Session, officer: Actor
) -> None:
    company = svc.create_company(
        session, officer, new_company(stage="pre_startup", brn=None, founded_on=None)
    )
    before = snapshot(engine)
    with pytest.raises(ValidationError):
        svc.update_company(session, officer, company.id, version=1, changes={"brn": VALID_BRN})
    assert snapshot(engine) == before


def test_find_similar_names(session: Session, officer: Actor) -> None:
    svc.create_company(session, officer, new_company(name_ko="(주)빛고을비전", brn=None))
    assert [c.name_ko for c in svc.find_similar(session, "빛고을 비전 주식회사")] == [
        "(주)빛고을비전"
    ]
    assert svc.find_similar(session, "전혀다른이름") == []
