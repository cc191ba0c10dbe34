from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from crm.exports.tables import Sheet, frames_to_xlsx


def test_frame_to_finished_sheet() -> None:
    frame = pd.DataFrame(
        {
            "기업명": ['=HYPERLINK("http://x","y")', "빛고을비전\x07", "+cmd"],
            "금액": [1_000_000, 2_500_000, 0],
            "지원일": [date(2022, 3, 4), None, date(2022, 12, 31)],
            "비율": [0.5, 0.25, None],
        }
    )
    data = frames_to_xlsx(
        [Sheet("기업 목록", frame, krw_columns=("금액",), note="가상 데모 데이터")]
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["기업 목록"]
    assert ws["A1"].value == "가상 데모 데이터"
    assert [c.value for c in ws[3]] == ["기업명", "금액", "지원일", "비율"]
    header = [ws.cell(3, col) for col in range(1, 5)]  # every header cell: bold on light blue
    assert [(c.font.b, c.fill.fill_type, c.fill.fgColor.rgb) for c in header] == [
        (True, "solid", "FFDDEBF7")
    ] * 4
    assert not ws["A4"].font.b and ws["A4"].fill.fill_type is None  # data rows are plain
    assert ws["A4"].value == '=HYPERLINK("http://x","y")' and ws["A4"].data_type == "s"
    assert ws["A5"].value == "빛고을비전"  # the bell character is removed
    assert ws["A6"].value == "+cmd" and ws["A6"].data_type == "s"
    assert ws["B5"].value == 2_500_000 and ws["B5"].number_format == "#,##0"
    assert ws["C4"].is_date and ws["C4"].value.date() == date(2022, 3, 4)
    assert ws["C5"].value is None
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:D6"


def test_sheet_names_are_made_valid_and_unique() -> None:
    frame = pd.DataFrame({"a": [1]})
    data = frames_to_xlsx([Sheet("a/b:c?" * 10, frame), Sheet("a/b:c?" * 10, frame)])
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(n.lower() for n in names)) == 2
    assert all(len(n) <= 31 and "/" not in n for n in names)
