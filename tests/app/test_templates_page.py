"""Funder templates page through AppTest: managers map a form's cells and table, save, fill; the
filled workbook's figures equal the quarterly report's; officers cannot open it."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import Engine
from sqlmodel import Session

from crm.reports.figures import compute_figures
from crm.reports.options import Period
from crm.services import templates as service
from crm.services.actor import actor_by_username
from tests.app.conftest import OpenAs
from tests.app.helpers import scalar
from tests.funder_forms import FIRST_ROW, KPI, MAIN, form_bytes

PAGE = "pages/7_Templates.py"


def _add(app_db: Engine) -> None:
    with Session(app_db) as s:
        manager = actor_by_username(s, "manager")
        service.add_template(s, manager, name="시 양식", filename="시양식.xlsx", data=form_bytes())


def test_officer_cannot_open_templates(open_as: OpenAs) -> None:
    at = open_as("officer", PAGE)
    assert at.error and "권한" in at.error[0].value
    assert len(at.dataframe) == 0


def test_manager_maps_saves_and_fills(open_as: OpenAs, app_db: Engine) -> None:
    _add(app_db)
    at = open_as("manager", PAGE)
    at.selectbox(key="tp_pick").set_value("시 양식").run()
    at.selectbox(key="tp_quarter").set_value(3).run()
    at.selectbox(key="tp_sheet").set_value(KPI).run()
    grid = at.dataframe[-1].value  # the sheet as a grid: Excel rows and column letters
    assert grid.loc[3, "A"] == "지원기업 수 (분기)" and list(grid.columns[:2]) == ["A", "B"]
    # a clicked grid cell (row position 2, column B) fills in the address
    at.session_state[f"tp_grid_1_{KPI}"] = {
        "selection": {"rows": [], "columns": [], "cells": [[2, "B"]]}
    }
    at.run()
    assert at.text_input(key="tp_cell").value == "B3"
    at.text_input(key="tp_cell").set_value("b3").run()
    figure = at.selectbox(key="tp_figure")
    assert "지원 기업 수 (분기, 인프라 지원 포함)" in [
        figure.format_func(o) for o in figure.options
    ]
    figure.set_value("supported_q").run()
    at.button(key="tp_map_cell").click().run()
    at.text_input(key="tp_cell").set_value("B5").run()
    at.selectbox(key="tp_figure").set_value("executed_ytd").run()
    at.button(key="tp_map_cell").click().run()
    assert not at.exception, at.exception
    at.selectbox(key="tp_sheet").set_value(MAIN).run()
    # the header row from a clicked grid cell (row 6), the first data row typed
    at.session_state[f"tp_grid_1_{MAIN}"] = {
        "selection": {"rows": [], "columns": [], "cells": [[5, "B"]]}
    }
    at.run()
    at.button(key="tp_use_header").click().run()
    assert at.number_input(key=f"tp_header_1_{MAIN}").value == 6
    at.number_input(key=f"tp_first_1_{MAIN}").set_value(FIRST_ROW).run()
    at.selectbox(key=f"tp_col_{MAIN}_6_companies_A").set_value("seq").run()
    at.selectbox(key=f"tp_col_{MAIN}_6_companies_B").set_value("name").run()
    at.selectbox(key=f"tp_col_{MAIN}_6_companies_F").set_value("krw_ytd").run()
    assert at.number_input(key=f"tp_rows_{MAIN}_{FIRST_ROW}_3").value == 3  # the form's rows
    at.button(key="tp_set_table").click().run()
    at.button(key="tp_save").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["매핑을 저장했습니다."]
    assert scalar(app_db, "SELECT MAX(number) FROM funder_mapping") == 2
    at.button(key="tp_fill").click().run()
    assert not at.exception, at.exception
    _, filename, content, closed, rows = at.session_state["tp_filled"]
    assert filename == "시양식-2022-Q3.xlsx" and not closed
    with Session(app_db) as s:
        figures = compute_figures(s, Period(2022, 3))
    assert rows == [figures.supported_ytd]
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    assert wb[KPI]["B3"].value == figures.supported_q
    assert wb[KPI]["B5"].value == figures.executed_ytd
    total = FIRST_ROW + figures.supported_ytd
    assert wb[MAIN].cell(total, 6).value == figures.krw_ytd
    assert scalar(app_db, "SELECT COUNT(*) FROM audit_entry WHERE entity = 'funder_template' "
                          "AND action = 'export'") == 1  # fmt: skip


def test_bad_cell_address_is_refused_with_a_message(open_as: OpenAs, app_db: Engine) -> None:
    _add(app_db)
    at = open_as("manager", PAGE, lang="en")
    at.selectbox(key="tp_pick").set_value("시 양식").run()
    at.text_input(key="tp_cell").set_value("3B").run()
    at.selectbox(key="tp_figure").set_value("supported_q").run()
    at.button(key="tp_map_cell").click().run()
    assert [e.value for e in at.error] == [
        "Enter a cell address (for example C4) and pick a figure."
    ]


def test_reports_page_lists_the_funder_forms(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("manager", "pages/3_Reports.py")
    assert "아직 올린 양식이 없습니다. '새 양식 올리기'에서 기관 양식을 올리세요." in [
        c.value for c in at.caption
    ]
    _add(app_db)
    at.run()
    assert "기관 양식 1개: 시 양식. 기관 양식 화면에서 분기마다 채워 내려받습니다." in [
        c.value for c in at.caption
    ]


def test_flagged_entries_are_shown_by_label(open_as: OpenAs, app_db: Engine) -> None:
    from crm.funder.mapping import CellMap, Mapping
    from tests.funder_forms import funder_form

    _add(app_db)
    with Session(app_db) as s:
        manager = actor_by_username(s, "manager")
        detail = service.get_template(s, manager, "시 양식")
        mapping = Mapping(
            cells=[CellMap(MAIN, "B3", "institution"), CellMap(KPI, "B3", "supported_q")]
        )
        service.save_mapping(s, manager, detail.id, mapping, opened_number=1)
        changed = funder_form()
        changed[MAIN]["A3"] = "발급처"  # the 기관명 label is gone
        buffer = io.BytesIO()
        changed.save(buffer)
        service.replace_file(s, manager, detail.id, filename="새양식.xlsx", data=buffer.getvalue())
    at = open_as("manager", PAGE)
    at.selectbox(key="tp_pick").set_value("시 양식").run()
    assert [w.value for w in at.warning] == [
        "새 양식 파일에서 찾지 못한 항목 1개가 있습니다. 다시 지정하기 전까지는 채우지 않습니다."
    ]
    flagged = at.dataframe[1].value
    assert list(flagged["위치"]) == ["B3"] and list(flagged["항목"]) == ["기관명"]
