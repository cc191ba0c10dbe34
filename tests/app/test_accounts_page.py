"""Accounts page edits send only the fields changed, with the version the form was opened at."""

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
