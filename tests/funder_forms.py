"""Funder forms in the shape Korean agencies send them (실적 보고 양식), built with openpyxl.

Sheet 실적보고: a merged title, 기관명/작성일/보고기간 cells, a company table (header row 6,
three numbered rows 7-9, a validation on 지원유형, a merged 비고 column), a 합계 row of SUM
formulas (row 10), a signature block below (rows 12-15), print set-up, header/footer, defined
names. Sheet KPI: figure cells and a cell that refers to the first sheet's total."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAIN, KPI = "실적보고", "KPI"
HEADER_ROW, FIRST_ROW, FORM_ROWS, TOTAL_ROW = 6, 7, 3, 10
TABLE_COLUMNS = ("A", "B", "C", "D", "E", "F", "G")  # 번호 기업명 사업자번호 대표자 유형 금액 고용


def funder_form(*, chart: bool = False) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN
    ws["A1"] = "2022년 창업지원사업 실적 보고서"
    ws["A1"].font = Font(name="맑은 고딕", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:I1")
    ws.row_dimensions[1].height = 32
    ws["A3"], ws["A4"], ws["F3"] = "기관명", "보고기간", "작성일"
    ws.merge_cells("B3:D3")
    ws.merge_cells("B4:D4")
    headers = [
        "번호",
        "기업명",
        "사업자등록번호",
        "대표자",
        "지원유형",
        "지원금액",
        "고용(명)",
        "비고",
    ]
    for i, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, i, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=HEADER_ROW, start_column=8, end_row=HEADER_ROW, end_column=9)
    for r in range(FIRST_ROW, FIRST_ROW + FORM_ROWS):
        ws.cell(r, 1, r - FIRST_ROW + 1)
        for c in range(1, 10):
            ws.cell(r, c).border = BOX
        ws.cell(r, 6).number_format = "#,##0"
        ws.cell(r, 2).alignment = Alignment(horizontal="left", indent=1)
        ws.merge_cells(start_row=r, start_column=8, end_row=r, end_column=9)
        ws.row_dimensions[r].height = 21
    kinds = DataValidation(type="list", formula1='"멘토링,시제품,투자,해외"', allow_blank=True)
    ws.add_data_validation(kinds)
    kinds.add(f"E{FIRST_ROW}:E{FIRST_ROW + FORM_ROWS - 1}")
    ws.conditional_formatting.add(
        f"F{FIRST_ROW}:F{FIRST_ROW + FORM_ROWS - 1}",
        CellIsRule(operator="greaterThan", formula=["100000000"], font=Font(color="FF0000")),
    )
    ws.cell(TOTAL_ROW, 1, "합계").font = Font(bold=True)
    ws.merge_cells(start_row=TOTAL_ROW, start_column=1, end_row=TOTAL_ROW, end_column=5)
    ws.cell(TOTAL_ROW, 6, f"=SUM(F{FIRST_ROW}:F{TOTAL_ROW - 1})").number_format = "#,##0"
    ws.cell(TOTAL_ROW, 7, f"=SUM(G{FIRST_ROW}:G{TOTAL_ROW - 1})")
    for c in range(1, 10):
        ws.cell(TOTAL_ROW, c).border = BOX
    ws.row_dimensions[TOTAL_ROW].height = 24
    ws["A12"] = "위 내용이 사실과 다름없음을 확인합니다."
    ws.merge_cells("A12:I12")
    ws["E14"], ws["H14"] = "작성자", "(인)"
    ws.merge_cells("F14:G14")
    ws["E15"], ws["H15"] = "기관장", "(직인)"
    ws.row_dimensions[15].height = 28
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 16
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = "A1:I15"
    ws.print_title_rows = "6:6"
    ws.oddHeader.center.text = "실적 보고"
    ws.oddFooter.center.text = "&P / &N"
    wb.defined_names["지원금액합계"] = DefinedName(
        "지원금액합계", attr_text=f"'{MAIN}'!$F${TOTAL_ROW}"
    )
    wb.defined_names["기업목록"] = DefinedName(
        "기업목록", attr_text=f"'{MAIN}'!$A${FIRST_ROW}:$I${TOTAL_ROW - 1}"
    )
    kpi = wb.create_sheet(KPI)
    kpi["A1"] = "성과지표"
    kpi["A1"].font = Font(bold=True, size=14)
    labels = ["지원기업 수 (분기)", "지원기업 수 (누적)", "집행액 (누적)", "표의 지원금액 합계"]
    for i, label in enumerate(labels, start=3):
        kpi.cell(i, 1, label)
    kpi["B6"] = f"='{MAIN}'!F{TOTAL_ROW}"
    kpi.column_dimensions["A"].width = 28
    if chart:
        from openpyxl.chart import BarChart, Reference

        bar = BarChart()
        bar.add_data(Reference(kpi, min_col=2, min_row=3, max_row=5))
        kpi.add_chart(bar, "D3")
    return wb


def form_bytes(**kwargs: bool) -> bytes:
    buffer = io.BytesIO()
    funder_form(**kwargs).save(buffer)
    return buffer.getvalue()
