"""Cached results of a filled form's formulas: what the evaluator computes, and what it leaves to
the spreadsheet (no cached value rather than a wrong one)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from crm.funder.cached import write_cached_values


def _book() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "실적"
    for r, (amount, count) in enumerate([(1_000, 2), (2_500, 3), (4_000, 0)], start=1):
        ws.cell(r, 1, amount)
        ws.cell(r, 2, count)
    ws["C1"] = "텍스트"
    other = wb.create_sheet("KPI 표")
    other["A1"] = 7
    return wb


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=SUM(A1:A3)", 7_500),
        ("=SUM(A1:A3)/1000", 7.5),
        ("=ROUND(A2/A3*100,1)", 62.5),
        ("=ROUND(2.5,0)", 3),  # halves away from zero, as Excel
        ("=ROUND(-2.5,0)", -3),
        ("=-A1+2*(A2-A3)", -4_000),
        ("=MAX(A1:A3)-MIN(A1:A3)", 3_000),
        ("=AVERAGE(B1:B3)", 5 / 3),
        ("=SUM(A1:A3,B1:B3,10)", 7_515),
        ("=SUM(A1:C3)", 7_505),  # text in the range is skipped
        ("='KPI 표'!A1*2", 14),
        ("=A1", 1_000),
        ("=D9", 0),  # an empty cell counts as 0
    ],
)
def test_computed(formula: str, expected: float) -> None:
    wb = _book()
    wb["실적"]["E1"] = formula
    buffer = io.BytesIO()
    wb.save(buffer)
    cached = load_workbook(io.BytesIO(write_cached_values(wb, buffer.getvalue())), data_only=True)
    assert cached["실적"]["E1"].value == pytest.approx(expected)


@pytest.mark.parametrize(
    "formula",
    ["=A1/B3", '=A1&"원"', "=IF(A1>0,1,0)", "=VLOOKUP(1,A1:B3,2,FALSE)", "=E1+1", "=[1]시트!A1"],
)
def test_left_to_the_spreadsheet(formula: str) -> None:
    wb = _book()
    wb["실적"]["E1"] = formula  # =E1+1 refers to itself: circular
    buffer = io.BytesIO()
    wb.save(buffer)
    content = write_cached_values(wb, buffer.getvalue())
    assert load_workbook(io.BytesIO(content), data_only=True)["실적"]["E1"].value is None
    assert load_workbook(io.BytesIO(content))["실적"]["E1"].value == formula
