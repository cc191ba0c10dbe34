"""One sheet-name rule for the quarterly report and every table export (crm.reports.cells)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from crm.exports.tables import Sheet, frames_to_xlsx
from crm.reports.cells import sheet_title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("'인용'", "인용"),
        ("'기업 목록", "기업 목록"),
        ("기업 목록'", "기업 목록"),
        ("벨\x07소리", "벨소리"),
        ("a/b:c*d?[e]", "a b c d  e"),
        ("", "Sheet"),
        ("''", "Sheet"),
        ("x" * 30 + "'yz", "x" * 30),  # cut at 31 leaves a trailing apostrophe: trimmed
    ],
)
def test_titles_are_made_valid(title: str, expected: str) -> None:
    assert sheet_title(title, set()) == expected


def test_titles_are_unique_without_case_and_stay_short() -> None:
    used: set[str] = set()
    assert [sheet_title(t, used) for t in ("Data", "data", "DATA")] == [
        "Data",
        "data (2)",
        "DATA (3)",
    ]
    long = [sheet_title("가" * 40, used) for _ in range(2)]
    assert long == ["가" * 31, "가" * 27 + " (2)"]


def test_an_export_titled_with_a_leading_apostrophe_opens() -> None:
    """The export version raised on this before the two sheet-name functions became one."""
    frame = pd.DataFrame({"a": [1]})
    data = frames_to_xlsx([Sheet("'따옴표' 목록", frame), Sheet("'따옴표' 목록", frame)])
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == [
        "따옴표' 목록",
        "따옴표' 목록 (2)",
    ]
