"""After a language switch every picker shows its chosen value in the new language.

The browser keeps a picker's *label* ("전체"); the script keeps the option ("all"). Unless the
script sends the value again after the switch, the browser goes on showing the Korean label
under English options (or, when the label is sent back, the choice is lost). Each test picks
values in Korean, switches to English and reads what the page tells the browser to show."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.conftest import OpenAs
from tests.importer_files import csv_bytes


def _switch_to_english(at: AppTest) -> AppTest:
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception, at.exception
    return at


def _shown(widget: Any) -> Any:
    """The label the browser is told to show now (None: it keeps whatever it showed)."""
    proto = widget.proto
    if not proto.set_value:
        return None
    return list(proto.raw_values) if hasattr(proto, "raw_values") else proto.raw_value


def test_companies_filters(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/1_Companies.py")
    at.selectbox(key="co_archived").set_value("all").run()
    at.selectbox(key="co_sort").set_value("stage").run()
    at.multiselect(key="co_stage").set_value(["growth"]).run()
    at.multiselect(key="co_industry").set_value(["energy"]).run()
    _switch_to_english(at)
    assert at.title[0].value == "Companies"
    assert at.selectbox(key="co_archived").value == "all"
    assert _shown(at.selectbox(key="co_archived")) == "All"
    assert _shown(at.selectbox(key="co_sort")) == "Stage"
    assert _shown(at.multiselect(key="co_stage")) == ["Growth"]
    assert _shown(at.multiselect(key="co_industry")) == ["Energy"]
    assert at.multiselect(key="co_stage").value == ["growth"]


def test_support_log_filters(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/2_Support_log.py")
    at.multiselect(key="sl_kind").set_value(["mentoring"]).run()
    at.multiselect(key="sl_status").set_value(["completed"]).run()
    _switch_to_english(at)
    assert _shown(at.multiselect(key="sl_kind")) == ["Mentoring"]
    assert _shown(at.multiselect(key="sl_status")) == ["Completed"]
    assert at.multiselect(key="sl_kind").value == ["mentoring"]


def test_new_programme_kind(open_as: OpenAs) -> None:
    """Inside a form: the browser shows the Korean label of the first kind until told again."""
    at = open_as("manager", "pages/2_Support_log.py")
    assert at.selectbox(key="pm_new_kind").value == "mentoring"
    _switch_to_english(at)
    assert _shown(at.selectbox(key="pm_new_kind")) == "Mentoring"


def test_funnel_filters(open_as: OpenAs) -> None:
    at = open_as("analyst", "pages/4_Funnel.py")
    at.selectbox(key="fn_measure").set_value("skipped").run()
    # The moves section is a tab of its own (only the open tab runs); the address keeps it open.
    at.query_params["view"] = "transitions"
    at.session_state["fn_section_ko"] = "단계 이동과 후퇴"
    at.run()
    at.radio(key="fn_period").set_value("quarter").run()
    at.multiselect(key="fn_industries").set_value(["energy"]).run()
    _switch_to_english(at)
    assert _shown(at.selectbox(key="fn_measure")) == "Skipped"
    assert _shown(at.radio(key="fn_period")) == "Quarter"
    assert _shown(at.multiselect(key="fn_industries")) == ["Energy"]
    assert at.radio(key="fn_period").value == "quarter"


def test_reports_unit(open_as: OpenAs) -> None:
    at = open_as("manager", "pages/3_Reports.py")
    at.selectbox(key="rp_unit").set_value("thousand").run()
    _switch_to_english(at)
    assert _shown(at.selectbox(key="rp_unit")) == "KRW thousand"
    assert at.selectbox(key="rp_unit").value == "thousand"


def test_import_options(open_as: OpenAs) -> None:
    at = open_as("officer", "pages/5_Import.py")
    rows = [["회사명", "대표자", "업종"], ["(주)가져온에이아이", "김가상", "에너지"]]
    at.file_uploader(key="imp_file").set_value(("a.csv", csv_bytes(rows), "text/csv")).run()
    at.selectbox(key="imp_stage").set_value("startup").run()
    at.selectbox(key="imp_date_order").set_value("dmy").run()
    _switch_to_english(at)
    assert _shown(at.selectbox(key="imp_stage")) == "Startup"
    assert _shown(at.selectbox(key="imp_date_order")) == "day/month/year"
