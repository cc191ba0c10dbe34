"""Importer value parsing: dates, KRW amounts, counts, quarters, choices, text debris."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.importer.csvfile import first_lines
from crm.importer.parsing import (
    USD,
    ParseFailure,
    clean_column,
    clean_text,
    parse_brn,
    parse_country,
    parse_date,
    parse_decimal,
    parse_industry,
    parse_int,
    parse_krw,
    parse_quarter,
    parse_round,
    parse_year,
    read_slash_dates,
)
from crm.importer.rows import Vocabulary


def _fails(key: str, func: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(ParseFailure) as caught:
        func(*args, **kwargs)
    assert caught.value.key == key


@pytest.mark.parametrize(
    "value",
    [
        "2022-03-04",
        "2022.3.4",
        "2022. 3. 4.",
        "2022/03/04",
        "2022-3-4",
        "2022년 3월 4일",
        "2022년3월4일",
        "20220304",
        "2022-03-04 00:00:00",
        "04/03/2022",
        "4.3.2022",
        "4 Mar 2022",
        "March 4, 2022",
        44624,
        44624.0,
        "44624",
        datetime(2022, 3, 4, 15, 30),
        date(2022, 3, 4),
    ],
)
def test_dates_people_type(value: object) -> None:
    assert parse_date(value, "dmy") == date(2022, 3, 4)


def test_slash_dates_follow_the_column_rule() -> None:
    assert read_slash_dates(["13/01/2020", "02/03/2020"]) == ("dmy", False)
    assert read_slash_dates(["01/13/2020", "02/03/2020"]) == ("mdy", False)
    assert read_slash_dates(["01/02/2020"]) == ("dmy", False)  # no evidence: day first
    assert read_slash_dates(["13/01/2020", "01/13/2020"]) == ("dmy", True)
    assert read_slash_dates(["13/01/2020"], "mdy") == ("mdy", False)  # the user's choice wins
    assert parse_date("02/03/2020", "mdy") == date(2020, 2, 3)
    assert parse_date("13/01/2020", "mdy") == date(2020, 1, 13)  # only one reading exists
    _fails("importer.error.date_ambiguous", parse_date, "02/03/2020", "dmy", contradictory=True)
    assert parse_date("03/03/2020", "dmy", contradictory=True) == date(2020, 3, 3)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("05/072018", "importer.error.date"),
        ("01/07/015", "importer.error.date"),
        ("2022-02-30", "importer.error.date_invalid"),
        ("31/02/2020", "importer.error.date_invalid"),
        ("22.3.4", "importer.error.date_short_year"),
        ("2020", "importer.error.date_year_only"),
        ("2020년", "importer.error.date_year_only"),
        ("soon", "importer.error.date"),
        (True, "importer.error.date"),
    ],
)
def test_dates_that_cannot_be_read(value: object, key: str) -> None:
    _fails(key, parse_date, value)


def test_empty_cells_are_none() -> None:
    for value in (None, "", "  ", "nan", "N/A", "-"):
        assert parse_date(value) is None
        assert parse_krw(value) is None
        assert parse_int(value) is None


@pytest.mark.parametrize(
    ("value", "won"),
    [
        (1_200_000, 1_200_000),
        (1_200_000.0, 1_200_000),
        ("1,200,000", 1_200_000),
        ("1,200,000원", 1_200_000),
        ("₩1,200,000", 1_200_000),
        ("1200000 원", 1_200_000),
        ("120만원", 1_200_000),
        ("120 만원", 1_200_000),
        ("1.2억", 120_000_000),
        ("1.2억원", 120_000_000),
        ("3천만원", 30_000_000),
        ("1억 2천만원", 120_000_000),
        ("1억2,000만원", 120_000_000),
        ("5천원", 5_000),
        ("20,00,00,000", 200_000_000),  # Indian digit grouping
        ("-1,000", -1_000),  # negative: the service says it must be at least 0
    ],
)
def test_amounts_in_won(value: object, won: int) -> None:
    assert parse_krw(value) == won


def test_amounts_with_a_column_unit_and_dollars() -> None:
    assert parse_krw("1,500", 1000) == 1_500_000
    assert parse_krw(2.5, 10_000) == 25_000
    assert parse_krw("30만원", 1000) == 300_000  # the cell's own unit wins
    assert parse_krw("1,000", USD, 1300.5) == 1_300_500
    assert parse_krw("$2,000", 1, 1300) == 2_600_000
    _fails("importer.error.usd_rate", parse_krw, "1,000", USD, None)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("about 3m", "importer.error.amount"),
        ("1.5", "importer.error.amount_fraction"),
        ("undisclosed", "importer.error.undisclosed"),
        ("Undisclosed", "importer.error.undisclosed"),
        ("미공개", "importer.error.undisclosed"),
        ("억", "importer.error.amount"),
        ("1억x", "importer.error.amount"),
        (True, "importer.error.amount"),
    ],
)
def test_amounts_that_cannot_be_read(value: object, key: str) -> None:
    _fails(key, parse_krw, value)


@given(st.integers(min_value=0, max_value=10**15))
def test_formatted_won_reads_back(won: int) -> None:
    assert parse_krw(f"{won:,}원") == won
    assert parse_krw(won) == won


def test_counts_years_quarters_hours() -> None:
    assert parse_int("12명") == 12
    assert parse_int("1,200") == 1200
    assert parse_int(3.0) == 3
    _fails("importer.error.integer", parse_int, "3.5")
    assert parse_year("2022년") == 2022
    assert parse_year(2022.0) == 2022
    _fails("importer.error.year", parse_year, "22")
    assert parse_quarter(1) == (None, 1)
    assert parse_quarter("3분기") == (None, 3)
    assert parse_quarter("Q2") == (None, 2)
    assert parse_quarter("4Q") == (None, 4)
    assert parse_quarter("2022-Q1") == (2022, 1)
    assert parse_quarter("2022년 2분기") == (2022, 2)
    _fails("importer.error.quarter", parse_quarter, "5")
    assert parse_decimal("1.5시간") == 1.5
    assert parse_decimal("2h") == 2.0


def test_registration_numbers_keep_digits_only() -> None:
    assert parse_brn("220-81-62517") == "2208162517"
    assert parse_brn("220 81 62517") == "2208162517"
    assert parse_brn(2208162517) == "2208162517"
    assert parse_brn(2208162517.0) == "2208162517"


def test_text_debris_is_repaired() -> None:
    assert clean_text("R&amp;amp;D") == ("R&D", True)
    assert clean_text("R&amp;amp;amp;amp;amp;amp;amp;D 플랫폼") == ("R&D 플랫폼", True)
    assert clean_text("AT&T") == ("AT&T", False)
    assert clean_text("LetsVenture\\\\xe2\\\\x80\\\\x99s Fund") == ("LetsVenture’s Fund", True)
    assert clean_text("\\\\xc2\\\\xa010/7/2015") == ("10/7/2015", True)
    assert clean_text("Seed\\\\nFunding") == ("Seed Funding", True)
    assert clean_text("  (주)  빛고을\u00a0에이아이 ") == ("(주) 빛고을 에이아이", True)
    assert clean_text("a\n b", multiline=True) == ("a\n b", False)
    assert clean_text("nan") == (None, False)
    assert clean_text(12.0) == ("12", False)


def test_choices_by_label_in_either_language() -> None:
    vocabulary = Vocabulary.build()
    stage = vocabulary.choices["stage"]
    assert stage["예비창업"] == "pre_startup" and stage["창업초기"] == "startup"
    assert stage["growth"] == "growth" and stage["성장"] == "growth"
    assert vocabulary.choices["status"]["진행중"] == "in_progress"
    assert vocabulary.choices["kind"]["투자펀드"] == "investment"
    industry = vocabulary.choices["industry"]
    assert parse_industry("헬스케어", industry) == ("healthcare", True)
    assert parse_industry("의료기기 제조업", industry) == ("healthcare", True)
    assert parse_industry("자원/에너지산업", industry) == ("energy", True)
    assert parse_industry("생활용품제조업", industry) == ("other", False)


@pytest.mark.parametrize(
    ("value", "round_", "known"),
    [
        ("Seed Funding", "seed", True),
        ("Seed/ Angel Funding", "seed", True),
        ("Angel", "seed", True),
        ("Pre-Series A", "pre_a", True),
        ("pre series A", "pre_a", True),
        ("Series A", "series_a", True),
        ("Series B (Extension)", "series_b", True),
        ("시리즈B", "series_b", True),
        ("Bridge Round", "bridge", True),
        ("Private Equity", "other", False),
        ("Series D", "other", False),
        ("Debt Funding", "other", False),
    ],
)
def test_investment_rounds(value: str, round_: str, known: bool) -> None:
    assert parse_round(value) == (round_, known)


def test_countries() -> None:
    assert parse_country("us") == "US"
    assert parse_country("미국") == "US"
    assert parse_country("Viet Nam") == "VN"
    _fails("importer.error.country", parse_country, "Atlantis")


@given(
    cells=st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet="ab가 \t\n\u00a0\u200b&;#x\\-N/A", max_size=8),
            st.sampled_from(["nan", " N/A ", "-", "R&amp;D", "긴 회사 이름 주식회사", 12.0, 7]),
        ),
        max_size=8,
    ),
    multiline=st.booleans(),
)
def test_a_column_is_cleaned_as_each_of_its_cells(cells: list[object], multiline: bool) -> None:
    """clean_column (one search over the whole column when it can) answers as clean_text
    does for every cell, and counts the cells that needed repairs."""
    texts, repaired = clean_column(cells, multiline=multiline)
    each = [clean_text(cell, multiline=multiline) for cell in cells]
    assert (texts, repaired) == ([t for t, _ in each], sum(r for _, r in each))


def test_a_plain_column_is_stripped_and_placeholders_dropped() -> None:
    assert clean_column(["  빛고을 ", "n/a", None, "-", "AT&T"]) == (
        ["빛고을", None, None, None, "AT&T"],
        0,
    )
    assert clean_column(["a  b", "x"]) == (["a b", "x"], 1)


@given(st.text(alphabet="a,\n\r\x0b\u2028", max_size=40), st.integers(0, 6))
def test_the_delimiter_sample_is_thefirst_lines(text: str, count: int) -> None:
    """The CSV sniffer reads the first lines without splitting the whole file."""
    assert first_lines(text, count) == text.splitlines()[:count]


@pytest.mark.parametrize(
    ("serial", "day"),
    [
        (1, date(1900, 1, 1)),  # before Excel's phantom 1900-02-29: no off-by-one
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (44_562, date(2022, 1, 1)),
        (44_562.99999, date(2022, 1, 1)),  # the time of day never rolls into the next day
        ("44562", date(2022, 1, 1)),  # a serial that arrived as text
        (2_958_465, date(9999, 12, 31)),
    ],
)
def test_excel_serial_days(serial: float | str, day: date) -> None:
    assert parse_date(serial) == day


@pytest.mark.parametrize("serial", [0, -1, 2_958_466, float("nan")])
def test_excel_serials_outside_excels_calendar_are_refused(serial: float) -> None:
    _fails("importer.error.date", parse_date, serial)
