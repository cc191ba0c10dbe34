"""Page saves through save_then_rerun: only the changed fields, with the version the form was
opened at (a save over a newer one that changed the same field is refused and reloads)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.app.conftest import OpenAs
from tests.app.helpers import scalar, submit


def _edit_form_name(at) -> object:  # noqa: ANN001
    return next(t for t in at.text_input if t.label == "표시 이름" and t.value != "")


def test_edit_sends_only_the_changed_field(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("admin", "pages/9_Accounts.py")
    at.selectbox(key="edit_user").set_value("officer").run()
    user_id = scalar(app_db, "SELECT id FROM app_user WHERE username = 'officer'")
    before = scalar(app_db, "SELECT COUNT(*) FROM audit_entry WHERE entity = 'app_user'")
    _edit_form_name(at).input("새 표시 이름")
    submit(at, "저장")
    assert [s.value for s in at.success] == ["저장했습니다."]
    with app_db.connect() as c:
        fields = c.execute(
            text(
                "SELECT field, new_value FROM audit_entry WHERE entity = 'app_user' "
                "AND entity_id = :i ORDER BY id"
            ),
            {"i": user_id},
        ).all()
    assert scalar(app_db, "SELECT COUNT(*) FROM audit_entry WHERE entity = 'app_user'") == (
        before + 1
    )
    assert [tuple(r) for r in fields][-1] == ("display_name", "새 표시 이름")


def test_saving_an_unchanged_account_writes_nothing(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("admin", "pages/9_Accounts.py")
    at.selectbox(key="edit_user").set_value("officer").run()
    version = scalar(app_db, "SELECT version FROM app_user WHERE username = 'officer'")
    submit(at, "저장")
    assert "바뀐 내용이 없습니다." in [i.value for i in at.info]
    assert scalar(app_db, "SELECT version FROM app_user WHERE username = 'officer'") == version


def test_stale_cohort_target_shows_the_reload_message(open_as: OpenAs, app_db: Engine) -> None:
    from sqlmodel import Session

    from crm.services.actor import actor_by_username
    from crm.services.programmes import set_cohort_target

    at = open_as("manager", "pages/2_Support_log.py")
    with Session(app_db) as s:  # someone else saves the target after the page was drawn
        version = scalar(app_db, "SELECT version FROM cohort WHERE year = 2022")
        set_cohort_target(
            s, actor_by_username(s, "admin"), year=2022, target_companies=77, version=version
        )
    at.number_input(key="pm_cohort_2022").set_value(120)
    submit(at, "저장", index=0)
    assert [e.value for e in at.error] == [
        "그 사이 다른 사용자가 저장했습니다. 최신 값을 불러온 뒤 다시 시도하세요."
    ]
    assert scalar(app_db, "SELECT target_companies FROM cohort WHERE year = 2022") == 77


def test_stale_account_edit_is_refused_and_the_form_reloads(
    open_as: OpenAs, app_db: Engine
) -> None:
    from sqlmodel import Session

    from crm.services.actor import actor_by_username
    from crm.services.users import update_user

    at = open_as("admin", "pages/9_Accounts.py")
    at.selectbox(key="edit_user").set_value("officer").run()
    user_id = scalar(app_db, "SELECT id FROM app_user WHERE username = 'officer'")
    with Session(app_db) as s:  # another admin renames the account meanwhile
        version = scalar(app_db, "SELECT version FROM app_user WHERE id = :i", i=user_id)
        update_user(
            s,
            actor_by_username(s, "admin"),
            user_id,
            version=version,
            changes={"display_name": "다른 관리자가 바꾼 이름"},
        )
    _edit_form_name(at).input("내가 바꾼 이름")
    submit(at, "저장")
    assert "그 사이 다른 사용자가 저장했습니다. 최신 값을 불러온 뒤 다시 시도하세요." in [
        e.value for e in at.error
    ]
    name = "SELECT display_name FROM app_user WHERE id = :i"
    assert scalar(app_db, name, i=user_id) == "다른 관리자가 바꾼 이름"
    at.run()  # reloaded: the form shows the latest name
    assert _edit_form_name(at).value == "다른 관리자가 바꾼 이름"


def test_admin_ends_a_sign_in(open_as: OpenAs, app_db: Engine) -> None:
    from sqlmodel import Session

    from crm.services import sessions
    from crm.services.actor import actor_by_username

    with Session(app_db) as s:
        ticket = sessions.create_session(s, actor_by_username(s, "officer"))
    at = open_as("admin", "pages/9_Accounts.py")
    picker = next(b for b in at.selectbox if b.label == "종료할 로그인")
    picker.set_value(ticket.id).run()
    submit(at, "선택한 로그인 종료")
    name = scalar(app_db, "SELECT display_name FROM app_user WHERE username = 'officer'")
    assert [s.value for s in at.success] == [f"{name}의 로그인 하나를 종료했습니다."]
    revoked = "SELECT revoked_at IS NOT NULL FROM user_session WHERE id = :i"
    assert scalar(app_db, revoked, i=ticket.id)
