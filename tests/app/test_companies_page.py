"""Companies page forms through AppTest, each with valid and invalid input, database asserted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from crm.services import companies
from crm.services.actor import actor_by_username
from tests.app.conftest import OpenAs
from tests.app.helpers import captions, row, scalar, submit
from tests.support import snapshot


def _open_company(open_as: OpenAs, username: str, company_id: int, tab: str = "profile") -> object:
    """The company page on `tab` (only the open tab is drawn), as its address opens it."""
    at = open_as(username, "pages/1_Companies.py")
    at.query_params["company"] = str(company_id)
    at.query_params["tab"] = tab
    at.run()
    assert not at.exception
    return at


def test_list_filters_and_counts(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer", "pages/1_Companies.py")
    total = scalar(app_db, "SELECT COUNT(*) FROM company WHERE archived = 0")
    pages = -(-total // 50)  # 50 a page by default
    assert f"{total}개 기업 · 1/{pages} 페이지" in captions(at)
    at.multiselect(key="co_stage").set_value(["growth"]).run()
    growth = scalar(
        app_db,
        "SELECT COUNT(*) FROM company c WHERE (SELECT stage FROM stage_entry s WHERE "
        "s.company_id = c.id ORDER BY entered_on DESC, id DESC LIMIT 1) = 'growth'",
    )
    assert f"{growth}개 기업 · 1/{-(-growth // 50)} 페이지" in captions(at)
    assert len(at.dataframe[0].value) == min(growth, 50)


def test_analyst_list_is_masked_and_read_only(open_as: OpenAs) -> None:
    at = open_as("analyst", "pages/1_Companies.py")
    table = at.dataframe[0].value
    assert set(table["전화번호"]) == {"●●●"}
    assert all(v.endswith("*") for v in table["대표자"])
    assert not [e for e in at.expander if e.label == "새 기업 등록"]


def test_create_pre_startup_company(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("officer", "pages/1_Companies.py")
    at.text_input(key="nc_name_ko").input("새싹로보틱스")
    at.selectbox(key="nc_stage").set_value("pre_startup")
    at.date_input(key="nc_since").set_value(date(2022, 6, 1))
    submit(at, "등록")
    created = row(
        app_db,
        "SELECT c.id, c.brn, c.founded_on, s.stage, s.entered_on FROM company c JOIN stage_entry s "
        "ON s.company_id = c.id WHERE c.name_ko = '새싹로보틱스'",
    )
    assert created[1:] == (None, None, "pre_startup", "2022-06-01")
    assert at.query_params["company"] == str(created[0])
    assert at.title[0].value == "새싹로보틱스"


def test_create_invalid_shows_messages_by_the_fields_and_writes_nothing(
    open_as: OpenAs, app_db: Engine
) -> None:
    at = open_as("officer", "pages/1_Companies.py")
    before = snapshot(app_db)
    at.text_input(key="nc_name_ko").input("검증테스트")
    at.selectbox(key="nc_stage").set_value("startup")
    at.text_input(key="nc_brn").input("220-81-62518")
    at.text_input(key="nc_email").input("not-an-email")
    submit(at, "등록")
    shown = captions(at)
    assert ":red[사업자등록번호 검증번호가 맞지 않습니다. 번호를 다시 확인하세요.]" in shown
    assert ":red[올바른 이메일 주소가 아닙니다.]" in shown
    assert ":red[창업·성장 단계 기업은 설립일이 필요합니다.]" in shown
    assert at.text_input(key="nc_name_ko").value == "검증테스트"  # nothing typed is lost
    assert snapshot(app_db) == before


def test_similar_name_is_flagged_before_saving(open_as: OpenAs, app_db: Engine) -> None:
    existing = scalar(app_db, "SELECT name_ko FROM company WHERE id = 1")
    at = open_as("officer", "pages/1_Companies.py")
    count = scalar(app_db, "SELECT COUNT(*) FROM company")
    at.text_input(key="nc_name_ko").input(existing.replace(" (가상)", ""))
    at.selectbox(key="nc_stage").set_value("pre_startup")
    submit(at, "등록")
    assert any(existing in w.value for w in at.warning)
    assert scalar(app_db, "SELECT COUNT(*) FROM company") == count
    at.checkbox(key="nc_confirm").check()
    submit(at, "등록")
    assert scalar(app_db, "SELECT COUNT(*) FROM company") == count + 1


def test_profile_edit_valid_and_invalid(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 3)
    at.text_input(key="cp3_name_en").input("Edited Name")
    submit(at, "저장")
    assert scalar(app_db, "SELECT name_en FROM company WHERE id = 3") == "Edited Name"
    assert (
        scalar(
            app_db,
            "SELECT COUNT(*) FROM audit_entry WHERE entity='company' AND entity_id=3 AND field='name_en'",
        )
        == 1
    )
    before = snapshot(app_db)
    at.text_input(key="cp3.1_phone").input("12")  # a saved form starts a new key generation
    submit(at, "저장")
    assert ":red[올바른 전화번호가 아닙니다 (예: 010-1234-5678).]" in captions(at)
    assert snapshot(app_db) == before


def test_profile_conflict_same_field_is_shown_side_by_side(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 4)
    with Session(app_db) as s:  # another officer saves the same field meanwhile
        other = actor_by_username(s, "officer2")
        companies.update_company(s, other, 4, version=1, changes={"notes": "다른 담당자 메모"})
    at.text_area(key="cp4_notes").input("내 메모")
    submit(at, "저장")
    assert at.error[0].value == "저장하지 못했습니다: 그 사이 다른 사용자가 같은 항목을 바꿨습니다."
    clash = at.table[0].value
    assert list(clash.index) == ["메모"]
    assert list(clash.iloc[0])[:2] == ["다른 담당자 메모", "내 메모"]
    assert at.text_area(key="cp4_notes").value == "내 메모"
    assert scalar(app_db, "SELECT notes FROM company WHERE id = 4") == "다른 담당자 메모"
    submit(at, "내 값으로 다시 저장")
    assert scalar(app_db, "SELECT notes FROM company WHERE id = 4") == "내 메모"


def test_profile_conflict_other_field_is_merged(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 5)
    with Session(app_db) as s:
        other = actor_by_username(s, "officer2")
        companies.update_company(s, other, 5, version=1, changes={"notes": "theirs"})
    at.text_input(key="cp5_name_en").input("Mine")
    submit(at, "저장")
    assert (
        scalar(app_db, "SELECT name_en || '|' || notes FROM company WHERE id = 5") == "Mine|theirs"
    )
    assert any("병합" in s.value for s in at.success)


def test_change_stage_forward_and_refused_backward(open_as: OpenAs, app_db: Engine) -> None:
    company_id = scalar(
        app_db,
        "SELECT c.id FROM company c WHERE (SELECT stage FROM stage_entry s WHERE s.company_id = c.id "
        "ORDER BY entered_on DESC, id DESC LIMIT 1) = 'startup' ORDER BY c.id LIMIT 1",
    )
    at = _open_company(open_as, "officer", company_id, "timeline")
    at.selectbox(key=f"cs{company_id}_stage").set_value("pre_startup")
    at.date_input(key=f"cs{company_id}_date").set_value(date(2022, 12, 30))
    before = snapshot(app_db)
    submit(at, "단계 변경")
    assert ":red[이전 단계로 되돌리려면 사유가 필요합니다.]" in captions(at)
    assert snapshot(app_db) == before
    at.selectbox(key=f"cs{company_id}_stage").set_value("growth")
    submit(at, "단계 변경")
    latest = scalar(
        app_db,
        "SELECT stage FROM stage_entry WHERE company_id = :c ORDER BY entered_on DESC, id DESC LIMIT 1",
        c=company_id,
    )
    assert latest == "growth"
    assert "단계를 변경했습니다: 성장" in [s.value for s in at.success]


def test_archive_and_restore(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 6)
    submit(at, "보관")
    assert scalar(app_db, "SELECT archived FROM company WHERE id = 6") == 1
    submit(at, "복원")
    assert scalar(app_db, "SELECT archived FROM company WHERE id = 6") == 0
    assert (
        scalar(
            app_db,
            "SELECT COUNT(*) FROM audit_entry WHERE entity_id = 6 AND action IN ('archive','restore')",
        )
        == 2
    )


def test_log_activity_on_company_page_and_invalid(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 7, "support")
    investment = scalar(app_db, "SELECT id FROM programme WHERE kind = 'investment'")
    at.selectbox(key="ca7_programme").set_value(investment).run()
    before = snapshot(app_db)
    at.text_input(key="ca7_fund_name").input("테스트 펀드")
    at.selectbox(key="ca7_round").set_value("seed")
    submit(at, "지원 기록")
    assert ":red[필수 항목입니다.]" in captions(at)  # invested amount missing
    assert snapshot(app_db) == before
    at.text_input(key="ca7_invested_amount").input("3억")  # as Korean offices write it
    at.text_input(key="ca7_amount").input("300,000,000원")
    at.date_input(key="ca7_start").set_value(date(2022, 11, 2))
    submit(at, "지원 기록")
    saved = row(
        app_db,
        "SELECT amount_krw, status, details FROM activity WHERE company_id = 7 ORDER BY id DESC LIMIT 1",
    )
    assert saved[0] == 300_000_000 and saved[1] == "completed"
    assert '"invested_amount": 300000000' in saved[2]


def test_outcome_report_add_and_invalid(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 8, "outcomes")
    before = snapshot(app_db)
    prefix = "co8_new"
    at.number_input(key=f"{prefix}_year").set_value(2023)
    at.number_input(key=f"{prefix}_employees").set_value(3)
    at.number_input(key=f"{prefix}_new_hires").set_value(5)
    submit(at, "저장", index=-1)
    assert ":red[신규 고용은 전체 고용 인원보다 많을 수 없습니다.]" in captions(at)
    assert snapshot(app_db) == before
    at.number_input(key=f"{prefix}_new_hires").set_value(2)
    submit(at, "저장", index=-1)
    assert row(
        app_db, "SELECT employees, new_hires FROM outcome_report WHERE company_id=8 AND year=2023"
    ) == (3, 2)


def test_download_builds_the_filtered_list_as_excel(open_as: OpenAs, app_db: Engine) -> None:
    import io

    import openpyxl

    from crm.exports.tables import Sheet, frames_to_xlsx
    from crm.services.company_views import CompanyFilters, export_rows
    from crm.ui.company_list import list_frame

    with Session(app_db) as s:
        analyst = actor_by_username(s, "analyst")
        frame = export_rows(s, analyst, CompanyFilters(industries=("energy",)))
    expected = scalar(
        app_db, "SELECT COUNT(*) FROM company WHERE industry = 'energy' AND archived = 0"
    )
    data = frames_to_xlsx([Sheet("기업", list_frame(frame, "ko"), krw_columns=("지원 금액",))])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.max_row == expected + 1
    header = [c.value for c in ws[1]]
    assert header[0] == "기업명 (한글)" and "지원 금액" in header
    phones = {
        ws.cell(row=r, column=header.index("전화번호") + 1).value for r in range(2, ws.max_row + 1)
    }
    assert phones == {"●●●"}  # the analyst's download is masked too
    amount_col = header.index("지원 금액") + 1
    total = sum(ws.cell(row=r, column=amount_col).value for r in range(2, ws.max_row + 1))
    assert total == scalar(
        app_db,
        "SELECT COALESCE(SUM(a.amount_krw), 0) FROM activity a JOIN company c ON c.id = a.company_id "
        "WHERE c.industry = 'energy' AND c.archived = 0 AND a.status != 'cancelled'",
    )
    at = open_as("officer", "pages/1_Companies.py")
    assert [b.label for b in at.get("download_button")] == ["엑셀로 내려받기"]


def test_outcome_in_closed_quarter_needs_a_manager_and_a_reason(
    open_as: OpenAs, app_db: Engine
) -> None:
    from crm.services.quarters import close_quarter

    with Session(app_db) as s:
        close_quarter(s, actor_by_username(s, "manager"), 2022, 2)
    company_id = scalar(
        app_db,
        "SELECT company_id FROM outcome_report WHERE year = 2022 AND quarter = 2 ORDER BY company_id LIMIT 1",
    )
    report_id = scalar(
        app_db,
        "SELECT id FROM outcome_report WHERE company_id = :c AND year = 2022 AND quarter = 2",
        c=company_id,
    )
    officer = _open_company(open_as, "officer", company_id, "outcomes")
    officer.selectbox(key=f"co{company_id}_choice").set_value(report_id).run()
    before = snapshot(app_db)
    officer.number_input(key=f"co{company_id}_{report_id}_employees").set_value(999)
    submit(officer, "저장", index=-1)
    assert "2022년 2분기는 마감되었습니다. 정정은 사업 관리자에게 요청하세요." in [
        e.value for e in officer.error
    ]
    assert snapshot(app_db) == before
    manager = _open_company(open_as, "manager", company_id, "outcomes")
    manager.selectbox(key=f"co{company_id}_choice").set_value(report_id).run()
    manager.number_input(key=f"co{company_id}_{report_id}_employees").set_value(999)
    manager.text_input(key=f"co{company_id}_{report_id}_restate_reason").input(
        "고용보험 명부 확인 후 정정"
    )
    submit(manager, "저장", index=-1)
    assert scalar(app_db, "SELECT employees FROM outcome_report WHERE id = :i", i=report_id) == 999
    assert (
        scalar(app_db, "SELECT reason FROM restatement WHERE entity = 'outcome_report'")
        == "고용보험 명부 확인 후 정정"
    )


def test_company_page_draws_only_the_open_tab(open_as: OpenAs, app_db: Engine) -> None:
    """Hidden tabs are not run: the profile shows no history table, the audit tab no profile form."""
    profile = _open_company(open_as, "officer", 3)
    assert profile.text_input(key="cp3_name_ko").value
    assert not [d for d in profile.dataframe if "비고" in d.value.columns]
    audit = _open_company(open_as, "officer", 3, "audit")
    assert [d for d in audit.dataframe if "비고" in d.value.columns]
    assert not [w for w in audit.text_input if w.key == "cp3_name_ko"]
