"""Support log page through AppTest: filters, new entry with the budget warning, edit, cancel."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from crm.ui import activity_form
from tests.app.conftest import OpenAs
from tests.app.helpers import captions, expand, row, scalar, submit
from tests.support import snapshot


def test_kind_filter_counts_match_database(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("manager", "pages/2_Support_log.py")
    at.multiselect(key="sl_kind").set_value(["overseas"]).run()
    n, krw = row(
        app_db,
        "SELECT COUNT(*), (SELECT SUM(a2.amount_krw) FROM activity a2 JOIN programme p2 ON "
        "p2.id = a2.programme_id WHERE p2.kind = 'overseas' AND a2.status != 'cancelled') "
        "FROM activity a JOIN programme p ON p.id = a.programme_id WHERE p.kind = 'overseas'",
    )
    assert any(c.startswith(f"{n:,}건 · 합계 {krw:,}원") for c in captions(at))


def test_new_entry_over_budget_warns_first(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer", "pages/2_Support_log.py")
    mentoring = scalar(app_db, "SELECT id FROM programme WHERE kind = 'mentoring'")
    expand(at, "sl_entry_open").selectbox(key="sl_new_programme").set_value(mentoring).run()
    at.selectbox(key="sl_new_company").set_value(9)
    at.date_input(key="sl_new_start").set_value(date(2022, 12, 1))
    at.text_input(key="sl_new_amount").input("100억")
    at.text_input(key="sl_new_mentor").input("멘토 A")
    at.text_input(key="sl_new_topic").input("IR")
    at.number_input(key="sl_new_hours").set_value(2.0)
    before = snapshot(app_db)
    submit(at, "지원 기록")
    assert any("예산" in w.value for w in at.warning)
    assert snapshot(app_db) == before
    at.checkbox(key="sl_new_confirm").check()
    submit(at, "지원 기록")
    assert scalar(app_db, "SELECT COUNT(*) FROM activity WHERE amount_krw = 10000000000") == 1


def test_edit_and_cancel_an_activity(open_as: OpenAs, app_db: Engine) -> None:
    activity_id = scalar(app_db, "SELECT MIN(id) FROM activity WHERE status = 'completed'")
    at = open_as("officer", "pages/2_Support_log.py")
    at.query_params["activity"] = str(activity_id)
    at.run()
    company, programme, day = row(
        app_db,
        "SELECT c.name_ko, p.name, a.start_on FROM activity a JOIN company c ON c.id = a.company_id "
        "JOIN programme p ON p.id = a.programme_id WHERE a.id = :i",
        i=activity_id,
    )
    day = str(day).replace("-", ".")
    heading = f"**선택한 지원 내역 수정: {company} · {day} · {programme}**"
    assert heading in [m.value for m in at.markdown]  # names and the date, not the row's id
    prefix = f"ea{activity_id}"
    before = snapshot(app_db)
    at.date_input(key=f"{prefix}_end").set_value(date(2021, 1, 1))
    submit(at, "저장")
    assert ":red[종료일은 시작일보다 빠를 수 없습니다.]" in captions(at)
    assert snapshot(app_db) == before
    at.date_input(key=f"{prefix}_end").set_value(None)
    at.text_input(key=f"{prefix}_amount").input("12만 3천")
    submit(at, "저장")
    assert scalar(app_db, "SELECT amount_krw FROM activity WHERE id = :i", i=activity_id) == 123_000
    at.text_input(key=f"{prefix}.1_reason").input("중복 입력")  # new generation after the save
    submit(at, "지원 취소")
    assert row(app_db, "SELECT status, version FROM activity WHERE id = :i", i=activity_id) == (
        "cancelled",
        3,
    )
    assert (
        scalar(
            app_db,
            "SELECT context FROM audit_entry WHERE action='cancel' AND entity_id=:i",
            i=activity_id,
        )
        == "중복 입력"
    )


def test_quick_entry_with_no_rows_says_so(open_as: OpenAs, app_db: Engine) -> None:
    at = expand(open_as("officer", "pages/2_Support_log.py"), "sl_quick_entry_open")
    count = scalar(app_db, "SELECT COUNT(*) FROM activity")
    submit(at, "일괄 저장")
    assert "저장할 행이 없습니다." in [i.value for i in at.info]
    assert scalar(app_db, "SELECT COUNT(*) FROM activity") == count


def test_analyst_support_log_is_read_only(open_as: OpenAs) -> None:
    at = open_as("analyst", "pages/2_Support_log.py")
    assert not [e for e in at.expander if e.label in ("새 지원 기록", "하루 멘토링 일괄 입력")]
    assert not [b for b in at.button if b.label == "지원 기록"]


def test_closed_quarter_edit_is_a_restatement_with_a_reason(
    open_as: OpenAs, app_db: Engine
) -> None:
    from sqlmodel import Session

    from crm.services.actor import actor_by_username
    from crm.services.quarters import close_quarter

    with Session(app_db) as s:
        close_quarter(s, actor_by_username(s, "manager"), 2022, 1)
    activity_id = scalar(
        app_db,
        "SELECT MIN(id) FROM activity WHERE status = 'completed' AND start_on < '2022-04-01'",
    )
    officer = open_as("officer", "pages/2_Support_log.py")
    officer.query_params["activity"] = str(activity_id)
    officer.run()
    assert [i.value for i in officer.info] == [
        "2022년 1분기는 마감되었습니다. 정정은 사업 관리자에게 요청하세요."
    ]
    at = open_as("manager", "pages/2_Support_log.py")
    at.query_params["activity"] = str(activity_id)
    at.run()
    company, programme, day = row(
        app_db,
        "SELECT c.name_ko, p.name, a.start_on FROM activity a JOIN company c ON c.id = a.company_id "
        "JOIN programme p ON p.id = a.programme_id WHERE a.id = :i",
        i=activity_id,
    )
    day = str(day).replace("-", ".")
    heading = f"**선택한 지원 내역 수정: {company} · {day} · {programme}**"
    assert heading in [m.value for m in at.markdown]  # names and the date, not the row's id
    prefix = f"ea{activity_id}"
    before = snapshot(app_db)
    at.text_input(key=f"{prefix}_amount").input("777,000")
    submit(at, "저장")
    assert snapshot(app_db) == before  # no reason: refused
    at.text_input(key=f"{prefix}_restate_reason").input("영수증 금액 정정")
    submit(at, "저장")
    assert scalar(app_db, "SELECT amount_krw FROM activity WHERE id = :i", i=activity_id) == 777_000
    assert row(app_db, "SELECT entity, reason FROM restatement") == ("activity", "영수증 금액 정정")
    assert (
        scalar(
            app_db,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'restate' AND entity_id = :i",
            i=activity_id,
        )
        == 1
    )


def test_date_outside_the_programme_year_warns_first(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer", "pages/2_Support_log.py")
    mentoring = scalar(app_db, "SELECT id FROM programme WHERE kind = 'mentoring'")
    expand(at, "sl_entry_open").selectbox(key="sl_new_programme").set_value(mentoring).run()
    assert (
        at.date_input(key="sl_new_start").value.year == 2022
    )  # the default stays in the programme's year
    at.selectbox(key="sl_new_company").set_value(9)
    at.date_input(key="sl_new_start").set_value(date(2026, 1, 5))
    at.text_input(key="sl_new_mentor").input("멘토 A")
    at.text_input(key="sl_new_topic").input("IR")
    at.number_input(key="sl_new_hours").set_value(2.0)
    before = snapshot(app_db)
    submit(at, "지원 기록")
    assert any("2022년 지원사업인데 시작일이 2022년 밖입니다" in w.value for w in at.warning)
    assert snapshot(app_db) == before
    at.checkbox(key="sl_new_confirm").check()
    submit(at, "지원 기록")
    assert scalar(app_db, "SELECT COUNT(*) FROM activity WHERE start_on = '2026-01-05'") == 1


def test_manager_sets_budget_target_and_adds_a_programme(open_as: OpenAs, app_db: Engine) -> None:
    officer = open_as("officer", "pages/2_Support_log.py")
    assert not [e for e in officer.expander if e.label == "지원사업 예산·목표 관리"]
    at = open_as("manager", "pages/2_Support_log.py")
    first = scalar(app_db, "SELECT id FROM programme WHERE year = 2022 ORDER BY kind, name LIMIT 1")
    at.text_input(key=f"pm_edit{first}_budget").input("10억")
    submit(at, "저장", index=1)
    assert (
        scalar(app_db, "SELECT budget_krw FROM programme WHERE id = :i", i=first) == 1_000_000_000
    )
    at.number_input(key="pm_cohort_2022").set_value(120)
    submit(at, "저장", index=0)
    assert scalar(app_db, "SELECT target_companies FROM cohort WHERE year = 2022") == 120
    before = snapshot(app_db)
    submit(at, "지원사업 추가")  # no name: refused with a message
    assert any(e.value.startswith("지원사업명:") for e in at.error)
    assert snapshot(app_db) == before
    at.text_input(key="pm_new_name").input("2022 HPC 컴퓨팅 지원")
    at.text_input(key="pm_new_budget").input("5억")
    submit(at, "지원사업 추가")
    assert (
        scalar(app_db, "SELECT budget_krw FROM programme WHERE name = '2022 HPC 컴퓨팅 지원'")
        == 500_000_000
    )


def test_amount_that_cannot_be_read_is_refused_with_a_message(
    open_as: OpenAs, app_db: Engine
) -> None:
    activity_id = scalar(app_db, "SELECT MAX(id) FROM activity WHERE status = 'completed'")
    at = open_as("officer", "pages/2_Support_log.py")
    at.query_params["activity"] = str(activity_id)
    at.run()
    before = snapshot(app_db)
    at.text_input(key=f"ea{activity_id}_amount").input("5억쯤")
    submit(at, "저장")
    assert (
        ":red[금액을 읽을 수 없습니다: '5억쯤'. 1,200,000 · 120만원 · 1.2억처럼 입력하세요.]"
        in captions(at)
    )  # the same examples as the field's hint, not "enter a whole number"
    assert at.text_input(key=f"ea{activity_id}_amount").value == "5억쯤"  # kept on screen
    assert snapshot(app_db) == before


def _fill_mentoring(at: AppTest, app_db: Engine, day: date, amount: str = "30만원") -> int:
    mentoring = scalar(app_db, "SELECT id FROM programme WHERE kind = 'mentoring'")
    expand(at, "sl_entry_open").selectbox(key="sl_new_programme").set_value(mentoring).run()
    at.selectbox(key="sl_new_company").set_value(9)
    at.date_input(key="sl_new_start").set_value(day)
    at.text_input(key="sl_new_amount").input(amount)
    at.text_input(key="sl_new_mentor").input("멘토 A")
    at.text_input(key="sl_new_topic").input("IR")
    at.number_input(key="sl_new_hours").set_value(2.0)
    return mentoring


def test_programme_picker_keeps_the_chosen_programme_after_a_save(
    open_as: OpenAs, app_db: Engine
) -> None:
    at = expand(open_as("officer", "pages/2_Support_log.py"), "sl_entry_open")
    first = at.selectbox(key="sl_new_programme").value
    mentoring = _fill_mentoring(at, app_db, date(2022, 12, 1))
    assert mentoring != first  # the list starts with another programme
    sql = "SELECT COUNT(*) FROM activity WHERE programme_id = :p AND amount_krw = 300000"
    before = scalar(app_db, sql, p=mentoring)
    submit(at, "지원 기록")
    assert [s.value for s in at.success] == ["지원 내역을 기록했습니다."]
    assert scalar(app_db, sql, p=mentoring) == before + 1
    assert at.selectbox(key="sl_new.1_programme").value == mentoring
    assert at.text_input(key="sl_new.1_mentor").value == ""  # the rest of the form is fresh


def _close_q1(app_db: Engine) -> None:
    from sqlmodel import Session

    from crm.services.actor import actor_by_username
    from crm.services.quarters import close_quarter

    with Session(app_db) as s:
        close_quarter(s, actor_by_username(s, "manager"), 2022, 1)


def test_officer_new_activity_in_a_closed_quarter_is_told_to_ask_a_manager(
    open_as: OpenAs, app_db: Engine
) -> None:
    _close_q1(app_db)
    at = open_as("officer", "pages/2_Support_log.py")
    _fill_mentoring(at, app_db, date(2022, 2, 14))
    before = snapshot(app_db)
    submit(at, "지원 기록")
    assert (
        ":red[2022년 1분기는 마감되어 새 지원을 기록할 수 없습니다. 빠진 지원은 사업 관리자에게 "
        "정정으로 추가해 달라고 요청하세요.]"
    ) in captions(at)
    assert not any("사유" in c for c in captions(at) if "관리자에게" not in c)
    assert not [t for t in at.text_input if t.key and t.key.endswith("restate_reason")]
    assert snapshot(app_db) == before


def test_manager_adds_a_missed_activity_to_a_closed_quarter_with_a_reason(
    open_as: OpenAs, app_db: Engine
) -> None:
    _close_q1(app_db)
    at = open_as("manager", "pages/2_Support_log.py")
    _fill_mentoring(at, app_db, date(2022, 2, 14), amount="45만원")
    before = snapshot(app_db)
    submit(at, "지원 기록")
    assert [w.value for w in at.warning if "마감" in w.value] == [
        "2022년 1분기는 마감되었습니다. 아래에 정정 사유를 입력하고 다시 저장하면 정정으로 추가됩니다."
    ]
    reason = at.text_input(key="sl_new_restate_reason")
    assert reason.label == "정정 사유 (마감된 분기) *"
    assert snapshot(app_db) == before
    submit(at, "지원 기록")  # still no reason: refused under the reason field
    assert ":red[필수 항목입니다.]" in captions(at)
    assert snapshot(app_db) == before
    at.text_input(key="sl_new_restate_reason").input("마감 전 누락된 멘토링")
    submit(at, "지원 기록")
    assert [s.value for s in at.success] == ["정정으로 저장했습니다."]
    new_id, amount = row(
        app_db,
        "SELECT id, amount_krw FROM activity WHERE start_on = '2022-02-14' "
        "AND company_id = 9 AND amount_krw = 450000",
    )
    assert amount == 450_000
    assert row(app_db, "SELECT entity, entity_id, reason FROM restatement") == (
        "activity",
        new_id,
        "마감 전 누락된 멘토링",
    )


def test_new_form_unreadable_amount_gets_the_hint_message(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer", "pages/2_Support_log.py")
    _fill_mentoring(at, app_db, date(2022, 12, 1), amount="오백만원쯤")
    before = snapshot(app_db)
    submit(at, "지원 기록")
    assert (
        ":red[금액을 읽을 수 없습니다: '오백만원쯤'. 1,200,000 · 120만원 · 1.2억처럼 입력하세요.]"
        in captions(at)
    )
    assert at.text_input(key="sl_new_amount").placeholder == "예: 1,200,000 · 120만원 · 1.2억"
    assert snapshot(app_db) == before


def test_amount_fields_explain_which_amount_counts(open_as: OpenAs, app_db: Engine) -> None:
    at = expand(open_as("officer", "pages/2_Support_log.py"), "sl_entry_open")
    assert "집행액" in at.text_input(key="sl_new_amount").help
    overseas = scalar(app_db, "SELECT id FROM programme WHERE kind = 'overseas'")
    expand(at, "sl_entry_open").selectbox(key="sl_new_programme").set_value(overseas).run()
    assert "집행액에는 들어가지 않습니다" in at.text_input(key="sl_new_contract_amount").help
    prototyping = scalar(app_db, "SELECT id FROM programme WHERE kind = 'prototyping'")
    expand(at, "sl_entry_open").selectbox(key="sl_new_programme").set_value(prototyping).run()
    assert "'금액 (원)'" in at.text_input(key="sl_new_budget").help
    at.selectbox(key="sl_new_company").set_value(9)
    at.date_input(key="sl_new_start").set_value(date(2022, 12, 2))
    at.text_input(key="sl_new_vendor").input("정밀가공")
    at.text_input(key="sl_new_deliverable").input("보드 시제품")
    at.text_input(key="sl_new_budget").input("3천만원")  # the general amount left blank
    submit(at, "지원 기록")
    if at.checkbox:  # over the programme's budget in the demo: confirm, as an officer would
        at.checkbox(key="sl_new_confirm").check()
        submit(at, "지원 기록")
    assert (
        scalar(
            app_db,
            "SELECT amount_krw FROM activity WHERE start_on = '2022-12-02' AND company_id = 9",
        )
        == 30_000_000
    )


def test_quick_entry_has_one_date_for_the_day(open_as: OpenAs, app_db: Engine) -> None:
    at = expand(open_as("officer", "pages/2_Support_log.py"), "sl_quick_entry_open")
    day = at.date_input(key="qe_day")
    assert day.label == "세션 날짜 (모든 행)"
    assert day.value.year == 2022  # inside the mentoring programme's year
    assert "모든 행이 이 날짜로" in day.help


def test_closed_entry_sections_send_no_company_list(open_as: OpenAs, app_db: Engine) -> None:
    """A closed section does not run: at 10,000 companies each picker would send every name."""
    companies = scalar(app_db, "SELECT COUNT(*) FROM company WHERE NOT archived")
    at = open_as("officer", "pages/2_Support_log.py")
    assert [e.label for e in at.expander][-2:] == ["새 지원 기록", "하루 멘토링 일괄 입력"]
    assert [s.key for s in at.selectbox if len(s.options) >= companies] == []
    assert "qe_day" not in [d.key for d in at.date_input]
    expand(at, "sl_entry_open")
    assert len(at.selectbox(key="sl_new_company").options) == companies
    assert "qe_day" not in [d.key for d in at.date_input]


def test_a_long_company_list_is_searched_first(
    open_as: OpenAs, app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above SEARCH_FIRST companies the picker offers the matches of a search, not every name
    (10 here, for the demo's 164; 1,000 in the app)."""
    monkeypatch.setattr(activity_form, "SEARCH_FIRST", 10)
    at = expand(open_as("officer", "pages/2_Support_log.py"), "sl_entry_open")
    mentoring = scalar(app_db, "SELECT id FROM programme WHERE kind = 'mentoring'")
    at.selectbox(key="sl_new_programme").set_value(mentoring).run()
    assert len(at.selectbox(key="sl_new_company").options) == 50  # not all of them
    at.text_input(key="sl_new_company_search").input("금남 로보").run()  # spaces ignored
    with app_db.connect() as conn:
        names = dict(conn.execute(text("SELECT id, name_ko FROM company WHERE NOT archived")).all())
    wanted = {cid: name for cid, name in names.items() if "금남로보" in name.replace(" ", "")}
    picker = at.selectbox(key="sl_new_company")
    assert wanted and set(picker.options) == set(wanted.values())
    company_id = next(iter(wanted))
    picker.set_value(company_id).run()
    at.date_input(key="sl_new_start").set_value(date(2022, 12, 2))
    at.text_input(key="sl_new_mentor").input("멘토 B")
    at.text_input(key="sl_new_topic").input("picked by search")
    at.number_input(key="sl_new_hours").set_value(1.0)
    submit(at, "지원 기록")
    assert [s.value for s in at.success] == ["지원 내역을 기록했습니다."]
    saved = scalar(
        app_db,
        "SELECT company_id FROM activity WHERE details LIKE '%picked by search%'",
    )
    assert saved == company_id


def test_a_new_activity_without_a_company_asks_for_one(open_as: OpenAs, app_db: Engine) -> None:
    """It said "company #0을(를) 찾을 수 없습니다" (a raw code and a made-up id)."""
    at = open_as("officer", "pages/2_Support_log.py")
    _fill_mentoring(at, app_db, date(2022, 11, 15))
    at.selectbox(key="sl_new_company").set_value(None)
    before = snapshot(app_db)
    submit(at, "지원 기록")
    shown = captions(at) + [e.value for e in at.error]
    assert ":red[필수 항목입니다.]" in shown
    assert not [s for s in shown if "#0" in s or "company" in s]
    assert snapshot(app_db) == before


def test_a_missing_record_is_named_in_words() -> None:
    from crm.errors import FieldError, NotFound

    assert NotFound(entity="company", id=5).message("ko") == (
        "기업 #5을(를) 찾을 수 없습니다. 목록에서 다시 선택해 주세요."
    )
    assert FieldError("company_id", "error.not_found", {"entity": "activity", "id": 3}).message(
        "en"
    ) == ("Activity #3 was not found. Pick it again from the list.")
