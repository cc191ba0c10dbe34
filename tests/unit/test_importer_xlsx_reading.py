"""Reading .xlsx for import (python-calamine behind the importer's own checks), judged through
the public reading function: the values the importer worked with before (openpyxl's, with
whole numbers as int and dates as date), merged ranges, formulas, sheet choice, and hostile
files refused."""

from __future__ import annotations

import io
import time as clock
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.importer import xlsxcheck
from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from crm.importer.readers import read_upload
from tests.importer_files import BILLION_LAUGHS, part, rezip, xlsx

LIMITS = ImportLimits(max_bytes=20 * 2**20, max_rows=100_000)
Typed = list[tuple[int, tuple[tuple[str, Any], ...]]]


def typed(rows: list[tuple[int, tuple[Any, ...]]]) -> Typed:
    """Rows with each value's type name beside it: 1 == 1.0 == True, but they are not the same
    value to the importer."""
    return [(n, tuple((type(v).__name__, v) for v in values)) for n, values in rows]


def _as_the_importer_reads(value: Any) -> Any:
    """openpyxl's value in the importer's types: a midnight datetime is a date, whole floats
    int, an empty text None."""
    if isinstance(value, datetime) and value.time() == time():
        return value.date()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return None if value == "" else value


def openpyxl_as_imported(data: bytes) -> Typed:
    """What the importer read before calamine (openpyxl read-only, values only), in the
    importer's types, trailing empty cells cut and empty rows dropped."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.active
        sheet.reset_dimensions()
        kept: list[tuple[int, tuple[Any, ...]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_as_the_importer_reads(v) for v in values or ()]
            while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
                cells.pop()
            if cells:
                kept.append((number, tuple(cells)))
        return typed(kept)
    finally:
        book.close()


def imported(data: bytes, **kwargs: Any) -> Any:
    return read_upload(data, "book.xlsx", limits=kwargs.pop("limits", LIMITS), **kwargs)


def refusal(data: bytes, limits: ImportLimits = LIMITS) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        read_upload(data, "book.xlsx", limits=limits)
    return refused.value


def xlsxwriter_book(rows: list[list[Any]], **options: Any) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": not options.get("constant_memory"), **options})
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "time": book.add_format({"num_format": "hh:mm:ss"}),
    }
    ws = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, datetime):
                ws.write_datetime(r, c, value, formats["datetime"])
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime.combine(value, time()), formats["date"])
            elif isinstance(value, time):
                ws.write_datetime(r, c, value, formats["time"])
            else:
                ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


MIXED = [
    ["회사명", "금액", "비율", "설립일", "일시", "시각", "참", "비고"],
    [
        "빛고을에이아이",
        1200000,
        0.125,
        date(2020, 5, 1),
        datetime(2021, 3, 4, 5, 6, 7),
        time(9, 30),
    ],
    ["  앞뒤 공백  ", -3, 1e300, date(1910, 3, 1), datetime(1910, 3, 1, 12), time(0, 0), True],
    ["x y", 10**15, 5e-324, date(2000, 2, 29), None, time(23, 59, 59), False, "줄\n바꿈"],
    [None, None, None, None, None, None, None, None, None, None, "멀리"],
    [],
    ["탭\t문자", 0, -0.0, date(9999, 12, 31)],
]


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize("inline", [False, True], ids=["shared-strings", "inline-strings"])
@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_values_as_the_importer_read_them_before(inline: bool, date1904: bool) -> None:
    data = xlsxwriter_book(MIXED, constant_memory=inline, date_1904=date1904)
    rows = typed(imported(data).rows)
    assert rows == openpyxl_as_imported(data)
    assert rows[1][1][:4] == (
        ("str", "빛고을에이아이"),
        ("int", 1200000),
        ("float", 0.125),
        ("date", date(2020, 5, 1)),
    )
    assert rows[1][1][4:] == (("datetime", datetime(2021, 3, 4, 5, 6, 7)), ("time", time(9, 30)))
    assert rows[2][1][6] == ("bool", True)
    assert rows[4][0] == 5 and rows[4][1][-1] == ("str", "멀리")  # sparse: absolute positions


def test_an_openpyxl_workbook_durations_and_a_formula_without_a_saved_value() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["회사명", "금액", "기간", "수식"])
    ws.append(["빛고을", 1.5, timedelta(hours=30), "=A1"])
    ws["H10"] = "멀리 떨어진 셀"
    buffer = io.BytesIO()
    book.save(buffer)
    raw = imported(buffer.getvalue())
    assert raw.rows == [
        (1, ("회사명", "금액", "기간", "수식")),
        (2, ("빛고을", 1.5, timedelta(hours=30))),
        (10, (None, None, None, None, None, None, None, "멀리 떨어진 셀")),
    ]
    assert raw.formula_cells == frozenset({(2, 3)})


def test_formulas_rich_strings_and_error_cells() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["회사명", "합계", "문자", "참", "오류"])
    ws.write_rich_string(1, 0, "빛고을", bold, "에이아이", " 주식회사")
    ws.write_formula(1, 1, "=SUM(1,2)", None, 3)
    ws.write_formula(1, 2, '=CONCAT("a","b")', None, "ab")
    ws.write_formula(1, 3, "=TRUE()", None, True)
    ws.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    book.close()
    raw = imported(buffer.getvalue())
    assert raw.rows[1] == (2, ("빛고을에이아이 주식회사", 3, "ab", True))
    assert raw.formula_cells == frozenset({(2, 1), (2, 2), (2, 3), (2, 4)})
    assert [(n.key, n.params) for n in raw.notes] == [("importer.note.formulas", {"count": 4})]


# text openpyxl misreads is left out: "_x000D_" as typed, control characters (calamine reads
# both as written: test_text_as_typed)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).filter(
    lambda text: "_" not in text
)
VALUES = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(["  ", "0", "1.5", "=A1", "TRUE", "#N/A"]),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    # Whole seconds: a fraction of a day below one second rounds differently in each reader
    # (seen: 1 ms apart in the year 6360); the importer keeps dates, and times to the minute.
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=st.lists(st.lists(VALUES, max_size=7), min_size=1, max_size=8))
def test_random_grids_read_as_before(grid: list[list[Any]]) -> None:
    data = xlsxwriter_book(grid)
    assert typed(imported(data).rows) == openpyxl_as_imported(data)


def test_text_as_typed() -> None:
    texts = ["x_x000D_y", "_x005F_", "탭\t문자", "줄\n바꿈", "R&D <연구>"]
    assert imported(xlsx([texts])).rows == [(1, tuple(texts))]


# --- merged ranges, sheets ----------------------------------------------------------------------


def _merged_book() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    ws.merge_range("A1:C1", "2022년 입주기업 현황")
    ws.write_row(1, 0, ["회사명", "담당", "설립일"])
    ws.merge_range("A3:A4", "빛고을에이아이")
    ws.write_row(2, 1, ["김담당"])
    ws.write_row(3, 1, ["이담당"])
    book.close()
    return buffer.getvalue()


def test_merged_ranges_fill_down_their_first_column() -> None:
    raw = imported(_merged_book())
    assert raw.rows == [
        (1, ("2022년 입주기업 현황",)),
        (2, ("회사명", "담당", "설립일")),
        (3, ("빛고을에이아이", "김담당")),
        (4, ("빛고을에이아이", "이담당")),
    ]
    assert [(n.key, n.params) for n in raw.notes] == [("importer.note.merged", {"count": 2})]


@pytest.mark.parametrize("ref", ["A 3:A4", "A3:", "3A:A4", "A0:A4"])
def test_a_malformed_merged_range_is_reported_and_the_rest_read(ref: str) -> None:
    data = _merged_book()
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b'ref="A3:A4"', f'ref="{ref}"'.encode())
    raw = imported(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}))
    assert raw.rows[2:] == [(3, ("빛고을에이아이", "김담당")), (4, (None, "이담당"))]
    [note] = [n for n in raw.notes if n.key == "importer.note.merged_malformed"]
    assert note.params == {"count": 1, "refs": ref}
    assert ref in note.message("ko") and ref in note.message("en")
    assert [n.key for n in raw.notes if n.key == "importer.note.merged"] == ["importer.note.merged"]


def test_the_sheet_the_workbook_opens_on_or_the_one_asked_for() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("첫째").write_row(0, 0, ["회사명", "a"])
    second = book.add_worksheet("둘째")
    second.write_formula(0, 0, "=1+1", None, 2)
    second.activate()
    book.close()
    data = buffer.getvalue()
    raw = imported(data)
    assert (raw.sheet_name, raw.sheet_names, raw.rows) == ("둘째", ["첫째", "둘째"], [(1, (2,))])
    assert raw.formula_cells == frozenset({(1, 0)})
    first = imported(data, sheet="첫째")
    assert first.rows == [(1, ("회사명", "a"))] and first.formula_cells == frozenset()
    assert refusal_for_sheet(data, "셋째").key == "importer.refused.no_sheet"


def refusal_for_sheet(data: bytes, sheet: str) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        read_upload(data, "book.xlsx", sheet=sheet, limits=LIMITS)
    return refused.value


def test_a_wrong_dimension_tag_does_not_cut_rows() -> None:
    data = xlsx([["회사명", "업종"], ["빛고을", "헬스케어"], ["무등", "자동차"]])
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b'ref="A1:B3"', b'ref="A1"')
    assert len(imported(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet})).rows) == 3


# --- limits and hostile files -------------------------------------------------------------------


def test_a_far_away_cell_is_refused_before_the_reader_allocates_its_rectangle() -> None:
    """calamine builds the rectangle up to the farthest cell: A1 and XFD1048576 would ask for
    500 GB and abort the process."""
    data = xlsx([["회사명"], ["빛고을"]])
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b"</sheetData>", far)
    error = refusal(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}))
    assert (error.key, error.params) == ("importer.refused.sheet_extent", {"cell": "XFD1048576"})


@pytest.mark.parametrize(("cell", "refused"), [("B32000", False), ("B32001", True)])
def test_the_extent_limit_is_64_cells_a_row_of_the_row_limit(cell: str, refused: bool) -> None:
    limits = ImportLimits(20 * 2**20, 10)  # never below 1,000 rows: 64,000 cells
    data = xlsx([["회사명"], ["빛고을"]])
    far = f'<row r="{cell[1:]}"><c r="{cell}"><v>1</v></c></row></sheetData>'.encode()
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b"</sheetData>", far)
    data = rezip(data, replace={"xl/worksheets/sheet1.xml": sheet})
    if refused:
        assert refusal(data, limits).key == "importer.refused.sheet_extent"
    else:
        assert imported(data, limits=limits).rows[-1] == (int(cell[1:]), (None, 1))


def test_too_many_rows_are_refused() -> None:
    data = xlsx([["회사명"], ["a"], ["b"]])
    error = refusal(data, ImportLimits(20 * 2**20, 2))
    assert error.key == "importer.refused.too_many_rows"


DTD = BILLION_LAUGHS.split(b"?>", 1)[1]


def _with_prolog(prolog: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    data = xlsx([["회사명"], ["빛고을"]])
    body = part(data, name)
    body = body[body.index(b"?>") + 2 :]
    return rezip(data, replace={name: prolog + body.replace(b"<v>", b"<v>&lol9;", 1)})


def test_a_dtd_after_comments_is_refused() -> None:
    prolog = b'<?xml version="1.0"?>\n<!--' + b" " * 20_000 + b"-->\n<?pi x?>" + DTD
    error = refusal(_with_prolog(prolog))
    assert (error.key, error.params) == (
        "importer.refused.xml_entities",
        {"part": "xl/worksheets/sheet1.xml"},
    )
    assert "DTD" in error.message("en")


def test_a_prolog_longer_than_the_limit_is_refused() -> None:
    prolog = b'<?xml version="1.0"?>\n<!--' + b" " * 70_000 + b"-->" + DTD
    error = refusal(_with_prolog(prolog))
    assert (error.key, error.params) == (
        "importer.refused.xml_prolog",
        {"part": "xl/worksheets/sheet1.xml"},
    )


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_dtd_in_utf16_is_refused(codec: str) -> None:
    data = xlsx([["회사명"], ["빛고을"]])
    body = part(data, "xl/sharedStrings.xml").decode()
    body = body.replace('encoding="UTF-8"', 'encoding="UTF-16"').replace(
        "?>", "?>" + DTD.decode(), 1
    )
    error = refusal(rezip(data, replace={"xl/sharedStrings.xml": body.encode(codec)}))
    assert (error.key, error.params) == (
        "importer.refused.xml_entities",
        {"part": "xl/sharedStrings.xml"},
    )


def test_a_dtd_in_a_string_table_not_named_xml_is_refused() -> None:
    data = xlsx([["회사명"], ["빛고을"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name, body = info.filename, source.read(info.filename)
            if name == "xl/sharedStrings.xml":
                name = "xl/sharedStrings.dat"
                head, rest = body.split(b"?>", 1)
                body = head + b'?><!DOCTYPE sst [<!ENTITY e "X">]>' + rest
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                body = body.replace(b"sharedStrings.xml", b"sharedStrings.dat")
            target.writestr(name, body)
    error = refusal(out.getvalue())
    assert (error.key, error.params) == (
        "importer.refused.xml_entities",
        {"part": "xl/sharedStrings.dat"},
    )


def test_markup_that_only_looks_like_a_dtd_inside_a_string_is_read() -> None:
    text = "<!DOCTYPE x [<!ENTITY y 'z'>]>"
    assert imported(xlsx([[text]])).rows == [(1, (text,))]


def test_binary_parts_are_not_taken_for_xml() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"<!x" * 30_000
    data = rezip(xlsx([["회사명"], ["빛고을"]]), add={"xl/media/image1.png": png})
    assert len(imported(data).rows) == 2


@pytest.mark.parametrize("name", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_without_our_prolog_check_the_reader_still_expands_no_entity(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second line of defence: calamine expands no DTD entity (the bomb's cell reads empty,
    or the workbook is refused as unreadable), at once."""
    monkeypatch.setattr(xlsxcheck, "check_prolog", lambda zf, part_name: None)
    data = xlsx([["회사명", "b"], ["빛고을", "c"]])
    body = part(data, name)
    body = body[body.index(b"?>") + 2 :]
    body = body.replace(b"<v>", b"<v>&lol9;", 1).replace(b"<t>", b"<t>&lol9;", 1)
    started = clock.perf_counter()
    try:
        raw = imported(rezip(data, replace={name: BILLION_LAUGHS + body}))
    except ImportRefused as refused:
        assert refused.key == "importer.refused.unreadable"
    else:
        assert all("lol" not in str(v) for _, cells in raw.rows for v in cells)
    assert clock.perf_counter() - started < 1


def test_a_broken_sheet_is_refused_as_unreadable() -> None:
    data = xlsx([["회사명"], ["빛고을"]])
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b"</sheetData>", b"")
    assert refusal(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet})).key == (
        "importer.refused.unreadable"
    )
