"""The services' bulk writes (crm/services/bulk.py) on both engines: each is permission-checked,
refuses the whole batch with errors per row (nothing written), writes what its single form
writes, and audits each row."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from crm.db import begin_write
from crm.errors import ConflictError, PermissionDenied
from crm.models import (
    Activity,
    AuditEntry,
    Company,
    OutcomeReport,
    Programme,
    Role,
    Stage,
    StageEntry,
)
from crm.services import activities as activity_service
from crm.services import bulk
from crm.services import companies as company_service
from crm.services.activities import BatchError, NewActivity
from crm.services.actor import Actor
from tests.conftest import VALID_BRN, make_user, new_company
from tests.support import snapshot

MENTORING = {"mentor": "멘토 김", "topic": "IR", "hours": 2}
BRN_2 = "305-86-01233"


def entries(session: Session, context: str) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.context == context).order_by(col(AuditEntry.id))
        ).all()
    )


Write = Callable[[Session, Actor, dict[str, Any]], object]
WRITES: dict[str, tuple[set[Role], Write]] = {
    "add_companies": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: bulk.add_companies(s, a, [new_company(name_ko="새회사", brn=None)]),
    ),
    "update_companies": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: bulk.update_companies(
            s, a, [bulk.CompanyUpdate(w["company"], {"notes": "x"})]
        ),
    ),
    "add_activities": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: bulk.add_activities(
            s, a, [NewActivity(w["company"], w["programme"], date(2022, 4, 5), details=MENTORING)]
        ),
    ),
    "add_outcome_reports": (
        {Role.OFFICER, Role.MANAGER, Role.ADMIN},
        lambda s, a, w: bulk.add_outcome_reports(
            s, a, [bulk.NewOutcomeReport(w["company"], 2022, 2, {"employees": 3})]
        ),
    ),
}


@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize("role", list(Role))
def test_each_bulk_write_checks_the_role(
    engine: Engine,
    session: Session,
    system: Actor,
    company: Company,
    programmes: dict[str, Programme],
    name: str,
    role: Role,
) -> None:
    allowed, write = WRITES[name]
    actor = make_user(session, system, f"u_{role.value}", role)
    world = {"company": company.id, "programme": programmes["mentoring"].id}
    before = snapshot(engine)
    if role in allowed:
        write(session, actor, world)
        session.commit()
        assert snapshot(engine) != before
    else:
        with pytest.raises(PermissionDenied):
            write(session, actor, world)
        session.rollback()
        assert snapshot(engine) == before


def test_companies_written_as_add_company_writes_them_with_one_entry_each(
    session: Session, officer: Actor
) -> None:
    news = [new_company(), new_company(name_ko="무등로보틱스", brn=BRN_2, phone="02-123-4567")]
    ids = bulk.add_companies(session, officer, news, context="bulk test")
    session.commit()
    made = company_service.create_company(
        session, officer, new_company(name_ko="하나씩", brn=None, phone="010 1234 5678")
    )
    rows = {c.id: c for c in session.exec(select(Company)).all()}
    assert [rows[i].name_ko for i in ids] == ["테스트에이아이", "무등로보틱스"]
    assert (rows[ids[1]].phone, rows[made.id].phone) == ("02-123-4567", "010-1234-5678")
    assert all(rows[i].version == 1 and not rows[i].archived for i in ids)
    stages = session.exec(select(StageEntry.company_id, StageEntry.stage)).all()
    assert sorted(stages) == sorted(
        [(ids[0], "startup"), (ids[1], "startup"), (made.id, "startup")]
    )
    written = entries(session, "bulk test")
    assert [(e.action, e.entity_id, e.entity_version) for e in written] == [
        ("create", ids[0], 1),
        ("create", ids[1], 1),
    ]
    snapshot_of = json.loads(written[1].new_value or "")
    assert snapshot_of["phone"] == "02-123-4567"
    assert (snapshot_of["stage"], snapshot_of["stage_since"]) == ("startup", "2022-01-10")


def test_a_batch_checked_twice_in_one_transaction_asks_each_rule_once_per_value(
    session: Session, officer: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The importer checks its rows for the preview and the bulk write checks them again, in
    one transaction: the second check reuses the answers; a new transaction asks afresh."""
    asked: list[str] = []
    phone_rule = company_service.PROFILE_RULES["phone"]

    def counted(s: Session, check: Any, value: Any) -> Any:
        asked.append(value)
        return phone_rule(s, check, value)

    monkeypatch.setitem(company_service.PROFILE_RULES, "phone", counted)
    news = [
        new_company(name_ko="가온", brn=None, phone="02-123-4567"),
        new_company(name_ko="나래", brn=None, phone="010 1234 5678"),
    ]
    begin_write(session)
    preview = bulk.check_new_companies(session, news)
    ids = bulk.add_companies(session, officer, news)
    assert asked == ["02-123-4567", "010 1234 5678"]
    assert [c["phone"] for c, _ in preview] == ["02-123-4567", "010-1234-5678"]
    session.commit()
    assert [session.get(Company, i).phone for i in ids] == ["02-123-4567", "010-1234-5678"]  # type: ignore[union-attr]
    begin_write(session)
    bulk.check_new_companies(session, news)
    assert len(asked) == 4
    session.rollback()


def test_a_batch_with_a_bad_row_writes_nothing_and_numbers_its_rows(
    engine: Engine, session: Session, officer: Actor, company: Company
) -> None:
    before = snapshot(engine)
    news = [
        new_company(name_ko="좋은회사", brn=BRN_2),
        new_company(name_ko="번호중복", brn=BRN_2),  # an earlier row of the batch has it
        new_company(name_ko="전화", brn=None, phone="12"),
        new_company(name_ko="저장된 번호", brn=VALID_BRN),  # the stored company has it
    ]
    with pytest.raises(BatchError) as refused:
        bulk.add_companies(session, officer, news)
    session.rollback()
    assert [(r.row, [(e.field, e.key) for e in r.errors]) for r in refused.value.rows] == [
        (2, [("brn", "error.brn_duplicate")]),
        (3, [("phone", "error.phone")]),
        (4, [("brn", "error.brn_duplicate")]),
    ]
    assert refused.value.rows[2].errors[0].params == {"name": company.name_ko}
    assert snapshot(engine) == before


def test_updates_move_versions_and_audit_each_field(
    session: Session, officer: Actor, company: Company
) -> None:
    bulk.update_companies(
        session,
        officer,
        [
            bulk.CompanyUpdate(
                company.id,  # type: ignore[arg-type]
                {"email": "new@example.com", "location": "북구"},
                (Stage.GROWTH, date(2022, 6, 1)),
            )
        ],
        context="bulk update",
        today=date(2022, 12, 31),
    )
    session.commit()
    session.refresh(company)
    assert (company.email, company.location, company.version) == ("new@example.com", "북구", 2)
    written = [
        (e.action, e.field, e.old_value, e.new_value, e.entity_version)
        for e in entries(session, "bulk update")
    ]
    assert written == [
        ("stage_change", "stage", None, "growth@2022-06-01", None),
        ("update", "location", None, "북구", 2),
        ("update", "email", "ceo@example.com", "new@example.com", 2),
    ]


def test_quick_entry_and_the_importer_share_add_activities(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme]
) -> None:
    """log_activities (quick entry) is bulk.add_activities in its own transaction: the same
    rows and "create" entries, officer and status defaulted as add_activity does."""
    new = NewActivity(company.id, programmes["mentoring"].id, date(2022, 4, 5), details=MENTORING)  # type: ignore[arg-type]
    [logged] = activity_service.log_activities(session, officer, [new])
    [bulked] = bulk.add_activities(session, officer, [new], context="bulk")
    session.commit()
    rows = {a.id: a for a in session.exec(select(Activity)).all()}
    fields = ("company_id", "programme_id", "start_on", "status", "officer_id", "details")
    assert [getattr(rows[logged.id], f) for f in fields] == [
        getattr(rows[bulked], f) for f in fields
    ]
    assert (rows[bulked].status, rows[bulked].officer_id) == ("completed", officer.id)
    texts = session.exec(
        select(AuditEntry.entity_id, AuditEntry.new_value).where(AuditEntry.entity == "activity")
    ).all()
    by_id = {i: json.loads(v or "") for i, v in texts}
    assert by_id[logged.id] == by_id[bulked]


def test_a_second_report_for_a_quarter_in_one_batch_is_refused(
    engine: Engine, session: Session, officer: Actor, company: Company
) -> None:
    before = snapshot(engine)
    rows = [
        bulk.NewOutcomeReport(company.id, 2022, 2, {"employees": 3}),  # type: ignore[arg-type]
        bulk.NewOutcomeReport(company.id, 2022, 2, {"employees": 4}),  # type: ignore[arg-type]
    ]
    with pytest.raises(BatchError) as refused:
        bulk.add_outcome_reports(session, officer, rows)
    session.rollback()
    assert [(r.row, [e.key for e in r.errors]) for r in refused.value.rows] == [
        (2, ["error.outcome_duplicate"])
    ]
    assert snapshot(engine) == before
    bulk.add_outcome_reports(session, officer, rows[:1])
    session.commit()
    assert session.exec(select(OutcomeReport.employees)).all() == [3]


def test_an_update_of_a_row_saved_since_it_was_read_is_a_conflict(
    engine: Engine, session: Session, officer: Actor, company: Company
) -> None:
    """The row in the session says version 1 while the database holds 2 (someone saved it
    after it was read): the batch is refused as a conflict and nothing is written."""
    read = session.get(Company, company.id)
    assert read is not None and read.version == 1
    set_committed_value(read, "version", 0)  # as read before the other save
    before = snapshot(engine)
    with pytest.raises(ConflictError):
        bulk.update_companies(
            session,
            officer,
            [bulk.CompanyUpdate(company.id, {"email": "x@example.com"})],  # type: ignore[arg-type]
        )
    assert snapshot(engine) == before
