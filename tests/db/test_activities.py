"""Support activities: per-kind validation, batches in one transaction, cancel not delete."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from crm.errors import ConflictError, ValidationError
from crm.models import Activity, AuditEntry, Company, Programme
from crm.services import activities as svc
from crm.services.activities import BatchError, NewActivity
from crm.services.actor import Actor
from tests.support import new_session, snapshot

VALID_DETAILS = {
    "mentoring": {"mentor": "멘토 김", "topic": "IR 준비", "hours": 2.5},
    "prototyping": {"vendor": "정밀가공", "deliverable": "보드", "budget": 30_000_000},
    "investment": {"fund_name": "광주펀드", "round": "seed", "invested_amount": 500_000_000},
    "overseas": {"country": "vn", "programme_type": "exhibition", "partner": "ABC"},
}


@pytest.mark.parametrize("kind", list(VALID_DETAILS))
def test_log_each_kind(
    session: Session, officer: Actor, company: Company, programmes: dict[str, Programme], kind: str
) -> None:
    activity = svc.log_activity(
        session,
        officer,
        NewActivity(
            company_id=company.id,
            programme_id=programmes[kind].id,
            start_on=date(2022, 4, 5),
            amount_krw="1,000,000",
            details=VALID_DETAILS[kind],
        ),
    )
    assert activity.amount_krw == 1_000_000
    assert activity.officer_id == officer.id and activity.status == "completed"
    expected = dict(VALID_DETAILS[kind])
    if kind == "overseas":
        expected["country"] = "VN"
    assert session.get(Activity, activity.id).details == expected
    assert (
        session.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "activity")
        ).one()
        == 1
    )


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        ("investment", {"fund_name": "F", "round": "seed"}, "details.invested_amount"),
        (
            "investment",
            {"fund_name": "F", "round": "seed", "invested_amount": -5},
            "details.invested_amount",
        ),
        (
            "investment",
            {"fund_name": "F", "round": "series_z", "invested_amount": 5},
            "details.round",
        ),
        ("mentoring", {"mentor": "M", "topic": "T", "hours": "many"}, "details.hours"),
        ("mentoring", {"mentor": "M", "topic": "T"}, "details.hours"),
        ("prototyping", {"vendor": "V", "budget": 1}, "details.deliverable"),
        ("overseas", {"country": "ZZ", "programme_type": "exhibition"}, "details.country"),
        ("overseas", {"country": "US", "programme_type": "holiday"}, "details.programme_type"),
        ("mentoring", {**VALID_DETAILS["mentoring"], "budget": 5}, "details.budget"),
    ],
)
def test_invalid_kind_fields_change_nothing(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
    kind: str,
    details: dict,
    field: str,
) -> None:
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        svc.log_activity(
            session,
            officer,
            NewActivity(company.id, programmes[kind].id, date(2022, 4, 5), details=details),
        )
    assert field in info.value.fields
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_krw": -1}, "amount_krw"),
        ({"amount_krw": 10**16}, "amount_krw"),
        ({"status": "done"}, "status"),
        ({"end_on": date(2022, 4, 1)}, "end_on"),
        ({"programme_id": 9999}, "programme_id"),
        ({"company_id": 9999}, "company_id"),
    ],
)
def test_invalid_common_fields(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
    overrides: dict,
    field: str,
) -> None:
    values = {
        "company_id": company.id,
        "programme_id": programmes["mentoring"].id,
        "start_on": date(2022, 4, 5),
        "details": VALID_DETAILS["mentoring"],
        **overrides,
    }
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        svc.log_activity(session, officer, NewActivity(**values))
    assert field in info.value.fields
    assert snapshot(engine) == before


def test_batch_is_all_or_nothing_with_errors_per_row(
    engine: Engine, session: Session, officer: Actor, company: Company, programmes: dict
) -> None:
    good = NewActivity(
        company.id, programmes["mentoring"].id, date(2022, 5, 1), details=VALID_DETAILS["mentoring"]
    )
    bad = NewActivity(
        company.id, programmes["mentoring"].id, date(2022, 5, 1), details={"mentor": "M"}
    )
    before = snapshot(engine)
    with pytest.raises(BatchError) as info:
        svc.log_activities(session, officer, [good, bad, good, bad])
    assert [r.row for r in info.value.rows] == [2, 4]
    assert {e.field for e in info.value.rows[0].errors} == {"details.topic", "details.hours"}
    assert snapshot(engine) == before
    saved = svc.log_activities(session, officer, [good, good, good])
    assert len(saved) == 3
    assert session.exec(select(func.count()).select_from(Activity)).one() == 3


def test_cancel_keeps_the_row_and_blocks_edits(
    session: Session, officer: Actor, company: Company, programmes: dict
) -> None:
    activity = svc.log_activity(
        session,
        officer,
        NewActivity(
            company.id,
            programmes["mentoring"].id,
            date(2022, 5, 1),
            details=VALID_DETAILS["mentoring"],
        ),
    )
    svc.cancel_activity(session, officer, activity.id, version=activity.version, reason="중복 입력")
    row = session.get(Activity, activity.id)
    assert row.status == "cancelled"
    cancel = session.exec(select(AuditEntry).where(AuditEntry.action == "cancel")).one()
    assert (cancel.field, cancel.old_value, cancel.new_value, cancel.context) == (
        "status",
        "completed",
        "cancelled",
        "중복 입력",
    )
    with pytest.raises(ValidationError):
        svc.update_activity(
            session, officer, activity.id, version=row.version, changes={"notes": "x"}
        )


def test_activity_conflict_and_merge(
    engine: Engine,
    session: Session,
    officer: Actor,
    officer2: Actor,
    company: Company,
    programmes: dict,
) -> None:
    activity = svc.log_activity(
        session,
        officer,
        NewActivity(
            company.id,
            programmes["mentoring"].id,
            date(2022, 5, 1),
            details=VALID_DETAILS["mentoring"],
        ),
    )
    with new_session(engine) as other:
        svc.update_activity(
            other, officer2, activity.id, version=1, changes={"amount_krw": 500_000}
        )
    with pytest.raises(ConflictError):
        svc.update_activity(
            session, officer, activity.id, version=1, changes={"amount_krw": 700_000}
        )
    svc.update_activity(session, officer, activity.id, version=1, changes={"notes": "메모"})
    fresh = session.get(Activity, activity.id, populate_existing=True)
    assert (fresh.amount_krw, fresh.notes, fresh.version) == (500_000, "메모", 3)


def test_new_kind_is_data_not_code(
    session: Session, system: Actor, officer: Actor, company: Company
) -> None:
    from crm.models import SupportKind
    from crm.services.programmes import create_programme

    session.add(
        SupportKind(
            code="gpu_voucher",
            name_ko="GPU 바우처",
            name_en="GPU voucher",
            fields=[{"name": "gpu_hours", "type": "int", "required": True, "positive": True}],
        )
    )
    session.commit()
    programme = create_programme(
        session,
        system,
        name="2023 HPC",
        year=2023,
        kind="gpu_voucher",
        budget_krw=10**9,
        target_companies=5,
    )
    ok = svc.log_activity(
        session,
        officer,
        NewActivity(company.id, programme.id, date(2023, 2, 1), details={"gpu_hours": 100}),
    )
    assert ok.details == {"gpu_hours": 100}
    with pytest.raises(ValidationError) as info:
        svc.log_activity(
            session, officer, NewActivity(company.id, programme.id, date(2023, 2, 1), details={})
        )
    assert info.value.fields == {"details.gpu_hours"}
