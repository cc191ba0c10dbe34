"""The shell through AppTest: sign-in, refusals, idle expiry, language, dashboard numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from tests.app.conftest import HOME, OpenAs


def test_signed_out_home_shows_only_the_sign_in_form(app_db: Engine) -> None:
    at = AppTest.from_file(HOME, default_timeout=60).run()
    assert [t.value for t in at.title] == ["창업지원 CRM"]
    assert [i.label for i in at.text_input] == ["사용자 이름", "비밀번호"]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_sign_in_with_the_form(app_db: Engine, demo_passwords: dict[str, str]) -> None:
    at = AppTest.from_file(HOME, default_timeout=60).run()
    at.text_input(key="sign_in_username").input("analyst")
    at.text_input(key="sign_in_password").input(demo_passwords["analyst"])
    at.button[0].click().run()
    assert not at.exception
    # The dashboard is drawn in the sign-in's own run, and the form is gone from it.
    assert [t.value for t in at.title] == ["홈 대시보드"]
    assert [i.key for i in at.text_input if i.key and i.key.startswith("sign_in")] == []
    assert at.session_state["crm_actor"].username == "analyst"
    assert "sign_in_password" not in at.session_state
    # One language switch (the sidebar's), and it works right after signing in.
    assert [r.key for r in at.radio if r.key and r.key.startswith("crm_language")] == [
        "crm_language_radio"
    ]
    at.radio(key="crm_language_radio").set_value("en").run()
    assert [t.value for t in at.title] == ["Home dashboard"]


def test_sign_in_on_a_shared_link_opens_that_page(
    app_db: Engine, demo_passwords: dict[str, str]
) -> None:
    at = AppTest.from_file(HOME, default_timeout=60).run()
    at.switch_page("pages/1_Companies.py").run()
    at.text_input(key="sign_in_username").input("officer")
    at.text_input(key="sign_in_password").input(demo_passwords["officer"])
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["기업"]


def test_wrong_password_shows_error_and_no_data(app_db: Engine) -> None:
    at = AppTest.from_file(HOME, default_timeout=60).run()
    at.text_input(key="sign_in_username").input("officer")
    at.text_input(key="sign_in_password").input("not-the-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["사용자 이름 또는 비밀번호가 올바르지 않습니다."]
    assert len(at.metric) == 0


def test_dashboard_numbers_match_the_database(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("manager")
    with app_db.connect() as c:
        target = c.execute(text("SELECT target_companies FROM cohort WHERE year = 2022")).scalar()
        supported = c.execute(
            text(
                "SELECT COUNT(DISTINCT a.company_id) FROM activity a JOIN company c "
                "ON c.id = a.company_id WHERE a.status != 'cancelled' AND c.cohort_year = 2022 "
                "AND a.start_on BETWEEN '2022-01-01' AND '2022-12-31'"
            )
        ).scalar()
        executed, budget = c.execute(
            text(
                "SELECT (SELECT SUM(amount_krw) FROM activity a JOIN programme p ON "
                "p.id = a.programme_id WHERE p.year = 2022 AND a.status = 'completed'), "
                "(SELECT SUM(budget_krw) FROM programme WHERE year = 2022)"
            )
        ).one()
        hires, filed, registered = c.execute(
            text(
                "SELECT SUM(new_hires), SUM(patents_filed), SUM(patents_registered) "
                "FROM outcome_report WHERE year = 2022"
            )
        ).one()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["올해 지원 기업 수 (목표 99)"] == f"{supported} / {target}"
    assert metrics["예산 집행률"] == f"{100 * executed / budget:.1f}%"
    assert metrics["일자리 창출"] == f"{hires:,}"
    assert metrics["특허 (출원/등록)"] == f"{filed} / {registered}"
    assert target == 99


def test_quarter_choice_changes_the_quarter_table(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer")
    at.selectbox(key="home_quarter_2022").set_value(1).run()
    with app_db.connect() as c:
        q1 = c.execute(
            text(
                "SELECT COUNT(*) FROM activity WHERE status != 'cancelled' "
                "AND start_on BETWEEN '2022-01-01' AND '2022-03-31'"
            )
        ).scalar()
    table = at.dataframe[1].value
    assert int(table["지원 건수"].sum()) == q1
    assert "**2022년 1분기 유형별 지원**" in [m.value for m in at.markdown]


def test_officer_opening_accounts_page_is_refused(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/9_Accounts.py")
    assert [e.value for e in at.error] == ["이 화면을 볼 권한이 없습니다 (사업 담당자)."]
    assert len(at.dataframe) == 0 and len(at.text_input) == 0


def test_admin_adds_an_account(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("admin", "pages/9_Accounts.py")
    at.text_input[0].input("newofficer")
    at.text_input[1].input("새 담당자")
    at.text_input[2].input("a-long-password-1")
    at.button[0].click().run()
    with app_db.connect() as c:
        row = c.execute(
            text("SELECT role, password_hash FROM app_user WHERE username = 'newofficer'")
        ).one()
    assert row[0] == "officer" and row[1].startswith("$argon2")


def test_admin_add_account_invalid_shows_errors_and_writes_nothing(
    open_as: OpenAs, app_db: Engine
) -> None:
    at = open_as("admin", "pages/9_Accounts.py")
    at.text_input[0].input("Bad Name!")
    at.text_input[1].input("x")
    at.text_input[2].input("short")
    at.button[0].click().run()
    errors = [e.value for e in at.error]
    assert any("사용자 이름" in e for e in errors) and any("비밀번호" in e for e in errors)
    with app_db.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM app_user")).scalar() == 8


def test_idle_session_is_signed_out(open_as: OpenAs) -> None:
    at = open_as("manager")
    at.session_state["crm_last_seen"] = datetime.now(UTC) - timedelta(hours=3)
    at.run()
    assert "crm_actor" not in at.session_state
    assert at.info[0].value == "오랫동안 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요."
    assert len(at.metric) == 0


def test_language_switch_is_immediate_and_remembered(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer")
    at.radio[0].set_value("en").run()
    assert at.title[0].value == "Home dashboard"
    with app_db.connect() as c:
        assert (
            c.execute(text("SELECT language FROM app_user WHERE username='officer'")).scalar()
            == "en"
        )


def test_signed_out_session_cannot_reach_data_by_rerun_or_page(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/1_Companies.py")
    assert len(at.dataframe) == 1
    at.switch_page("Home.py").run()
    [b for b in at.button if b.key == "sign_out"][0].click().run()
    assert "crm_actor" not in at.session_state
    at.run()  # replaying a rerun
    assert len(at.metric) == 0 and len(at.dataframe) == 0
    at.switch_page("pages/1_Companies.py").run()
    assert [i.value for i in at.info] == ["로그인이 필요합니다."]
    assert [i.label for i in at.text_input] == ["사용자 이름", "비밀번호"]
    assert len(at.dataframe) == 0
