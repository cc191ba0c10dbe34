from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from crm.errors import FieldError, ValidationError
from crm.i18n import t
from crm.ui.quick_entry import (
    closed_day_message,
    company_labels,
    empty_frame,
    row_message,
    to_activities,
)
from crm.validation import Checker

DAY = date(2022, 5, 2)
LABEL = "빛고을비전"


def _one_row(amount: object) -> pd.DataFrame:
    frame = empty_frame(2)
    frame.loc[0, ["company", "mentor", "topic", "hours", "amount"]] = [
        LABEL,
        "멘토",
        "IR",
        2.0,
        amount,
    ]
    return frame


def test_blank_rows_are_ignored_and_row_numbers_kept() -> None:
    frame = empty_frame(4)
    frame.loc[1, ["company", "mentor", "topic", "hours", "amount"]] = [
        LABEL,
        "멘토",
        "IR",
        2.0,
        "300,000",
    ]
    frame.loc[3, ["mentor"]] = ["only a mentor"]
    acts, numbers = to_activities(frame, {LABEL: 7}, programme_id=3, day=DAY)
    assert numbers == [2, 4]
    first = acts[0]
    assert (first.company_id, first.programme_id, first.start_on, first.amount_krw) == (
        7,
        3,
        DAY,
        300_000,
    )
    assert first.details == {"mentor": "멘토", "topic": "IR", "hours": 2.0}
    assert acts[1].company_id == 0 and acts[1].details == {"mentor": "only a mentor"}


@pytest.mark.parametrize(
    ("typed", "won"),
    [
        ("30만원", 300_000),
        ("1.2억", 120_000_000),
        ("300000", 300_000),
        ("3천만원", 30_000_000),
        ("1,200,000", 1_200_000),
        ("12만 3천", 123_000),
        ("", 0),
    ],
)
def test_amounts_are_read_like_the_single_forms(typed: str, won: int) -> None:
    acts, _ = to_activities(_one_row(typed), {LABEL: 7}, programme_id=3, day=DAY)
    assert acts[0].amount_krw == won


def test_an_unreadable_amount_is_passed_on_as_typed_and_refused_with_the_hint() -> None:
    acts, _ = to_activities(_one_row("오백만원쯤"), {LABEL: 7}, programme_id=3, day=DAY)
    assert acts[0].amount_krw == "오백만원쯤"  # never a number made of some of its characters
    check = Checker()
    assert check.integer("amount_krw", acts[0].amount_krw) is None
    with pytest.raises(ValidationError) as refused:
        check.raise_if_errors()
    assert refused.value.messages("ko") == {
        "amount_krw": "금액을 읽을 수 없습니다: '오백만원쯤'. 1,200,000 · 120만원 · 1.2억처럼 입력하세요."
    }
    assert refused.value.messages("en") == {
        "amount_krw": "Cannot read the amount '오백만원쯤'. Type it like 1,200,000 · 120만원 · 1.2억."
    }


def test_kind_money_fields_get_the_same_message_and_counts_keep_theirs() -> None:
    check = Checker()
    check.integer("details.invested_amount", "1억쯤", money=True)  # a "money" kind field
    check.integer("budget_krw", "많이")
    check.integer("target_companies", "열")
    assert [e.key for e in check.errors] == ["error.amount", "error.amount", "error.integer"]


def test_every_row_takes_the_day_chosen_above_the_table() -> None:
    frame = empty_frame(3)
    frame.loc[0, "mentor"] = "a"
    frame.loc[2, "mentor"] = "b"
    acts, numbers = to_activities(frame, {}, programme_id=1, day=date(2022, 3, 4))
    assert numbers == [1, 3]
    assert [a.start_on for a in acts] == [date(2022, 3, 4), date(2022, 3, 4)]


def test_empty_cells_are_empty_text_not_none() -> None:
    frame = empty_frame(3)
    assert list(frame.columns) == ["company", "mentor", "topic", "hours", "amount", "notes"]
    for column in ("mentor", "topic", "amount", "notes"):
        assert frame[column].tolist() == ["", "", ""]
    assert frame["hours"].dtype == "float64"


def test_rows_added_in_the_grid_with_missing_cells_are_read() -> None:
    frame = pd.concat(
        [empty_frame(1), pd.DataFrame([{"company": LABEL, "mentor": "m", "amount": "1.2억"}])],
        ignore_index=True,
    )
    acts, numbers = to_activities(frame, {LABEL: 7}, programme_id=1, day=DAY)
    assert numbers == [2]
    assert (acts[0].company_id, acts[0].amount_krw, acts[0].notes) == (7, 120_000_000, None)


def test_closed_day_advice_depends_on_the_role() -> None:
    assert closed_day_message(2022, 1, "ko", may_restate=False) == t(
        "restate.new_not_allowed", "ko", year=2022, quarter=1
    )
    assert "사업 관리자에게" in closed_day_message(2022, 1, "ko", may_restate=False)
    assert "정정 사유" in closed_day_message(2022, 1, "ko", may_restate=True)
    closed = FieldError("start_on", "error.quarter_closed", {"year": 2022, "quarter": 1})
    assert row_message(closed, "en", may_restate=False) == (
        "2022 Q1 is closed: new support cannot be logged in it. Ask a programme manager to add "
        "the missing activity as a restatement."
    )
    unread = FieldError("amount_krw", "error.amount", {"value": "x"})
    assert row_message(unread, "ko", may_restate=False).startswith(
        "금액 (원): 금액을 읽을 수 없습니다"
    )


def test_companies_are_offered_by_name_and_a_shared_name_is_numbered() -> None:
    labels = company_labels({7: "빛고을비전", 12: "무등랩", 3: "무등랩"})
    assert labels == {"무등랩 (1)": 3, "빛고을비전": 7, "무등랩 (2)": 12}
    assert not any("#" in label for label in labels)
