"""The searched company picker's matches (crm.ui.choices.company_matches)."""

from __future__ import annotations

from crm.ui.choices import company_matches

COMPANIES = {
    1: "빛고을로보틱스 (가상)",
    2: "금남로보틱스 (가상)",
    3: "(주)로보틱스랩",
    4: "첨단데이터 (가상)",
    5: "로보틱스 금남 (가상)",
}


def test_names_starting_with_the_search_come_first_then_those_holding_it() -> None:
    found = company_matches(COMPANIES, "로보 틱스")  # spaces ignored
    assert list(found) == [3, 5, 2, 1]  # (주) is a legal form: 로보틱스랩 starts with it
    assert 4 not in found


def test_case_and_spacing_are_ignored_and_the_list_is_capped() -> None:
    many = {i: f"Company {i:03d}" for i in range(200)}
    assert list(company_matches(many, "COMPANY 01", limit=5)) == [10, 11, 12, 13, 14]
    assert len(company_matches(many, "", limit=50)) == 50  # no search: the first 50 by name
    assert company_matches(many, "없는 이름") == {}
