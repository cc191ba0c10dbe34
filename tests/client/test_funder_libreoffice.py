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
