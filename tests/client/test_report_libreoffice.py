"""A real spreadsheet application opens the quarterly workbook: LibreOffice converts it to PDF.

Skips when LibreOffice is missing, except under CI=true, where it must be installed
(`apt-get install -y --no-install-recommends libreoffice-calc`)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import Session

from crm import demo
from crm.db import make_engine
from crm.migrate import upgrade
from crm.reports.options import ReportOptions, Unit
from crm.reports.workbook import write_report
from tests.client.libreoffice import convert, soffice

SHEETS = 9


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_libreoffice_converts_the_report_to_pdf(tmp_path: Path) -> None:
    soffice()  # skips (or fails under CI) before any work when LibreOffice is missing
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    upgrade(engine)
    workbook = tmp_path / "report-2022-Q3.xlsx"
    with Session(engine) as session:
        demo.load(session)
        write_report(
            session, ReportOptions(2022, 3, Unit.THOUSAND), workbook, generated_by="클라이언트"
        )
    engine.dispose()
    pdf = convert(workbook, "pdf", tmp_path, tmp_path / "lo-profile")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # Every sheet prints at least one page; the detail sheets of 99 companies take more.
    assert _pdf_pages(data) > SHEETS
