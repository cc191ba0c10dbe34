from __future__ import annotations

import math
from datetime import date

import pytest

from crm.errors import ValidationError
from crm.services.reference import BUILTIN_KIND_ROWS
from crm.validation import (
    Checker,
    brn_check_digit,
    format_brn,
    is_valid_brn,
    normalise_name,
    validate_kind_fields,
)


@pytest.mark.parametrize("brn", ["220-81-62517", "2208162517", "120-81-47521"])
def test_valid_registration_numbers(brn: str) -> None:
    assert is_valid_brn(brn)


@pytest.mark.parametrize("brn", ["220-81-62518", "220-81-6251", "abc-de-fghij", "", "22081625170"])
def test_invalid_registration_numbers(brn: str) -> None:
    assert not is_valid_brn(brn)


def test_check_digit_worked_example() -> None:
    # 2*1+2*3+0*7+8*1+1*3+6*7+2*1+5*3+1*5 = 83, + (1*5)//10 = 0 -> 83, (10 - 3) % 10 = 7
    assert brn_check_digit("220816251") == 7
    assert format_brn("2208162517") == "220-81-62517"


def test_checker_brn_messages_in_both_languages() -> None:
    check = Checker()
    assert check.brn("brn", "220-81-62518") is None
    with pytest.raises(ValidationError) as info:
        check.raise_if_errors()
    assert "검증번호" in info.value.messages("ko")["brn"]
    assert "check digit" in info.value.messages("en")["brn"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("홍길동", True), ("a\x00b", False), ("a\x1bb", False), ("x" * 201, False), ("  ", None)],
)
def test_text_rules(value: str, ok: bool | None) -> None:
    check = Checker()
    out = check.text("f", value, required=False, max_len=200)
    if ok:
        assert out == value and not check.errors
    elif ok is None:
        assert out is None and not check.errors
    else:
        assert out is None and check.errors


def test_notes_keep_newlines_but_not_other_controls() -> None:
    check = Checker()
    assert check.text("notes", "line1\nline2\ttab", multiline=True) == "line1\nline2\ttab"
    assert check.text("notes", "bell\x07", multiline=True) is None
    assert [e.key for e in check.errors] == ["error.control_chars"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, 1.5, "12a", True, -1])
def test_integer_rejects(bad: object) -> None:
    check = Checker()
    assert check.integer("n", bad) is None
    assert len(check.errors) == 1


def test_integer_accepts_commas_and_whole_floats() -> None:
    check = Checker()
    assert check.integer("n", "1,200,000") == 1_200_000
    assert check.integer("n", 3.0) == 3
    assert not check.errors


def test_dates() -> None:
    check = Checker()
    assert check.day("d", "2022-03-04") == date(2022, 3, 4)
    assert check.day("d", "1850-01-01") is None
    assert check.day("d", "2022-13-01") is None
    assert [e.key for e in check.errors] == ["error.date_range", "error.date"]


def test_phone_and_email_normalised() -> None:
    check = Checker()
    assert check.phone("p", "01012345678") == "010-1234-5678"
    assert check.phone("p", "02-123-4567") == "02-123-4567"
    assert check.phone("p", "12345") is None
    assert check.email("e", "not-an-email") is None
    assert [e.field for e in check.errors] == ["p", "e"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("010 1234 5678", "010-1234-5678"),
        ("010.1234.5678", "010-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),  # the country code of Korea: stored nationally
        ("0212345678", "02-1234-5678"),
        ("031 123 4567", "031-123-4567"),
        ("010-１２３４-5678", "010-1234-5678"),  # full-width digits become ASCII
        ("+1 650 253 0000", "+1 650-253-0000"),  # abroad: the international form
    ],
)
def test_phone_numbers_are_normalised_by_phonenumbers(typed: str, stored: str) -> None:
    check = Checker()
    assert check.phone("phone", typed) == stored
    assert not check.errors


@pytest.mark.parametrize("typed", ["12", "02-000-0000", "010-1234", "전화 없음", "+82 1"])
def test_impossible_phone_numbers_are_refused_with_our_message(typed: str) -> None:
    check = Checker()
    assert check.phone("phone", typed) is None
    with pytest.raises(ValidationError) as info:
        check.raise_if_errors()
    assert info.value.messages("ko")["phone"] == "올바른 전화번호가 아닙니다 (예: 010-1234-5678)."
    assert info.value.messages("en")["phone"].startswith("This is not a valid phone number")


def test_registration_number_check_digit_and_format() -> None:
    check = Checker()
    assert check.brn("brn", " 220 81 62517 ") == "220-81-62517"  # valid: stored formatted
    assert check.brn("brn", "120-81-47521") == "120-81-47521"
    assert not check.errors
    assert check.brn("brn", "220-81-62510") is None  # right shape, wrong check digit
    assert check.brn("brn", "٢٢٠٨١٦٢٥١٧") is None  # ten digits, but not ASCII ones
    assert check.brn("brn2", "220-81-6251") is None
    assert [(e.field, e.key) for e in check.errors] == [
        ("brn", "error.brn_checksum"),
        ("brn", "error.brn_format"),
        ("brn2", "error.brn_format"),
    ]


def _spec(code: str) -> list[dict[str, object]]:
    return next(r["fields"] for r in BUILTIN_KIND_ROWS if r["code"] == code)


def test_investment_amount_required_and_positive() -> None:
    check = Checker()
    out = validate_kind_fields(
        check, _spec("investment"), {"fund_name": "F", "round": "seed", "invested_amount": 0}
    )
    assert "invested_amount" not in out
    assert [(e.field, e.key) for e in check.errors] == [
        ("details.invested_amount", "error.positive")
    ]


def test_overseas_country_must_be_iso() -> None:
    check = Checker()
    out = validate_kind_fields(
        check, _spec("overseas"), {"country": "vn", "programme_type": "exhibition"}
    )
    assert out == {"country": "VN", "programme_type": "exhibition"}
    validate_kind_fields(check, _spec("overseas"), {"country": "XX", "programme_type": "party"})
    assert {e.field for e in check.errors} == {"details.country", "details.programme_type"}


def test_mentoring_needs_mentor_topic_hours_and_rejects_unknown_fields() -> None:
    check = Checker()
    validate_kind_fields(check, _spec("mentoring"), {"hours": -1, "colour": "red"})
    assert {e.field for e in check.errors} == {
        "details.mentor",
        "details.topic",
        "details.hours",
        "details.colour",
    }


def test_normalise_name_drops_legal_forms() -> None:
    assert normalise_name("(주)네이처밸류") == normalise_name("네이처 밸류 주식회사")
    assert normalise_name("㈜ 빛고을 AI") == "빛고을ai"
