"""`crm template add|list|map|fill` mirror the Funder templates page (SQLite file database)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from crm.cli import main
from crm.db import make_engine
from crm.reports.figures import compute_figures
from crm.reports.options import Period
from tests.funder_forms import FIRST_ROW, FORM_ROWS, HEADER_ROW, KPI, MAIN, form_bytes


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CRM_EXPORTS_DIR", str(tmp_path / "exports"))
    return path


def test_add_map_list_fill(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "load"]) == 0
    form = tmp_path / "시 양식.xlsx"
    form.write_bytes(form_bytes())
    assert main(["template", "add", str(form), "--name", "광주시"]) == 0
    assert main(["template", "add", str(form), "--name", "광주시"]) == 2  # name taken
    mapping = {
        "institution": "가상 창업지원센터",
        "cells": [
            {"sheet": MAIN, "cell": "B3", "figure": "institution"},
            {"sheet": KPI, "cell": "B3", "figure": "supported_q"},
        ],
        "tables": [
            {
                "sheet": MAIN,
                "header_row": HEADER_ROW,
                "first_row": FIRST_ROW,
                "row_count": FORM_ROWS,
                "columns": [
                    {"column": "A", "field": "seq"},
                    {"column": "B", "field": "name"},
                    {"column": "F", "field": "krw_q"},
                ],
                "scope": "quarter",
            }
        ],
    }
    mapping_file = tmp_path / "map.json"
    mapping_file.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    assert main(["template", "map", "광주시", str(mapping_file)]) == 0
    capsys.readouterr()
    assert main(["template", "list"]) == 0
    listed = capsys.readouterr().out
    assert "광주시" in listed and "시 양식.xlsx" in listed
    out = tmp_path / "filled"
    code = main(
        ["template", "fill", "광주시", "--year", "2022", "--quarter", "3", "--unit", "thousand",
         "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == out / "시 양식-2022-Q3.xlsx"
    engine = make_engine()
    from sqlmodel import Session

    with Session(engine) as session:
        figures = compute_figures(session, Period(2022, 3))
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb[KPI]["B3"].value == figures.supported_q
    total_row = FIRST_ROW + figures.supported_q
    assert wb[MAIN].cell(total_row, 1).value == "합계"
    assert wb[MAIN].cell(total_row, 6).value == pytest.approx(figures.krw_q / 1_000)


def test_refusals_are_messages(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    macro = tmp_path / "form.xlsm"
    macro.write_bytes(form_bytes())
    assert main(["template", "add", str(macro), "--name", "매크로"]) == 2
    assert ".xlsm" in capsys.readouterr().err
    assert main(["template", "fill", "없음", "--year", "2022", "--quarter", "3",
                 "--out", str(tmp_path)]) == 2  # fmt: skip
    assert main(["template", "list"]) == 0
    assert "No funder templates yet" in capsys.readouterr().out
