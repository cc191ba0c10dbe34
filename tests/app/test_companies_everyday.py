"""Companies page details a new user trips on: the search label per role, a search with spaces,
the stage-change default, and countries picked by their Korean names."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.conftest import OpenAs
from tests.app.helpers import captions, row, scalar, submit

CURRENT_STAGE = (
    "SELECT c.id FROM company c WHERE (SELECT stage FROM stage_entry s WHERE s.company_id = c.id "
    "ORDER BY entered_on DESC, id DESC LIMIT 1) = :stage AND NOT c.archived ORDER BY c.id LIMIT 1"
)


def _open_company(open_as: OpenAs, username: str, company_id: int, tab: str = "profile") -> AppTest:
    """The company page on `tab` (only the open tab is drawn), as its address opens it."""
    at = open_as(username, "pages/1_Companies.py")
    at.query_params["company"] = str(company_id)
    at.query_params["tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def test_search_label_names_only_what_the_role_may_search(open_as: OpenAs) -> None:
    officer = open_as("officer", "pages/1_Companies.py")
    assert officer.text_input(key="co_search").label == "검색 (기업명, 사업자등록번호, 대표자)"
    analyst = open_as("analyst", "pages/1_Companies.py")
    assert analyst.text_input(key="co_search").label == "검색 (기업명, 사업자등록번호)"
    english = open_as("analyst", "pages/1_Companies.py", lang="en")
    assert english.text_input(key="co_search").label == "Search (name, registration no.)"


def test_search_with_a_space_finds_the_name_without(open_as: OpenAs, app_db: Engine) -> None:
    name = scalar(app_db, "SELECT name_ko FROM company ORDER BY id LIMIT 1")  # "…로보틱스 (가상)"
    spaced = f"{name[:2]} {name[2:].split(' (')[0]}"
    assert " " in spaced and spaced.replace(" ", "") in name
    at = open_as("officer", "pages/1_Companies.py")
    at.text_input(key="co_search").input(spaced).run()
    assert list(at.dataframe[0].value.iloc[:, 0]) == [name]


@pytest.mark.parametrize(
    ("stage", "default", "shown"),
    [
        ("pre_startup", "startup", "창업/초기"),
        ("startup", "growth", "성장"),
        ("growth", None, None),
    ],
)
def test_stage_change_defaults_to_the_next_stage_up(
    open_as: OpenAs, app_db: Engine, stage: str, default: str | None, shown: str | None
) -> None:
    company_id = scalar(app_db, CURRENT_STAGE, stage=stage)
    at = _open_company(open_as, "officer", company_id, "timeline")
    picker = at.selectbox(key=f"cs{company_id}_stage")
    assert picker.value == default
    assert picker.proto.placeholder == "옮길 단계를 고르세요"
    if shown:
        assert picker.options[picker.proto.default] == shown
    else:  # the last stage: every move is backward, so none is picked for the user
        assert not picker.proto.HasField("default")


def test_country_picker_in_korean_and_saved_as_a_code(open_as: OpenAs, app_db: Engine) -> None:
    at = _open_company(open_as, "officer", 7, "support")
    overseas = scalar(app_db, "SELECT id FROM programme WHERE kind = 'overseas'")
    at.selectbox(key="ca7_programme").set_value(overseas).run()
    country = at.selectbox(key="ca7_country")
    assert country.proto.placeholder == "국가 이름을 입력하세요 (예: 베트남, 미국, UAE)"
    assert country.options[0] == "가나 (Ghana, GH)"  # 가나다 order of the Korean names
    for label in ("베트남 (Viet Nam, VN)", "미국 (United States, US)", "대만 (Taiwan, TW)"):
        assert label in country.options
    country.set_value("VN")
    at.selectbox(key="ca7_programme_type").set_value("exhibition")
    at.text_input(key="ca7_amount").input("120만원")
    submit(at, "지원 기록")
    assert not [c for c in captions(at) if c.startswith(":red[")]
    saved = row(
        app_db, "SELECT details FROM activity WHERE company_id = 7 ORDER BY id DESC LIMIT 1"
    )
    assert '"country": "VN"' in saved[0]
