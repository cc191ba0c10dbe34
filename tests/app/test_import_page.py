"""Import page through AppTest: upload, mapping, preview, confirm, history and undo."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.app.conftest import OpenAs
from tests.app.helpers import scalar
from tests.importer_files import csv_bytes, part, rezip, xlsx
from tests.support import snapshot

ROWS = [
    ["2022년 입주기업 현황 (가상 데모)"],
    [],
    ["회사명", "대표자", "설립일", "업종"],
    ["(주)가져온에이아이", "김가상", "2021.3.4", "에너지"],
    ["수입테스트랩 주식회사", "이가상", "2020년 5월 6일", "헬스케어"],
    ["", "", "", ""],
    ["합계", "", "", ""],
]


def _upload(at, name: str = "tenants.csv", rows=ROWS):  # noqa: ANN001, ANN202
    at.file_uploader(key="imp_file").set_value((name, csv_bytes(rows), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_preview_writes_nothing_then_confirm_imports(open_as: OpenAs, app_db: Engine) -> None:
    at = _upload(open_as("officer", "pages/5_Import.py"))
    assert any("3행에서 머리글을 찾았습니다" in c.value for c in at.caption)
    before = snapshot(app_db)
    at.selectbox(key="imp_stage").set_value("startup")
    at.button(key="imp_preview").click().run()
    assert snapshot(app_db) == before
    counts = [m.value for m in at.markdown if m.value.startswith("**새로 추가")]
    assert counts and counts[0].startswith("**새로 추가 2 · 수정 0")
    at.button(key="imp_confirm").click().run()
    assert not at.exception
    assert (
        scalar(
            app_db,
            "SELECT COUNT(*) FROM company WHERE name_ko IN ('(주)가져온에이아이', '수입테스트랩 주식회사')",
        )
        == 2
    )
    assert scalar(app_db, "SELECT COUNT(*) FROM import_batch") == 1
    context = scalar(app_db, "SELECT MIN(context) FROM audit_entry WHERE context LIKE 'import #%'")
    assert "tenants.csv" in context
    assert any(s.value.startswith("가져오기 #1: 추가 2") for s in at.success)


def test_missing_stage_refuses_the_whole_file(open_as: OpenAs, app_db: Engine) -> None:
    at = _upload(open_as("officer", "pages/5_Import.py"))
    at.button(key="imp_preview").click().run()
    before = snapshot(app_db)
    at.button(key="imp_confirm").click().run()
    assert at.error[0].value.startswith("오류가 있는 행이 있어 아무것도 저장하지 않았습니다")
    assert snapshot(app_db) == before


def test_manager_undoes_an_import(open_as: OpenAs, app_db: Engine) -> None:
    at = _upload(open_as("manager", "pages/5_Import.py"))
    at.selectbox(key="imp_stage").set_value("growth")
    at.button(key="imp_preview").click().run()
    at.button(key="imp_confirm").click().run()
    companies = scalar(app_db, "SELECT COUNT(*) FROM company")
    [b for b in at.button if b.label == "가져오기 되돌리기"][0].click().run()
    assert scalar(app_db, "SELECT COUNT(*) FROM company") == companies - 2
    assert scalar(app_db, "SELECT undone_at IS NOT NULL FROM import_batch") == 1


def test_analyst_cannot_open_import(open_as: OpenAs) -> None:
    at = open_as("analyst", "pages/5_Import.py")
    assert at.error[0].value == "이 화면을 볼 권한이 없습니다 (분석가)."
    assert len(at.get("file_uploader")) == 0


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_two_row_header_shows_its_joined_names(open_as: OpenAs) -> None:
    rows = [
        ["기본정보", None, "소재지", "단계", "업종"],
        ["회사명", "대표자명", None, None, None],
        ["(주)가져온에이아이", "김가상", "북구", "예비", "에너지"],
    ]
    data = xlsx(rows, merges=[("A1:B1", "기본정보")])
    at = open_as("officer", "pages/5_Import.py")
    at.file_uploader(key="imp_file").set_value(("grouped.xlsx", data, XLSX_TYPE)).run()
    assert not at.exception, at.exception
    labels = {s.label for s in at.selectbox if s.key and s.key.startswith("imp_map_")}
    assert labels == {"기본정보 / 회사명", "기본정보 / 대표자명", "소재지", "단계", "업종"}
    assert any("1–2행에 걸쳐" in c.value for c in at.caption)
    at.button(key="imp_preview").click().run()
    counts = [m.value for m in at.markdown if m.value.startswith("**새로 추가")]
    assert counts and counts[0].startswith("**새로 추가 1 · 수정 0")


def test_a_malformed_merged_range_is_a_warning(open_as: OpenAs) -> None:
    data = xlsx(
        [["회사명", "업종"], ["빛고을", "에너지"], [None, "자동차"]], merges=[("A2:A3", "빛고을")]
    )
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b'ref="A2:A3"', b'ref="A 2:A3"')
    data = rezip(data, replace={"xl/worksheets/sheet1.xml": sheet})
    at = open_as("officer", "pages/5_Import.py")
    at.file_uploader(key="imp_file").set_value(("merged.xlsx", data, XLSX_TYPE)).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning if "A 2:A3" in w.value]


def test_empty_cells_clear_values_when_chosen(open_as: OpenAs, app_db: Engine) -> None:
    """Off by default (an empty cell leaves the stored value); on, the page lists the fields an
    empty cell clears and the required ones it never clears, and the import clears them."""
    at = _upload(open_as("officer", "pages/5_Import.py"))
    at.selectbox(key="imp_stage").set_value("startup")
    at.button(key="imp_preview").click().run()
    at.button(key="imp_confirm").click().run()
    blank = [ROWS[2], ["(주)가져온에이아이", "", "2021.3.4", "에너지"]]
    at = _upload(open_as("officer", "pages/5_Import.py"), "again.csv", blank)
    assert at.checkbox(key="imp_empty_clears").value is False
    captions = [c.value for c in at.caption]
    assert "빈 칸이 지우는 항목: 대표자, 설립일" in captions
    assert "필수라 지우지 않는 항목(빈 칸이면 그 행은 오류): 회사명, 업종" in captions
    at.button(key="imp_preview").click().run()
    counts = [m.value for m in at.markdown if m.value.startswith("**새로 추가")]
    assert counts[0].startswith("**새로 추가 0 · 수정 0")
    at.checkbox(key="imp_empty_clears").check().run()
    at.button(key="imp_preview").click().run()
    counts = [m.value for m in at.markdown if m.value.startswith("**새로 추가")]
    assert counts[0].startswith("**새로 추가 0 · 수정 1")
    at.button(key="imp_confirm").click().run()
    assert not at.exception
    name = "(주)가져온에이아이"
    sql = f"SELECT representative FROM company WHERE name_ko = '{name}'"
    assert scalar(app_db, sql) is None
