"""LibreOffice opens a filled funder form: the PDF conversion succeeds, and LibreOffice's own
reading of the sheet (a CSV conversion) has the grown table, the 합계 row's totals and the
signature block below the table. Skips without LibreOffice, except under CI=true."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from crm.funder.engine import TableFill, fill_workbook
from tests.client.libreoffice import convert, soffice
from tests.funder_forms import FIRST_ROW, FORM_ROWS, MAIN, TABLE_COLUMNS, form_bytes

ROWS = 40


def _filled(tmp_path: Path) -> Path:
    rows = [
        [i + 1, f"가상기업 {i + 1}", "123-45-67890", "김대표", "멘토링", 1_000_000 * (i + 1), i % 4]
        for i in range(ROWS)
    ]
    table = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, rows, FORM_ROWS)
    outcome = fill_workbook(form_bytes(), {(MAIN, "B3"): "가상 창업지원센터"}, [table])
    path = tmp_path / "filled.xlsx"
    path.write_bytes(outcome.content)
    return path


def test_libreoffice_converts_the_filled_form(tmp_path: Path) -> None:
    soffice()
    path = _filled(tmp_path)
    pdf = convert(path, "pdf", tmp_path, tmp_path / "lo-profile").read_bytes()
    assert pdf.startswith(b"%PDF")
    # 40 table rows on a landscape A4 fitted to one page wide: more than one page, each printed
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 2
    text = convert(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path, tmp_path / "p2")
    with text.open(encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    total = FIRST_ROW + ROWS  # the 합계 row, 1-based
    assert lines[2][1] == "가상 창업지원센터"
    assert lines[FIRST_ROW - 1][:2] == ["1", "가상기업 1"]
    assert lines[total - 2][:2] == [str(ROWS), f"가상기업 {ROWS}"]
    assert lines[total - 1][0] == "합계"
    assert lines[total - 1][5].replace(",", "") == str(
        sum(1_000_000 * (i + 1) for i in range(ROWS))
    )
    assert lines[total - 1][6] == str(sum(i % 4 for i in range(ROWS)))
    assert lines[total + 1][0] == "위 내용이 사실과 다름없음을 확인합니다."
    assert lines[total + 3][4] == "작성자" and lines[total + 4][7] == "(직인)"


def test_a_form_saved_by_libreoffice_fills_the_same(tmp_path: Path) -> None:
    """A form as a spreadsheet application writes it (shared strings, its own styles and
    merges), not as openpyxl does: the table grows and the totals follow all the same."""
    import io

    import openpyxl

    soffice()
    source = tmp_path / "form.xlsx"
    source.write_bytes(form_bytes())
    saved = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo", tmp_path / "p3")
    rows = [[i + 1, f"가상기업 {i + 1}", "", "", "멘토링", 1_000 * (i + 1), 1] for i in range(12)]
    table = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, rows, FORM_ROWS)
    content = fill_workbook(saved.read_bytes(), {}, [table]).content
    total = FIRST_ROW + len(rows)
    formulas = openpyxl.load_workbook(io.BytesIO(content))[MAIN]
    assert formulas.cell(total, 6).value == f"=SUM(F{FIRST_ROW}:F{total - 1})"
    cached = openpyxl.load_workbook(io.BytesIO(content), data_only=True)[MAIN]
    assert cached.cell(total, 1).value == "합계" and cached.cell(total, 6).value == 78_000
    assert cached.cell(total + 2, 1).value == "위 내용이 사실과 다름없음을 확인합니다."
    assert f"A{total}:E{total}" in {r.coord for r in formulas.merged_cells.ranges}
