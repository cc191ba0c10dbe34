"""A workbook saved by a real spreadsheet application imports as openpyxl reads it (the
reader before calamine): LibreOffice re-saves a small companies list as .xlsx.

Skips when LibreOffice is missing, except under CI=true (see test_report_libreoffice)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

from crm.importer.readers import read_upload
from tests.client.libreoffice import convert
from tests.importer_files import xlsx
from tests.unit.test_importer_xlsx_reading import openpyxl_as_imported, typed

ROWS = [
    ["2022년 입주기업 현황 (가상 데모 데이터)"],
    ["회사명", "사업자등록번호", "설립일", "직원 수", "투자 유치액", "비고"],
    ["빛고을에이아이", "123-45-67890", date(2020, 5, 1), 12, 1_200_000_000, "R&D <연구>"],
    ["  공백 있는 이름  ", "1234567890", date(1999, 12, 31), 0, 0.5, "줄\n바꿈"],
    ["합계", None, None, 12, 1_200_000_000.5, None],
]


def test_a_libreoffice_workbook_is_read_as_before(tmp_path: Path) -> None:
    source = tmp_path / "in" / "companies.xlsx"
    source.parent.mkdir()
    source.write_bytes(xlsx(ROWS, merges=[("A1:F1", ROWS[0][0])]))
    saved = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "lo")
    data = saved.read_bytes()
    assert b"LibreOffice" in _app_properties(data)  # saved by LibreOffice, not XlsxWriter
    raw = read_upload(data, "companies.xlsx")
    assert typed(raw.rows) == openpyxl_as_imported(data)
    assert raw.rows[2] == (
        3,
        ("빛고을에이아이", "123-45-67890", date(2020, 5, 1), 12, 1_200_000_000, "R&D <연구>"),
    )
    assert raw.rows[4][1][0] == "합계"
    assert [n.key for n in raw.notes] == ["importer.note.merged"]


def _app_properties(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("docProps/app.xml")
