"""The fill engine on a Korean-style form: the table grows and shrinks, what is below moves,
totals cover the new range with cached values, and everything else in the workbook is kept."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from crm.funder.engine import TableFill, fill_workbook
from crm.funder.refs import RowShift, shift_formula
from tests.funder_forms import FIRST_ROW, FORM_ROWS, KPI, MAIN, TABLE_COLUMNS, form_bytes


def company_rows(n: int) -> list[list[Any]]:
    return [
        [i + 1, f"기업{i + 1}", "123-45-67890", "홍길동", "멘토링", 1_000 * (i + 1), i % 3]
        for i in range(n)
    ]


def fill(n: int, cells: dict[tuple[str, str], Any] | None = None) -> bytes:
    table = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, company_rows(n), FORM_ROWS)
    return fill_workbook(form_bytes(), cells or {}, [table]).content


def opened(content: bytes, *, data_only: bool = False) -> Workbook:
    return load_workbook(io.BytesIO(content), data_only=data_only)


def merged(content: bytes) -> set[str]:
    return {r.coord for r in opened(content)[MAIN].merged_cells.ranges}


def test_table_grows_and_totals_follow_with_cached_values() -> None:
    content = fill(10)
    ws = opened(content)[MAIN]
    assert [ws.cell(r, 2).value for r in (7, 16)] == ["기업1", "기업10"]
    assert ws["A17"].value == "합계"
    assert ws["F17"].value == "=SUM(F7:F16)"
    assert ws["G17"].value == "=SUM(G7:G16)"
    cached = opened(content, data_only=True)
    assert cached[MAIN]["F17"].value == sum(1_000 * (i + 1) for i in range(10))
    assert cached[MAIN]["G17"].value == sum(i % 3 for i in range(10))
    # the second sheet's reference to the total moved with it, with its own cached value
    assert opened(content)[KPI]["B6"].value == f"='{MAIN}'!F17"
    assert cached[KPI]["B6"].value == 55_000


def test_pandas_reads_the_rows_the_total_and_the_signature_block_below() -> None:
    frame = pd.read_excel(io.BytesIO(fill(10)), sheet_name=MAIN, header=None, engine="calamine")
    assert frame.iloc[15, 1] == "기업10"
    assert frame.iloc[16, 0] == "합계" and frame.iloc[16, 5] == 55_000
    assert frame.iloc[18, 0] == "위 내용이 사실과 다름없음을 확인합니다."
    assert frame.iloc[20, 4] == "작성자" and frame.iloc[21, 7] == "(직인)"


def test_merged_cells_copied_to_new_rows_and_moved_below() -> None:
    ranges = merged(fill(10))
    assert {"A1:I1", "B3:D3", "H6:I6"} <= ranges  # above the table: unchanged
    assert {f"H{r}:I{r}" for r in range(7, 17)} <= ranges  # the template row's merge, per row
    assert {"A17:E17", "A19:I19", "F21:G21"} <= ranges  # total and signature moved by 7
    assert "A10:E10" not in ranges and "A12:I12" not in ranges


def test_styles_heights_and_number_formats_copied_from_the_template_row() -> None:
    ws = opened(fill(10))[MAIN]
    new, template = ws["F16"], ws["F7"]
    assert new.number_format == template.number_format == "#,##0"
    assert new.border.left.style == "thin" and new.border.bottom.style == "thin"
    assert ws["B16"].alignment.indent == 1
    assert ws.row_dimensions[16].height == 21
    assert ws.row_dimensions[17].height == 24  # the total row kept its own height
    assert ws.row_dimensions[22].height == 28  # the signature's row 15 is now 22
    assert ws.column_dimensions["B"].width == 24


def test_validation_and_conditional_format_cover_the_new_rows() -> None:
    ws = opened(fill(10))[MAIN]
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["E7:E16"]
    assert ws.data_validations.dataValidation[0].formula1 == '"멘토링,시제품,투자,해외"'
    assert [str(c.sqref) for c in ws.conditional_formatting] == ["F7:F16"]


def test_print_setup_header_footer_and_defined_names_kept_and_moved() -> None:
    wb = opened(fill(10))
    ws = wb[MAIN]
    assert ws.print_area == f"'{MAIN}'!$A$1:$I$22"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$6:$6"
    assert ws.oddHeader.center.text == "실적 보고"
    assert ws.oddFooter.center.text == "&P / &N"
    assert wb.defined_names["지원금액합계"].attr_text == f"'{MAIN}'!$F$17"
    assert wb.defined_names["기업목록"].attr_text == f"'{MAIN}'!$A$7:$I$16"


def test_table_shrinks_to_one_row_and_the_rest_moves_up() -> None:
    content = fill(1)
    ws = opened(content)[MAIN]
    assert ws["B7"].value == "기업1"
    assert ws["A8"].value == "합계" and ws["F8"].value == "=SUM(F7:F7)"
    assert ws["A10"].value == "위 내용이 사실과 다름없음을 확인합니다."
    assert {"A8:E8", "A10:I10", "H7:I7"} <= merged(content)
    assert "H8:I8" not in merged(content)
    assert opened(content, data_only=True)[KPI]["B6"].value == 1_000


def test_empty_table_keeps_one_blank_row_and_a_zero_total() -> None:
    content = fill(0)
    ws = opened(content)[MAIN]
    assert ws["A7"].value is None and ws["B7"].value is None
    assert ws["F8"].value == "=SUM(F7:F7)"
    assert opened(content, data_only=True)[MAIN]["F8"].value == 0


def test_form_sized_table_changes_nothing_around_it() -> None:
    content = fill(FORM_ROWS)
    ws = opened(content)[MAIN]
    assert ws["F10"].value == "=SUM(F7:F9)"
    assert opened(content, data_only=True)[MAIN]["F10"].value == 6_000


def test_formula_looking_text_is_written_as_text() -> None:
    hostile = '=HYPERLINK("http://evil.example","클릭")'
    content = fill(1, {(MAIN, "B3"): hostile, (KPI, "B3"): "+82-10-1234"})
    ws = opened(content)[MAIN]
    assert ws["B3"].data_type == "s" and ws["B3"].value == hostile
    assert opened(content, data_only=True)[MAIN]["B3"].value == hostile
    assert opened(content)[KPI]["B3"].value == "+82-10-1234"
    assert ws["B3"].quotePrefix is True


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=SUM(F7:F9)", "=SUM(F7:F16)"),
        ("=F10*2", "=F17*2"),
        ("=SUM($F$7:$F$9)+F3", "=SUM($F$7:$F$16)+F3"),
        ("=SUM(F8)", "=SUM(F8)"),
        ("=SUM(KPI!B3:B9)", "=SUM(KPI!B3:B9)"),
        ('="F10"&A11', '="F10"&A18'),
        ("=SUM(10:10)", "=SUM(17:17)"),
    ],
)
def test_references_move_with_the_table(formula: str, expected: str) -> None:
    assert shift_formula(formula, RowShift(MAIN, 7, 9, 16), MAIN) == expected


def test_two_tables_on_one_sheet_each_grow() -> None:
    first = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, company_rows(5), FORM_ROWS)
    second = TableFill(MAIN, 14, ("E", "F"), [["김", 1], ["이", 2], ["박", 3]], 1)
    outcome = fill_workbook(form_bytes(), {}, [first, second])
    assert [(p.first_row, p.last_row) for p in outcome.tables] == [(7, 11), (16, 18)]
    ws = opened(outcome.content)[MAIN]
    assert [ws.cell(r, 5).value for r in (16, 17, 18)] == ["김", "이", "박"]
    assert ws["E19"].value == "기관장"


def test_form_rows_counts_the_numbered_rows_down_to_the_total() -> None:
    from crm.funder.engine import load_template
    from crm.funder.mapping import form_rows

    ws = load_template(form_bytes())[MAIN]
    assert form_rows(ws, FIRST_ROW, ["A", "B", "F"]) == FORM_ROWS
    assert form_rows(ws, FIRST_ROW + 1, ["B"]) == FORM_ROWS - 1


def test_second_sheet_kept_as_it_was() -> None:
    kpi = opened(fill(10))[KPI]
    assert kpi["A1"].value == "성과지표" and kpi["A1"].font.b is True
    assert kpi["A1"].font.sz == 14
    assert [kpi.cell(r, 1).value for r in range(3, 7)] == [
        "지원기업 수 (분기)",
        "지원기업 수 (누적)",
        "집행액 (누적)",
        "표의 지원금액 합계",
    ]
    assert kpi.column_dimensions["A"].width == 28


def test_new_rows_merged_cells_keep_their_box() -> None:
    ws = opened(fill(10))[MAIN]
    assert ws["H16"].border.left.style == "thin"
    assert ws["I16"].border.right.style == "thin" and ws["I16"].border.bottom.style == "thin"


def test_excel_table_and_page_break_follow_the_rows() -> None:
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.table import Table

    from tests.funder_forms import funder_form

    wb = funder_form()
    ws = wb[MAIN]
    ws.add_table(Table(displayName="기업목록표", ref=f"A6:G{FIRST_ROW + FORM_ROWS - 1}"))
    ws.row_breaks.append(Break(id=11))  # a page break between the total and the signature
    buffer = io.BytesIO()
    wb.save(buffer)
    table = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, company_rows(10), FORM_ROWS)
    filled = opened(fill_workbook(buffer.getvalue(), {}, [table]).content)[MAIN]
    assert filled.tables["기업목록표"].ref == "A6:G16"
    assert [b.id for b in filled.row_breaks.brk] == [18]


def test_links_and_comments_below_move_with_their_cells() -> None:
    from openpyxl.comments import Comment

    from tests.funder_forms import funder_form

    wb = funder_form()
    ws = wb[MAIN]
    ws["A13"] = "서식 안내"
    ws["A13"].hyperlink = "https://example.org/guide"
    ws["E14"].comment = Comment("서명 후 제출", "기관")
    buffer = io.BytesIO()
    wb.save(buffer)
    table = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, company_rows(10), FORM_ROWS)
    filled = opened(fill_workbook(buffer.getvalue(), {}, [table]).content)[MAIN]
    assert filled["A20"].value == "서식 안내"
    assert filled["A20"].hyperlink.target == "https://example.org/guide"
    assert filled["A13"].hyperlink is None
    assert filled["E21"].comment.text == "서명 후 제출"
