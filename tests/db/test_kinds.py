"""Kinds of support defined in the app (crm/services/kinds.py) on both engines: an admin adds a
kind with typed fields, activities of it are validated by its declaration, a retired field keeps
its values in history and the quarterly workbook, every change is audited in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from crm.errors import ConflictError, PermissionDenied, ValidationError
from crm.kinds.spec import kind_fields
from crm.models import Activity, AuditEntry, Cohort, Company, SupportKind
from crm.reports.options import ReportOptions
from crm.reports.workbook import write_report
from crm.services import activities as activity_service
from crm.services import history
from crm.services import kinds as svc
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.kinds import FieldInput
from crm.services.programmes import create_programme
from crm.services.reference import get_kind
from crm.ui.history import describe, history_table
from tests.db.reports_support import read_summary
from tests.support import snapshot

VOUCHER_FIELDS = (
    FieldInput("supplier", "text", "공급기관", "Supplier", required=True, max_len=20),
    FieldInput("nodes", "integer", "노드 수", "Nodes", required=True, positive=True, max=64),
    FieldInput("voucher", "money", "바우처 금액", "Voucher amount", required=True, min=0),
    FieldInput(
        "tier",
        "choice",
        "등급",
        "Tier",
        required=True,
        choices=(("basic", "기본", "Basic"), ("premium", "고급", "Premium")),
    ),
    FieldInput("issued_on", "date", "발급일", "Issued on"),
    FieldInput("gpu_hours", "hours", "GPU 시간", "GPU-hours", min=0, max=5000),
)
GOOD = {
    "supplier": "광주AI센터",
    "nodes": 4,
    "voucher": "1,500,000",
    "tier": "premium",
    "issued_on": "2022-07-01",
    "gpu_hours": 120.5,
}


def _voucher(session: Session, admin: Actor) -> SupportKind:
    kind = svc.add_kind(
        session, admin, code="voucher", name_ko="컴퓨팅 바우처", name_en="Compute voucher"
    )
    for field in VOUCHER_FIELDS:
        kind = svc.add_field(session, admin, "voucher", version=kind.version, field=field)
    return kind


def _programme_id(session: Session, system: Actor) -> int:
    programme = create_programme(
        session,
        system,
        name="2022 컴퓨팅 바우처",
        year=2022,
        kind="voucher",
        budget_krw=50_000_000,
        target_companies=5,
    )
    assert programme.id is not None
    return programme.id


def test_a_kind_with_typed_fields_validates_its_activities(
    session: Session, engine: Engine, admin: Actor, system: Actor, officer: Actor, company: Company
) -> None:
    kind = _voucher(session, admin)
    assert [(f.name, f.type) for f in kind_fields(kind)] == [
        ("supplier", "text"),
        ("nodes", "integer"),
        ("voucher", "money"),
        ("tier", "choice"),
        ("issued_on", "date"),
        ("gpu_hours", "hours"),
    ]
    assert kind.version == 1 + len(VOUCHER_FIELDS)
    pid = _programme_id(session, system)
    logged = activity_service.log_activity(
        session, officer, NewActivity(company.id, pid, date(2022, 7, 5), details=GOOD)
    )
    assert logged.details == {
        "supplier": "광주AI센터",
        "nodes": 4,
        "voucher": 1_500_000,
        "tier": "premium",
        "issued_on": "2022-07-01",
        "gpu_hours": 120.5,
    }
    before = snapshot(engine)
    bad = {
        "supplier": "가" * 21,
        "nodes": 0,
        "voucher": "백만원쯤",
        "tier": "gold",
        "issued_on": "2022-13-01",
        "gpu_hours": 6000,
    }
    with pytest.raises(ValidationError) as refused:
        activity_service.log_activity(
            session, officer, NewActivity(company.id, pid, date(2022, 7, 6), details=bad)
        )
    messages = refused.value.messages("ko")
    assert set(messages) == {f"details.{n}" for n in bad}
    assert messages["details.supplier"] == "20자 이내로 입력해 주세요."
    assert "백만원쯤" in messages["details.voucher"]  # the amount message quotes what was typed
    assert "basic" in messages["details.tier"] and "premium" in messages["details.tier"]
    with pytest.raises(ValidationError) as missing:
        activity_service.log_activity(
            session, officer, NewActivity(company.id, pid, date(2022, 7, 6), details={})
        )
    assert missing.value.fields == {
        "details.supplier",
        "details.nodes",
        "details.voucher",
        "details.tier",
    }
    assert snapshot(engine) == before


def test_retired_field_keeps_its_values_in_history_and_workbook(
    session: Session,
    admin: Actor,
    system: Actor,
    officer: Actor,
    company: Company,
    tmp_path: Path,
) -> None:
    _voucher(session, admin)
    pid = _programme_id(session, system)
    old = activity_service.log_activity(
        session,
        officer,
        NewActivity(company.id, pid, date(2022, 7, 5), amount_krw=900_000, details=GOOD),
    )
    kind = get_kind(session, "voucher")
    svc.retire_field(session, admin, "voucher", "tier", version=kind.version)
    kind = get_kind(session, "voucher")
    assert "tier" not in [f.name for f in kind_fields(kind)]  # the new-activity form's fields
    assert "tier" in [f.name for f in kind_fields(kind, include_retired=True)]
    # A new activity need not (and cannot be asked to) fill the retired required field.
    new = activity_service.log_activity(
        session,
        officer,
        NewActivity(
            company.id,
            pid,
            date(2022, 8, 1),
            details={k: v for k, v in GOOD.items() if k != "tier"},
        ),
    )
    assert "tier" not in new.details
    stored = session.get(Activity, old.id, populate_existing=True)
    assert stored is not None and stored.details["tier"] == "premium"

    said = history_table(history.company_history(session, officer, company.id), "ko")["내용"]
    created = [s for s in said.tolist() if "광주AI센터" in s]
    assert created and any("등급: 고급" in s for s in created)
    assert any("바우처 금액: 1,500,000원" in s for s in created)

    session.add(Cohort(year=2022, name="코호트", target_companies=3))
    session.commit()
    path = tmp_path / "q3.xlsx"
    write_report(session, ReportOptions(2022, 3), path, generated_by="검토자")
    book = openpyxl.load_workbook(path, data_only=True)
    assert "컴퓨팅 바우처" in book.sheetnames
    rows = list(book["컴퓨팅 바우처"].iter_rows(values_only=True))
    header = rows[0]
    assert header[9:15] == (
        "공급기관",
        "노드 수",
        "바우처 금액 (원)",
        "등급",
        "발급일",
        "GPU 시간",
    )
    by_id = {r[0]: r for r in rows[1:-1]}
    assert by_id[old.id][9:13] == ("광주AI센터", 4, 1_500_000, "고급")
    assert by_id[old.id][14] == 120.5
    assert by_id[new.id][12] is None
    assert rows[-1][0] == "합계" and rows[-1][10] == 8 and rows[-1][11] == 3_000_000
    programmes = read_summary(path)["programmes"]
    assert any(r[0] == "2022 컴퓨팅 바우처" for r in programmes)


def test_every_kind_change_is_audited_in_words(
    session: Session, admin: Actor, officer: Actor
) -> None:
    kind = svc.add_kind(
        session, admin, code="voucher", name_ko="바우처", name_en="Voucher", sort_order=9
    )
    kind = svc.edit_kind(
        session, admin, "voucher", version=kind.version, changes={"name_ko": "컴퓨팅 바우처"}
    )
    kind = svc.add_field(
        session,
        admin,
        "voucher",
        version=kind.version,
        field=FieldInput("tier", "choice", "등급", "Tier", choices=(("basic", "기본", "Basic"),)),
    )
    kind = svc.edit_field(
        session,
        admin,
        "voucher",
        version=kind.version,
        field=FieldInput(
            "tier",
            label_ko="바우처 등급",
            choices=(("premium", "고급", "Premium"),),
            retire_choices=("basic",),
        ),
    )
    kind = svc.retire_field(session, admin, "voucher", "tier", version=kind.version)
    kind = svc.restore_field(session, admin, "voucher", "tier", version=kind.version)
    assert kind.version == 6
    declared = kind_fields(kind)[0]
    assert [(c.code, c.retired) for c in declared.choices] == [("basic", True), ("premium", False)]
    assert declared.label("ko") == "바우처 등급" and declared.label("en") == "Tier"

    rows = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "support_kind").order_by(col(AuditEntry.id))
    ).all()
    assert [(r.action, r.field) for r in rows] == [
        ("create", None),
        ("update", "name_ko"),
        ("create", "fields.tier"),
        ("update", "fields.tier"),
        ("archive", "fields.tier"),
        ("restore", "fields.tier"),
    ]
    assert all(r.context == "voucher" and r.actor_id == admin.id for r in rows)
    found = history.recent_history(session, admin, limit=6)
    said = [describe(e, found.names, "ko") for e in found.entries]
    assert said == [
        "지원 유형 '컴퓨팅 바우처'의 항목 '바우처 등급'을 다시 사용합니다",
        "지원 유형 '컴퓨팅 바우처'의 항목 '바우처 등급' 사용을 중지했습니다 (저장된 값은 남음)",
        "지원 유형 '컴퓨팅 바우처'의 항목 '바우처 등급'을 고쳤습니다: "
        "이름 등급 → 바우처 등급; 선택지 기본 → 기본 (사용 중지), 고급",
        "지원 유형 '컴퓨팅 바우처'에 항목 '등급' (선택)을 추가했습니다",
        "지원 유형 '컴퓨팅 바우처'의 이름 (한국어): 바우처 → 컴퓨팅 바우처",
        "지원 유형 '컴퓨팅 바우처'를 추가했습니다",
    ]
    said_en = [describe(e, found.names, "en") for e in found.entries]
    assert said_en[3] == "Added the field 'Tier' (Choice) to the kind 'Voucher'"


def test_only_admins_change_kinds(
    session: Session, engine: Engine, admin: Actor, officer: Actor
) -> None:
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        svc.add_kind(session, officer, code="voucher", name_ko="바우처", name_en="Voucher")
    with pytest.raises(PermissionDenied):
        svc.retire_field(session, officer, "mentoring", "topic", version=None)
    assert snapshot(engine) == before


def test_kind_rules_refuse_and_write_nothing(
    session: Session, engine: Engine, admin: Actor, system: Actor, officer: Actor, company: Company
) -> None:
    kind = _voucher(session, admin)
    version = kind.version
    before = snapshot(engine)

    def refused(call: Callable[[], object]) -> set[str]:
        with pytest.raises(ValidationError) as info:
            call()
        return info.value.fields

    def add(field: FieldInput) -> Callable[[], object]:
        return lambda: svc.add_field(session, admin, "voucher", version=version, field=field)

    assert refused(
        lambda: svc.add_kind(session, admin, code="voucher", name_ko="또", name_en="Again")
    ) == {"code"}
    assert refused(
        lambda: svc.add_kind(session, admin, code="GPU-1", name_ko="", name_en="GPU")
    ) == {"code", "name_ko"}
    assert refused(add(FieldInput("nodes", "text", "노드", "Nodes"))) == {"name"}
    assert refused(add(FieldInput("colour", "colour", "색", "Colour"))) == {"type"}
    assert refused(add(FieldInput("size", "choice", "크기", None))) == {"label_en", "choices"}
    assert refused(add(FieldInput("span", "integer", "기간", "Span", min=10, max=5))) == {"max"}
    # What only numbers (or only text) take is refused for another type, not dropped.
    venue = FieldInput("venue", "text", "장소", "Venue", unit_ko="곳", max=500, positive=True)
    assert refused(add(venue)) == {"unit_ko", "max", "positive"}
    assert refused(add(FieldInput("prize", "money", "상금", "Prize", max_len=20))) == {"max_len"}
    assert snapshot(engine) == before
    # A type changes while no activity holds a value for the field, and not after.
    kind = svc.edit_field(
        session, admin, "voucher", version=version, field=FieldInput("nodes", type="decimal")
    )
    assert kind_fields(kind)[1].type == "decimal"
    pid = _programme_id(session, system)
    activity_service.log_activity(
        session, officer, NewActivity(company.id, pid, date(2022, 7, 5), details=GOOD)
    )
    kind = get_kind(session, "voucher")
    changed = FieldInput("nodes", type="text")
    assert refused(
        lambda: svc.edit_field(session, admin, "voucher", version=kind.version, field=changed)
    ) == {"type"}


def test_an_emptied_limit_is_removed(session: Session, admin: Actor) -> None:
    kind = svc.add_kind(session, admin, code="pitch", name_ko="피칭", name_en="Pitching")
    people = FieldInput("people", "integer", "인원", "People", min=0, max=500, unit_ko="명")
    kind = svc.add_field(session, admin, "pitch", version=kind.version, field=people)
    # An edit that does not send the limits keeps them.
    kind = svc.edit_field(
        session, admin, "pitch", version=kind.version, field=FieldInput("people", label_en="Guests")
    )
    assert (kind_fields(kind)[0].min, kind_fields(kind)[0].max) == (0, 500)
    # The edit form sends them as they stand: an emptied one is no limit.
    emptied = FieldInput("people", min=0, max=None, limits_given=True)
    kind = svc.edit_field(session, admin, "pitch", version=kind.version, field=emptied)
    field = kind_fields(kind)[0]
    assert (field.min, field.max, field.label_en, field.unit_ko) == (0, None, "Guests", "명")


def test_a_stale_kind_save_is_refused(session: Session, admin: Actor) -> None:
    kind = svc.add_kind(session, admin, code="voucher", name_ko="바우처", name_en="Voucher")
    opened = kind.version
    svc.edit_kind(session, admin, "voucher", version=opened, changes={"name_en": "Compute voucher"})
    with pytest.raises(ConflictError):
        svc.edit_kind(session, admin, "voucher", version=opened, changes={"name_ko": "GPU 바우처"})
    with pytest.raises(ConflictError):
        svc.add_field(
            session, admin, "voucher", version=opened, field=FieldInput("a", "text", "가", "A")
        )
    fresh = get_kind(session, "voucher")
    session.refresh(fresh)
    assert (fresh.name_ko, fresh.name_en, fresh.fields) == ("바우처", "Compute voucher", [])
    count = session.exec(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "support_kind")
    ).one()
    assert count == 2


def test_a_retired_option_is_kept_by_old_activities_and_never_chosen_anew(
    session: Session, admin: Actor, system: Actor, officer: Actor, company: Company
) -> None:
    kind = _voucher(session, admin)
    pid = _programme_id(session, system)
    old = activity_service.log_activity(
        session, officer, NewActivity(company.id, pid, date(2022, 7, 5), details=GOOD)
    )
    svc.edit_field(
        session,
        admin,
        "voucher",
        version=kind.version,
        field=FieldInput("tier", retire_choices=("premium",)),
    )
    engine = session.get_bind()
    before = snapshot(engine)
    with pytest.raises(ValidationError) as refused:  # a new entry cannot pick it
        activity_service.log_activity(
            session, officer, NewActivity(company.id, pid, date(2022, 8, 1), details=GOOD)
        )
    assert set(refused.value.fields) == {"details.tier"}
    assert snapshot(engine) == before
    # The old activity keeps it through an edit of another field...
    kept = activity_service.update_activity(
        session, officer, old.id, version=old.version, changes={"amount_krw": 700_000}
    )
    assert kept.details["tier"] == "premium" and kept.amount_krw == 700_000
    # ...but an edit cannot switch another activity's option to it.
    other = activity_service.log_activity(
        session,
        officer,
        NewActivity(company.id, pid, date(2022, 8, 2), details={**GOOD, "tier": "basic"}),
    )
    with pytest.raises(ValidationError):
        activity_service.update_activity(
            session,
            officer,
            other.id,
            version=other.version,
            changes={"details": {**GOOD, "tier": "premium"}},
        )
