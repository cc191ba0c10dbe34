"""The Support kinds page (admins): add a kind, add a field to it, retire a field; other roles
are refused."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.app.conftest import OpenAs
from tests.app.helpers import expand, row, scalar, submit


def test_admin_adds_a_kind_and_a_field(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("admin", "pages/8_Kinds.py")
    assert at.title[0].value == "지원 유형"
    at.text_input(key="kind_add_code").input("voucher")
    at.text_input(key="kind_add_ko").input("컴퓨팅 바우처")
    at.text_input(key="kind_add_en").input("Compute voucher")
    submit(at, "유형 추가")
    assert [s.value for s in at.success] == ["지원 유형 '컴퓨팅 바우처'를 추가했습니다."]
    assert tuple(
        row(app_db, "SELECT name_ko, name_en, version FROM support_kind WHERE code = 'voucher'")
    ) == (
        "컴퓨팅 바우처",
        "Compute voucher",
        1,
    )
    at.selectbox(key="kind_pick").set_value("voucher").run()
    assert "아직 항목이 없습니다. 아래에서 추가하세요." in [i.value for i in at.info]
    prefix = "kind_field_add_voucher"
    at.text_input(key=f"{prefix}_name").input("tier")
    at.selectbox(key=f"{prefix}_type").set_value("choice")
    at.text_input(key=f"{prefix}_ko").input("등급")
    at.text_input(key=f"{prefix}_en").input("Tier")
    at.checkbox(key=f"{prefix}_required").check()
    at.text_area(key=f"{prefix}_choices").input("basic = 기본 / Basic\npro = 고급 / Pro")
    submit(at, "항목 추가")
    assert [s.value for s in at.success] == ["항목 '등급'을 추가했습니다."]
    table = at.dataframe[0].value
    assert table.iloc[0].tolist() == ["등급", "선택", "예", "", "", "기본, 고급", "사용 중"]
    assert (
        scalar(
            app_db,
            "SELECT COUNT(*) FROM audit_entry WHERE entity = 'support_kind' AND context = 'voucher'",
        )
        == 2
    )


def test_a_refused_field_says_why_and_writes_nothing(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("admin", "pages/8_Kinds.py")
    at.selectbox(key="kind_pick").set_value("equipment").run()
    prefix = "kind_field_add_equipment"
    at.text_input(key=f"{prefix}_name").input("size")
    at.selectbox(key=f"{prefix}_type").set_value("choice")
    at.text_input(key=f"{prefix}_ko").input("크기")
    submit(at, "항목 추가")
    assert [e.value for e in at.error] == [
        "이름 (영어): 필수 항목입니다.",
        "선택지: 선택 형식에는 사용 중인 선택지가 하나 이상 있어야 합니다.",
    ]
    at.text_input(key=f"{prefix}_en").input("Size")
    at.text_area(key=f"{prefix}_choices").input("small 작은")
    submit(at, "항목 추가")
    assert [e.value for e in at.error] == [
        "선택지를 읽을 수 없습니다: 'small 작은'. '코드 = 한국어 / 영어'로 적으세요."
    ]
    assert scalar(app_db, "SELECT COUNT(*) FROM audit_entry WHERE entity = 'support_kind'") == 0
    assert scalar(app_db, "SELECT version FROM support_kind WHERE code = 'equipment'") == 1


def test_officer_cannot_open_the_kinds_page(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/8_Kinds.py")
    assert [e.value for e in at.error] == ["이 화면을 볼 권한이 없습니다 (사업 담당자)."]
    assert len(at.selectbox) == 0 and len(at.text_input) == 0


def test_admin_retires_a_field_and_its_activities_keep_their_values(
    open_as: OpenAs, app_db: Engine
) -> None:
    import json

    kept = scalar(app_db, "SELECT COUNT(*) FROM activity WHERE details LIKE '%\"purpose\"%'")
    assert kept > 0  # the demo's equipment activities
    at = open_as("admin", "pages/8_Kinds.py")
    at.selectbox(key="kind_pick").set_value("equipment").run()
    at.selectbox(key="kind_field_pick_equipment").set_value("purpose").run()
    at.button(key="kind_field_toggle_equipment_purpose").click().run()
    assert [s.value for s in at.success] == [
        "항목 '사용 목적'의 사용을 중지했습니다. 저장된 값은 그대로 남습니다."
    ]
    fields = json.loads(scalar(app_db, "SELECT fields FROM support_kind WHERE code = 'equipment'"))
    assert [f["name"] for f in fields if f.get("retired")] == ["purpose"]
    assert at.dataframe[0].value.iloc[1].tolist()[-1] == "사용 중지"
    assert (
        scalar(app_db, "SELECT COUNT(*) FROM activity WHERE details LIKE '%\"purpose\"%'") == kept
    )


def test_the_new_activity_form_follows_the_declaration(open_as: OpenAs, app_db: Engine) -> None:
    """Equipment's inputs are its declared fields with their labels and choice labels; after
    the admin retires a field the form no longer offers it."""
    from sqlmodel import Session

    from crm.services.actor import actor_by_username
    from crm.services.kinds import retire_field
    from crm.services.reference import get_kind

    programme = scalar(app_db, "SELECT id FROM programme WHERE kind = 'equipment' LIMIT 1")

    def labels() -> tuple[list[str], list[str], list[str]]:
        at = expand(open_as("officer", "pages/2_Support_log.py"), "sl_entry_open")
        at.selectbox(key="sl_new_programme").set_value(programme).run()
        equipment = at.selectbox(key="sl_new_equipment")
        shown = [equipment.format_func(o) for o in equipment.options]  # type: ignore[attr-defined]
        return [t.label for t in at.text_input], [n.label for n in at.number_input], shown

    texts, numbers, choices = labels()
    assert "사용 목적 *" in texts and "사용 일수 *" in numbers
    assert choices[:2] == ["자율주행 가상 시험 장비", "전기차 배터리 시험기"]
    with Session(app_db) as s:
        admin = actor_by_username(s, "admin")
        retire_field(s, admin, "equipment", "purpose", version=get_kind(s, "equipment").version)
    texts, numbers, _ = labels()
    assert not [t for t in texts if t.startswith("사용 목적")] and "사용 일수 *" in numbers
