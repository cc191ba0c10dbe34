"""Reading files for import: encodings, hostile workbooks, limits, header detection, mapping,
skipped rows, templates. Every file is built here, reproducing one quirk."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from crm.importer import ImportKind, ImportRefused, load_file, template_workbook
from crm.importer.errors import ImportRefused as Refused
from crm.importer.fields import fields_for
from crm.importer.limits import ImportLimits, import_limits
from crm.importer.mapping import check_mapping, column_unit, normalise_header, suggest_mapping
from crm.importer.model import SkipReason
from crm.importer.readers import read_upload
from tests.importer_files import (
    csv_bytes,
    openpyxl_xlsx,
    part,
    rezip,
    with_xml_bomb,
    xlsx,
)

HEADER = ["회사명", "사업자등록번호", "설립일", "업종"]
ROWS = [
    ["빛고을에이아이", "220-81-62517", "2020-05-01", "헬스케어"],
    ["무등로보틱스", None, None, "자동차"],
]


def _refused(key: str, data: bytes, filename: str, **kwargs: object) -> Refused:
    with pytest.raises(ImportRefused) as caught:
        load_file(data, filename, **kwargs)  # type: ignore[arg-type]
    assert caught.value.key == key
    return caught.value


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("cp949", False, "cp949")],
)
def test_csv_encodings_korean_offices_use(encoding: str, bom: bool, expected: str) -> None:
    table = load_file(csv_bytes([HEADER, *ROWS], encoding=encoding, bom=bom), "list.csv")
    assert table.encoding == expected
    assert table.labels == HEADER
    assert [cells[0] for _, cells in table.rows] == ["빛고을에이아이", "무등로보틱스"]
    assert table.kind == ImportKind.COMPANIES


def test_euc_kr_reads_as_cp949() -> None:
    table = load_file(csv_bytes([HEADER, *ROWS], encoding="euc_kr"), "list.csv")
    assert table.encoding == "cp949" and table.rows[0][1][0] == "빛고을에이아이"


def test_a_stray_cp1252_byte_is_read_and_reported() -> None:
    data = "회사명,업종\n".encode() + b"BYJU\x92S,E-Tech\n" + "빛고을,헬스케어\n".encode()
    table = load_file(data, "funding.csv")
    assert table.rows[0][1][0] == "BYJU’S"
    assert table.encoding == "utf-8+cp1252"
    [note] = [n for n in table.notes if n.key == "importer.note.stray_bytes"]
    assert note.params == {"count": 1, "lines": "2"}
    assert "Windows-1252" in note.message("en")


def test_utf16_tab_separated_as_excel_saves_unicode_text() -> None:
    text = "회사명\t업종\n빛고을\t헬스케어\n"
    table = load_file(b"\xff\xfe" + text.encode("utf-16-le"), "list.txt")
    assert table.labels == ["회사명", "업종"] and table.rows == [(2, ("빛고을", "헬스케어"))]


def test_semicolon_csv() -> None:
    table = load_file(csv_bytes([HEADER, *ROWS], delimiter=";"), "list.csv")
    assert table.labels == HEADER


# --- refused files ------------------------------------------------------------------------------


def test_not_a_zip() -> None:
    _refused("importer.refused.not_zip", b"this is not a workbook at all", "list.xlsx")


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "hi")
    _refused("importer.refused.not_workbook", buffer.getvalue(), "list.xlsx")


def test_old_xls_and_password_protected() -> None:
    _refused("importer.refused.old_format", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "list.xls")
    _refused("importer.refused.old_format", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "list.xlsx")


def test_macros_by_extension_and_by_content() -> None:
    good = xlsx([HEADER, *ROWS])
    _refused("importer.refused.macros", good, "list.xlsm")
    with_vba = rezip(good, add={"xl/vbaProject.bin": b"\0" * 64})
    _refused("importer.refused.macros", with_vba, "list.xlsx")
    types = part(good, "[Content_Types].xml").replace(
        b"sheet.main+xml", b"sheet.macroEnabled.main+xml"
    )
    _refused(
        "importer.refused.macros", rezip(good, replace={"[Content_Types].xml": types}), "a.xlsx"
    )


def test_external_links() -> None:
    linked = rezip(xlsx([HEADER, *ROWS]), add={"xl/externalLinks/externalLink1.xml": b"<x/>"})
    _refused("importer.refused.external_links", linked, "list.xlsx")


def test_xml_bomb_is_refused_before_parsing() -> None:
    bombed = with_xml_bomb(xlsx([HEADER, *ROWS]))
    error = _refused("importer.refused.xml_entities", bombed, "list.xlsx")
    assert error.params == {"part": "xl/worksheets/sheet1.xml"}
    shared = with_xml_bomb(xlsx([HEADER, *ROWS]), "xl/sharedStrings.xml")
    _refused("importer.refused.xml_entities", shared, "list.xlsx")


def test_zip_bomb_by_uncompressed_size() -> None:
    data = rezip(xlsx([HEADER, *ROWS]), add={"xl/media/big.bin": b"\0" * (3 * 2**20)})
    limits = ImportLimits(max_bytes=100_000, max_rows=100)
    with pytest.raises(ImportRefused) as caught:
        read_upload(data, "list.xlsx", limits=limits)
    assert caught.value.key == "importer.refused.zip_bomb"


def test_size_and_row_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert import_limits() == ImportLimits(20 * 2**20, 100_000)
    monkeypatch.setenv("CRM_IMPORT_MAX_ROWS", "2")
    monkeypatch.setenv("CRM_IMPORT_MAX_MB", "1")
    assert import_limits() == ImportLimits(2**20, 2)
    error = _refused("importer.refused.too_many_rows", csv_bytes([HEADER, *ROWS]), "list.csv")
    assert "2" in error.message("en")
    _refused("importer.refused.too_many_rows", xlsx([HEADER, *ROWS]), "list.xlsx")
    big = b"a,b\n" + b"x,y\n" * (2**20 // 4 + 10)
    error = _refused("importer.refused.too_large", big, "list.csv")
    assert error.params["max_mb"] == 1
    monkeypatch.setenv("CRM_IMPORT_MAX_ROWS", "many")
    with pytest.raises(ValueError, match="CRM_IMPORT_MAX_ROWS"):
        import_limits()


def test_other_refusals() -> None:
    _refused("importer.refused.file_type", b"x", "list.pdf")
    _refused("importer.refused.empty", b"  \n", "list.csv")
    _refused("importer.refused.binary", b"\x00\x01\x02abc", "list.csv")
    _refused("importer.refused.no_sheet", xlsx([HEADER]), "list.xlsx", sheet="Other")


def test_a_renamed_workbook_is_read_as_a_workbook() -> None:
    table = load_file(xlsx([HEADER, *ROWS]), "list.csv")
    assert table.labels == HEADER and len(table.rows) == 2


# --- the table inside a sheet -----------------------------------------------------------------


def test_header_below_title_rows_merged_cells_totals_and_blanks() -> None:
    rows = [
        ["2022년 입주기업 현황"],
        [None],
        ["(단위: 천원)"],
        ["No", "회사명", "업종", "매출액", "담당"],
        [1, "빛고을에이아이", "헬스케어", 1500, "officer"],
        [2, "무등로보틱스", "자동차", 2500, None],
        [None],
        [3, "영산에너지", "에너지", 1000, None],
        ["합계", None, None, 5000, None],
        ["※ 출처: 광주 AI 창업지원"],
        ["(예시) 예시회사", "헬스케어"],
    ]
    data = xlsx(rows, merges=[("A1:E1", "2022년 입주기업 현황"), ("E5:E6", "officer")])
    table = load_file(data, "list.xlsx", kind="companies")
    assert table.header_row == 4
    assert table.labels == ["No", "회사명", "업종", "매출액", "담당"]
    assert [n for n, _ in table.rows] == [5, 6, 8]
    assert table.rows[1][1][4] == "officer"  # merged down from row 5
    assert [(s.row, s.reason) for s in table.skipped] == [
        (1, SkipReason.TITLE),
        (3, SkipReason.TITLE),
        (7, SkipReason.BLANK),
        (9, SkipReason.TOTALS),
        (10, SkipReason.NOTE),
        (11, SkipReason.EXAMPLE),
    ]
    assert table.skipped[0].message("ko") == "머리글 위의 제목 행: 2022년 입주기업 현황"
    assert table.unit_hint == "천원"
    assert table.mapping == {
        "No": None,
        "회사명": "name_ko",
        "업종": "industry",
        "매출액": None,
        "담당": "officer",
    }
    assert [n.key for n in table.notes] == ["importer.note.merged", "importer.note.unit"]


@pytest.mark.parametrize("word", ["합계", "계", "총계", "소계", "Total", "TOTAL:", "Grand total"])
def test_totals_rows_in_any_spelling(word: str) -> None:
    table = load_file(csv_bytes([HEADER, ROWS[0], [word, None, None, None]]), "a.csv")
    assert [s.reason for s in table.skipped] == [SkipReason.TOTALS]


def test_formulas_are_read_as_saved_values_never_run() -> None:
    data = xlsx(
        [["회사명", "금액"], ["빛고을", 100], ["무등", 200]],
        formulas={"B4": ("=SUM(B2:B3)", 300), "A4": ('=HYPERLINK("http://x","합계")', "합계")},
    )
    table = load_file(data, "list.xlsx", kind="companies")
    assert table.rows == [(2, ("빛고을", 100)), (3, ("무등", 200))]
    assert table.skipped[0].reason == SkipReason.TOTALS
    assert table.formula_cells == frozenset({(4, 0), (4, 1)})
    assert table.notes[0].key == "importer.note.formulas"


def test_formula_without_saved_value_reads_empty_and_is_known() -> None:
    table = load_file(
        openpyxl_xlsx([["회사명", "설립일"], ['=CONCAT("a","b")', "2020-01-01"]]), "a.xlsx"
    )
    assert table.rows == [(2, (None, "2020-01-01"))]
    assert (2, 0) in table.formula_cells


def test_wrong_dimension_tag_does_not_cut_rows() -> None:
    data = xlsx([HEADER, *ROWS])
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(
        b'<dimension ref="A1:D3"/>', b'<dimension ref="A1"/>'
    )
    table = load_file(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), "list.xlsx")
    assert len(table.rows) == 2 and table.labels == HEADER


def test_dates_and_numbers_keep_their_types() -> None:
    data = xlsx([["회사명", "설립일", "금액"], ["빛고을", date(2020, 5, 1), 1200000]])
    table = load_file(data, "list.xlsx")
    assert table.rows == [(2, ("빛고을", date(2020, 5, 1), 1200000))]


def test_no_recognised_header_uses_the_first_row() -> None:
    table = load_file(csv_bytes([["a", "b"], ["1", "2"]]), "x.csv")
    assert table.header_row == 1 and table.mapping == {"a": None, "b": None}
    assert table.notes[-1].key == "importer.note.header_guess"


def test_kind_is_guessed_from_headers() -> None:
    activities = csv_bytes(
        [
            ["기업명", "지원일자", "지원유형", "지원금액"],
            ["빛고을", "2022-03-04", "멘토링", "30만원"],
        ]
    )
    outcomes = csv_bytes([["회사명", "연도", "분기", "고용인원"], ["빛고을", "2022", "1분기", "5"]])
    assert load_file(activities, "a.csv").kind == ImportKind.ACTIVITIES
    assert load_file(outcomes, "o.csv").kind == ImportKind.OUTCOMES
    assert load_file(csv_bytes([HEADER, *ROWS]), "c.csv").kind == ImportKind.COMPANIES


# --- column mapping ------------------------------------------------------------------------------


def test_header_variants_map_to_fields() -> None:
    labels = [
        "사업자번호",
        "BRN",
        "기업명",
        "CEO",
        "설립일자",
        "Founded",
        "회사명(영문)",
        "사업자등록번호(10자리)",
        "E-mail",
        "연락처",
    ]
    fields = fields_for(ImportKind.COMPANIES)
    assert suggest_mapping(labels, fields) == {
        "사업자번호": "brn",
        "BRN": None,  # a field is mapped once: the leftmost column wins
        "기업명": "name_ko",
        "CEO": "representative",
        "설립일자": "founded_on",
        "Founded": None,
        "회사명(영문)": "name_en",
        "사업자등록번호(10자리)": None,
        "E-mail": "email",
        "연락처": "phone",
    }
    assert normalise_header(" Date ") == "date"
    assert normalise_header("금액(만원)") == "금액"


def test_units_from_headers() -> None:
    assert column_unit("금액(만원)") == 10_000
    assert column_unit("매출액 (단위: 백만원)") == 10**6
    assert column_unit("AmountInUSD") == "USD"
    assert column_unit("금액", "천원") == 1000
    assert column_unit("금액(원)", "천원") == 1


def test_check_mapping_refuses_what_cannot_work() -> None:
    fields = fields_for(ImportKind.COMPANIES)
    labels = ["회사명", "이름2"]
    with pytest.raises(ImportRefused) as caught:
        check_mapping(
            {"회사명": "name_ko", "이름2": "name_ko"}, labels, ImportKind.COMPANIES, fields
        )
    assert caught.value.key == "importer.refused.mapping_twice"
    with pytest.raises(ImportRefused) as caught:
        check_mapping({"회사명": None, "이름2": None}, labels, ImportKind.COMPANIES, fields)
    assert caught.value.key == "importer.refused.mapping_missing"
    with pytest.raises(ImportRefused) as caught:
        check_mapping({"회사명": "nonsense"}, labels, ImportKind.COMPANIES, fields)
    assert caught.value.key == "importer.refused.mapping_field"
    with pytest.raises(ImportRefused) as caught:
        check_mapping({"없는열": "name_ko"}, labels, ImportKind.COMPANIES, fields)
    assert caught.value.key == "importer.refused.mapping_column"


# --- templates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ImportKind))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_template_has_headers_example_and_lists(kind: ImportKind, lang: str) -> None:
    data = template_workbook(kind, lang)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    table = load_file(data, f"template-{kind}.xlsx", kind=kind)
    assert table.labels == headers
    assert table.rows == []  # the example row is recognised and skipped
    assert [s.reason for s in table.skipped] == [SkipReason.EXAMPLE]
    assert None not in table.mapping.values()  # every header maps back to its field
    lists = book.worksheets[1]
    assert lists.sheet_state == "hidden"
    found: dict[str, list[str]] = {}
    for validation in sheet.data_validations.dataValidation:
        column = next(iter(validation.sqref.ranges)).min_col
        source = validation.formula1.split("!")[1].replace("$", "")
        found[headers[column - 1]] = [c.value for (c,) in lists[source]]
    expected = {
        ImportKind.COMPANIES: {
            ("단계", "Stage"): {
                "ko": ["예비창업", "창업/초기", "성장"],
                "en": ["Pre-startup", "Startup", "Growth"],
            },
            ("업종", "Industry"): {
                "ko": ["자동차", "헬스케어", "에너지", "기타"],
                "en": ["Automotive", "Healthcare", "Energy", "Other"],
            },
        },
        ImportKind.ACTIVITIES: {
            ("지원유형", "Support kind"): {
                "ko": [
                    "멘토링",
                    "시제품 제작",
                    "투자펀드",
                    "해외진출",
                    "HPC 컴퓨팅 자원",
                    "시험·실증 장비",
                ],
                "en": [
                    "Mentoring",
                    "Prototype production",
                    "Fund investment",
                    "Overseas expansion",
                    "HPC compute",
                    "Test equipment",
                ],
            },
            ("상태", "Status"): {
                "ko": ["계획", "진행 중", "완료", "취소"],
                "en": ["Planned", "In progress", "Completed", "Cancelled"],
            },
            # Kind fields: labelled by their declaration, their choices' labels listed.
            ("투자 단계", "Round"): {
                "ko": ["시드", "프리A", "시리즈 A", "시리즈 B", "시리즈 C", "브릿지", "기타"],
                "en": ["Seed", "Pre-A", "Series A", "Series B", "Series C", "Bridge", "Other"],
            },
            ("프로그램 유형", "Programme type"): {
                "ko": ["전시회", "시장조사", "현지화", "수출계약"],
                "en": ["Exhibition", "Market research", "Localisation", "Export contract"],
            },
            ("장비", "Equipment"): {
                "ko": [
                    "자율주행 가상 시험 장비",
                    "전기차 배터리 시험기",
                    "의료영상 AI 검증 장비",
                    "에너지 저장장치 시험기",
                    "전자파 적합성 시험실",
                    "엣지 AI 성능 시험대",
                ],
                "en": [
                    "Autonomous-driving virtual test rig",
                    "EV battery tester",
                    "Medical-imaging AI validation rig",
                    "Energy-storage tester",
                    "EMC test chamber",
                    "Edge-AI performance bench",
                ],
            },
            ("시험성적서 발급", "Test report issued"): {
                "ko": ["발급", "미발급"],
                "en": ["Issued", "Not issued"],
            },
        },
        ImportKind.OUTCOMES: {},
    }[kind]
    assert found == {
        names[0 if lang == "ko" else 1]: values[lang] for names, values in expected.items()
    }


def test_template_lists_programmes_and_officers_when_given() -> None:
    data = template_workbook(
        "activities", "ko", programmes=["2022 창업 멘토링"], officers=["officer"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    columns = {
        headers[next(iter(v.sqref.ranges)).min_col - 1]
        for v in sheet.data_validations.dataValidation
    }
    assert {"지원사업", "담당자"} <= columns
