"""The audit trail in words: each kind of entry as one sentence, in Korean and English, with
names for ids, labels for codes, formatted money and dates, and notes translated."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from crm.services.history import ActivityRef, Entry, History, Names, ReportRef
from crm.ui.history import describe, history_table, note

AT = datetime(2022, 11, 1, 1, 39, tzinfo=UTC)
NAMES = Names(
    companies={40: "금남로보틱스 (가상)"},
    users={4: "김하늘 담당", 7: "정다은 분석"},
    programmes={3: "2022 AI 멘토링"},
    kinds={"mentoring": ("멘토링", "Mentoring"), "hpc": ("HPC 지원", "HPC support")},
    activities={
        423: ActivityRef(40, "mentoring", date(2022, 9, 15)),
        9: ActivityRef(40, "hpc", date(2022, 3, 2)),
    },
    reports={12: ReportRef(40, 2022, 3)},
    imports={5: "companies-2022.xlsx"},
)


def entry(action: str, entity: str, entity_id: int, **values: object) -> Entry:
    base: dict[str, object] = {
        "id": 100,
        "at": AT,
        "who": "박지원 매니저",
        "actor_id": 2,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "field": None,
        "old": None,
        "new": None,
        "context": None,
    }
    base.update(values)
    return Entry(**base)  # type: ignore[arg-type]


def said(e: Entry, lang: str, **kw: bool) -> str:
    return describe(e, NAMES, lang, **kw)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ko", "금남로보틱스 (가상) · 멘토링 (2022.09.15): 금액 600,000원 → 8,500,000원"),
        ("en", "금남로보틱스 (가상) · Mentoring (2022-09-15): Amount ₩600,000 → ₩8,500,000"),
    ],
)
def test_changed_amount(lang: str, expected: str) -> None:
    e = entry("update", "activity", 423, field="amount_krw", old="600000", new="8500000")
    assert said(e, lang) == expected


def test_created_activity_names_every_id() -> None:
    snapshot = {
        "company_id": 40,
        "officer_id": 4,
        "programme_id": 3,
        "amount_krw": 8_500_000,
        "start_on": "2022-09-15",
        "status": "completed",
        "details": {"mentor": "이멘토", "hours": 3},
        "notes": None,
    }
    e = entry("create", "activity", 423, new=json.dumps(snapshot, ensure_ascii=False))
    assert said(e, "ko") == (
        "금남로보틱스 (가상) · 멘토링 (2022.09.15) 등록 — 지원사업: 2022 AI 멘토링, "
        "담당자: 김하늘 담당, 상태: 완료, 금액: 8,500,000원, 멘토: 이멘토, 시간: 3"
    )
    en = said(e, "en")
    assert en.startswith("금남로보틱스 (가상) · Mentoring (2022-09-15) added — ")
    assert "Programme: 2022 AI 멘토링" in en and "Amount: ₩8,500,000" in en
    # The feed says only what was added.
    assert said(e, "ko", brief=True) == "금남로보틱스 (가상) · 멘토링 (2022.09.15) 등록"
    for text in (said(e, "ko"), en):
        assert "amount_krw" not in text and "40" not in text and "None" not in text


def test_restated_change_with_reason() -> None:
    e = entry(
        "restate",
        "activity",
        423,
        field="amount_krw",
        old="8500000",
        new="9000000",
        context="restatement 2022-Q3",
        reason="영수증 재확인",
        periods=((2022, 3),),
    )
    assert said(e, "ko") == (
        "2022년 3분기 보고 후 정정: 금남로보틱스 (가상) · 멘토링 (2022.09.15): "
        "금액 8,500,000원 → 9,000,000원 (사유: 영수증 재확인)"
    )
    assert said(e, "en") == (
        "Corrected after the 2022 Q3 report: 금남로보틱스 (가상) · Mentoring (2022-09-15): "
        "Amount ₩8,500,000 → ₩9,000,000 (reason: 영수증 재확인)"
    )
    assert note(e.context, NAMES, "ko") == "2022년 3분기 정정"
    assert note(e.context, NAMES, "en") == "Restatement of 2022 Q3"


def test_restatement_reason_row_names_its_record() -> None:
    e = entry(
        "restate",
        "restatement",
        1,
        field="reason",
        new="영수증 재확인",
        context="activity #423 2022-Q3",
    )
    assert said(e, "ko") == (
        "2022년 3분기 정정 사유 — 금남로보틱스 (가상) · 멘토링 (2022.09.15): 영수증 재확인"
    )
    assert said(e, "en").startswith("Restatement reason for 2022 Q3 — 금남로보틱스 (가상)")


def test_added_after_the_close() -> None:
    e = entry(
        "create",
        "outcome_report",
        12,
        new=json.dumps({"company_id": 40, "year": 2022, "quarter": 3, "new_hires": 2}),
        context="restatement",
        reason="늦게 접수",
        periods=((2022, 3),),
    )
    assert said(e, "ko") == (
        "2022년 3분기 보고 후 추가: 금남로보틱스 (가상) · 2022년 3분기 성과 보고 등록 — "
        "신규 고용: 2 (사유: 늦게 접수)"
    )
    assert note(e.context, NAMES, "ko") == "마감 후 정정"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ko", "금남로보틱스 (가상): 단계 창업/초기 (2022.11.01부터) (사유: 법인 설립)"),
        ("en", "금남로보틱스 (가상): stage Startup from 2022-11-01 (reason: 법인 설립)"),
    ],
)
def test_stage_change_reads_stage_and_day(lang: str, expected: str) -> None:
    e = entry(
        "stage_change", "company", 40, field="stage", new="startup@2022-11-01", context="법인 설립"
    )
    assert said(e, lang) == expected


def test_stage_entry_removed_by_an_undo() -> None:
    e = entry(
        "stage_change",
        "company",
        40,
        field="stage",
        old="growth@2022-10-01",
        context="undo import #5",
    )
    assert said(e, "ko") == "금남로보틱스 (가상): 단계 기록 삭제 — 성장 (2022.10.01부터)"
    assert note(e.context, NAMES, "ko") == "가져오기 되돌림: companies-2022.xlsx"
    assert note(e.context, NAMES, "en") == "Import undone: companies-2022.xlsx"


def test_notes_are_translated() -> None:
    assert note("demo load seed=2022", NAMES, "ko") == "데모 데이터 적재 (가상)"
    assert note("demo load seed=2022", NAMES, "en") == "Demo data load (fictional)"
    assert (
        note("import #5 companies-2022.xlsx", NAMES, "ko") == "파일 가져오기: companies-2022.xlsx"
    )
    assert note("import #8 old.csv", NAMES, "en") == "Imported from old.csv"
    assert note("restatement 2022-Q3, 2022-Q4", NAMES, "ko") == "2022년 3분기, 2022년 4분기 정정"
    # A person's own words are part of the sentence, not a note.
    assert note("법인 설립", NAMES, "ko") == ""
    assert note(None, NAMES, "ko") == ""


def test_archive_restore_cancel() -> None:
    assert (
        said(entry("archive", "company", 40, field="archived"), "ko") == "금남로보틱스 (가상) 보관"
    )
    assert said(entry("restore", "company", 40, field="archived"), "en") == (
        "금남로보틱스 (가상) restored"
    )
    cancel = entry(
        "cancel",
        "activity",
        9,
        field="status",
        old="planned",
        new="cancelled",
        context="일정 취소",
    )
    assert (
        said(cancel, "ko") == "금남로보틱스 (가상) · HPC 지원 (2022.03.02) 취소 (사유: 일정 취소)"
    )
    assert said(cancel, "en") == (
        "금남로보틱스 (가상) · HPC support (2022-03-02) cancelled (reason: 일정 취소)"
    )


def test_officer_change_names_both_officers() -> None:
    e = entry("update", "company", 40, field="officer_id", old="4", new="7")
    assert said(e, "ko") == "금남로보틱스 (가상): 담당자 김하늘 담당 → 정다은 분석"


def test_cleared_and_set_values() -> None:
    cleared = entry("update", "company", 40, field="phone", old="062-000-0000", new=None)
    assert said(cleared, "ko") == "금남로보틱스 (가상): 전화번호 삭제 (이전: 062-000-0000)"
    added = entry("update", "company", 40, field="founded_on", old=None, new="2021-04-05")
    assert said(added, "en") == "금남로보틱스 (가상): Founded on set to 2021-04-05"


def test_masked_values_stay_masked() -> None:
    e = entry("update", "company", 40, field="representative", old="홍**", new="김**")
    assert said(e, "ko") == "금남로보틱스 (가상): 대표자 홍** → 김**"


def test_account_events() -> None:
    password = entry("password", "app_user", 4)
    assert said(password, "ko") == "계정 김하늘 담당 비밀번호 변경"
    assert said(password, "en") == "Account 김하늘 담당: password changed"
    role = entry("update", "app_user", 4, field="role", old="officer", new="manager")
    assert said(role, "ko") == "계정 김하늘 담당: 역할 사업 담당자 → 사업 관리자"
    ended = entry("update", "user_session", 31, field="revoked_at", new="2022-11-01T01:39:00+00:00")
    assert said(ended, "ko") == "로그인 세션 종료 (관리자가 종료)"
    assert said(ended, "en") == "Sign-in session ended by an admin"
    seen = entry("update", "user_session", 31, field="last_seen_at", new="2022-11-01T01:39:00")
    assert said(seen, "ko") == "로그인 세션: last seen at 입력 — 2022.11.01 10:39"
    revoked = entry("revoke", "user_session", 31)
    assert "user_session" not in said(revoked, "ko") and "31" not in said(revoked, "ko")
    assert said(entry("lockout", "app_user", 4), "ko") == "계정 김하늘 담당: 로그인 잠금"
    assert said(entry("something_new", "app_user", 4), "en") == (
        "Account 김하늘 담당: account activity"
    )


def test_quarter_close_and_report_export() -> None:
    close = entry("close", "quarter_close", 3, field="quarter", new="2022-Q3")
    assert said(close, "ko") == "2022년 3분기 마감"
    assert said(close, "en") == "2022 Q3 closed"
    export = entry(
        "export",
        "report",
        2,
        field="file",
        new="report-2022-Q3-20221101.xlsx",
        context="2022-Q3 unit=million lang=ko",
    )
    assert said(export, "ko") == (
        "2022년 3분기 분기 보고서 작성 (백만원, 한국어): report-2022-Q3-20221101.xlsx"
    )
    assert said(export, "en") == (
        "Quarterly report 2022 Q3 built (KRW million, Korean): report-2022-Q3-20221101.xlsx"
    )


def test_removed_record_is_named_from_its_last_values() -> None:
    gone = entry(
        "delete",
        "company",
        77,
        old=json.dumps({"name_ko": "삭제된기업 (가상)", "industry": "energy"}, ensure_ascii=False),
        context="undo import #5",
    )
    assert said(gone, "ko") == "삭제된기업 (가상) 삭제 (가져오기 되돌림)"
    assert said(gone, "en") == "삭제된기업 (가상) removed (import undone)"


def test_programme_and_cohort() -> None:
    budget = entry("update", "programme", 3, field="budget_krw", old="100000000", new="120000000")
    assert said(budget, "ko") == "지원사업 2022 AI 멘토링: 예산 100,000,000원 → 120,000,000원"
    target = entry("update", "cohort", 2022, field="target_companies", old="99", new="120")
    assert said(target, "en") == "2022 cohort: Target companies 99 → 120"


def test_table_reads_times_in_the_office_zone() -> None:
    e = entry("update", "activity", 423, field="amount_krw", old="600000", new="8500000")
    table = history_table(History([e], NAMES), "ko")
    assert list(table.columns) == ["일시", "작성자", "내용", "비고"]
    assert table.iloc[0].tolist() == [
        "2022.11.01 10:39",
        "박지원 매니저",
        "금남로보틱스 (가상) · 멘토링 (2022.09.15): 금액 600,000원 → 8,500,000원",
        "",
    ]


def test_country_and_choices_in_details() -> None:
    e = entry(
        "update",
        "activity",
        423,
        field="details",
        old=json.dumps({"country": "VN", "programme_type": "exhibition"}),
        new=json.dumps({"country": "US", "programme_type": "exhibition"}),
    )
    ko = said(e, "ko")
    assert "베트남" in ko and "미국" in ko and "VN" not in ko and "exhibition" not in ko
    assert "Viet Nam" in said(e, "en")
