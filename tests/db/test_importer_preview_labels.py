"""The preview shows stored choices as labels in the page's language, never their codes, and
warns about a merged range it could not read."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from crm.importer import load_file, preview_frame, preview_import
from crm.models import Company, Programme
from crm.services.actor import Actor
from tests.importer_files import csv_bytes, part, rezip, xlsx

HEADER = [
    "회사명",
    "지원일자",
    "지원유형",
    "지원사업",
    "상태",
    "금액",
    "투자단계",
    "진출국",
    "진출유형",
]


def _rows(company: Company, programmes: dict[str, Programme]) -> list[list[Any]]:
    name = company.name_ko
    return [
        HEADER,
        [name, "2022-03-04", "투자", programmes["investment"].name, "완료", "30만원", "시리즈A"],
        [name, "2022-03-05", "해외진출", programmes["overseas"].name, "진행중", "10만원", None,
         "미국", "시장조사"],
    ]  # fmt: skip


EXPECTED = {
    "ko": [
        ("투자펀드", "완료", "시리즈 A", None, None),
        ("해외진출", "진행 중", None, "미국", "시장조사"),
    ],
    "en": [
        ("Fund investment", "Completed", "Series A", None, None),
        ("Overseas expansion", "In progress", None, "United States", "Market research"),
    ],
}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_choices_are_shown_as_labels_in_the_pages_language(
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
    lang: str,
) -> None:
    table = load_file(csv_bytes(_rows(company, programmes)), "support.csv")
    preview = preview_import(session, officer, table)
    assert [r.values.get("details.round") for r in preview.rows] == ["series_a", None]
    frame = preview_frame(preview, lang)
    columns = {
        "ko": ["지원유형", "상태", "투자 단계", "국가", "프로그램 유형"],  # declared labels
        "en": ["Support kind", "Status", "Round", "Country", "Programme type"],
    }[lang]
    shown = [
        tuple(None if value != value else value for value in record)  # NaN: no value
        for record in frame[columns].itertuples(index=False)
    ]
    assert shown == EXPECTED[lang]


def test_a_malformed_merged_range_is_a_warning_in_the_preview(
    session: Session, officer: Actor
) -> None:
    data = xlsx(
        [["회사명", "업종", "단계"], ["빛고을", "헬스케어", "예비"], [None, "자동차", "예비"]],
        merges=[("A2:A3", "빛고을")],
    )
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b'ref="A2:A3"', b'ref="A 2:A3"')
    table = load_file(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), "a.xlsx")
    preview = preview_import(session, officer, table)
    [warning] = [n for n in preview.notes if n.warning]
    assert warning.key == "importer.note.merged_malformed"
    assert "A 2:A3" in warning.message("ko") and "A 2:A3" in warning.message("en")
    assert not [n for n in preview.notes if n.key == "importer.note.unit" and n.warning]
