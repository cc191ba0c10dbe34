"""Header blocks of two or three rows (issue 17), on both engines: a group row above, merged
across the columns it groups or not, names only in the upper row, only in the lower, or in
both, a unit note in the group row. Every row imports with the right fields."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from crm.importer import ImportKind, apply_import, load_file, preview_import
from crm.importer.fields import fields_for
from crm.importer.mapping import match_field
from crm.models import Company
from crm.services.actor import Actor
from tests.importer_files import csv_bytes, xlsx

BRN_1, BRN_2 = "305-86-01233", "410-81-04560"  # valid check digits
ROWS = [
    ["빛고을에이아이", None, "홍길동", "광산구", "예비", "헬스케어", None, 3, 1500000],
    ["무등로보틱스", BRN_2, "김대표", "북구", "초기창업", "자동차", "2021-03-02", 1, 200000],
    ["영산에너지", BRN_1, "이대표", "남구", "도약", "에너지", "2019-07-01", 2, 300000],
]
GROUPED = [
    ["2022년 입주기업 현황"],
    ["기본정보", None, None, "소재지", "단계", "업종", "설립일", "지원실적 (단위: 원)", None],
    ["회사명", "사업자번호", "대표자명", None, None, None, None, "건수", "금액"],
    *ROWS,
]
COMBINED = [
    "기본정보 / 회사명",
    "기본정보 / 사업자번호",
    "기본정보 / 대표자명",
    "소재지",
    "단계",
    "업종",
    "설립일",
    "지원실적 (단위: 원) / 건수",
    "지원실적 (단위: 원) / 금액",
]
FIELDS = ["name_ko", "brn", "representative", "location", "stage", "industry", "founded_on"]
MERGES = [
    ("A1:I1", "2022년 입주기업 현황"),
    ("A2:C2", "기본정보"),
    ("H2:I2", "지원실적 (단위: 원)"),
]


def _stored(session: Session) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(Company.name_ko, Company.brn, Company.representative, Company.location).order_by(
            col(Company.id)
        )
    ).all()
    return [tuple(r) for r in rows]


def _check_imports(session: Session, officer: Actor, data: bytes, filename: str) -> Any:
    table = load_file(data, filename, kind="companies")
    preview = preview_import(session, officer, table)
    assert [r.status.value for r in preview.rows] == ["new", "new", "new"], [
        (e.row, e.column, e.key) for r in preview.rows for e in r.errors
    ]
    assert [r.values.get("stage") for r in preview.rows] == ["pre_startup", "startup", "growth"]
    apply_import(session, officer, table, mapping=table.mapping)
    assert _stored(session) == [
        ("빛고을에이아이", None, "홍길동", "광산구"),
        ("무등로보틱스", BRN_2, "김대표", "북구"),
        ("영산에너지", BRN_1, "이대표", "남구"),
    ]
    return table


@pytest.mark.parametrize("merged", [True, False], ids=["merged", "unmerged"])
def test_a_group_row_above_with_names_above_and_below(
    session: Session, officer: Actor, merged: bool
) -> None:
    data = xlsx(GROUPED, merges=MERGES if merged else [])
    table = _check_imports(session, officer, data, "grouped.xlsx")
    assert table.labels == COMBINED
    assert table.header_row == 2 and [n for n, _ in table.rows] == [4, 5, 6]
    assert [(s.row, s.reason.value) for s in table.skipped] == [(1, "title")]
    assert table.mapping == dict(zip(COMBINED, [*FIELDS, None, None], strict=True))
    assert table.unit_hint == "원"
    block = [n for n in table.notes if n.key == "importer.note.header_block"]
    assert [n.params for n in block] == [{"first": 2, "last": 3}]
    assert "2–3" in block[0].message("ko") and "2–3" in block[0].message("en")


def test_a_csv_with_a_group_row(session: Session, officer: Actor) -> None:
    table = _check_imports(session, officer, csv_bytes(GROUPED), "grouped.csv")
    assert table.labels == COMBINED


def test_names_merged_down_both_rows_count_once(session: Session, officer: Actor) -> None:
    top = ["회사명", "사업자번호", "대표자", None, "소재지", "단계", "업종", "설립일"]
    rows = [
        top,
        [None, None, "성명", "연락처", None, None, None, None],
        *([*r[:3], "062-123-4567", *r[3:7]] for r in ROWS),
    ]
    merges = [("C1:D1", "대표자")] + [
        (f"{letter}1:{letter}2", top[n]) for n, letter in enumerate("ABCDEFGH") if n not in (2, 3)
    ]
    table = _check_imports(session, officer, xlsx(rows, merges=merges), "below.xlsx")
    assert table.labels == [*top[:2], "대표자 / 성명", "대표자 / 연락처", *top[4:]]
    assert table.mapping["대표자 / 성명"] == "representative"
    assert table.mapping["대표자 / 연락처"] == "phone"
    assert table.header_row == 1 and [n for n, _ in table.rows] == [3, 4, 5]


def test_three_header_rows_and_a_title_above_them(session: Session, officer: Actor) -> None:
    rows = [
        ["기업 현황"],
        ["기본정보", None, "대표자", None, None, "단계", "업종", "설립일", "소재지"],
        ["회사명", "사업자번호", "연락처", None, "성명"],
        [None, None, "전화", "이메일"],
        *([r[0], r[1], "062-123-4567", "a@b.kr", r[2], *r[4:7], r[3]] for r in ROWS),
    ]
    merges = [("A1:I1", "기업 현황"), ("A2:B2", "기본정보"), ("C2:E2", "대표자")]
    merges += [("C3:D3", "연락처")]
    table = _check_imports(session, officer, xlsx(rows, merges=merges), "three.xlsx")
    assert table.labels == [
        "기본정보 / 회사명",
        "기본정보 / 사업자번호",
        "대표자 / 연락처 / 전화",
        "대표자 / 연락처 / 이메일",
        "대표자 / 성명",
        "단계",
        "업종",
        "설립일",
        "소재지",
    ]
    assert list(table.mapping.values()) == [
        "name_ko", "brn", "phone", "email", "representative", "stage", "industry", "founded_on",
        "location",
    ]  # fmt: skip
    assert table.header_row == 2 and [(s.row, s.reason.value) for s in table.skipped] == [
        (1, "title")
    ]


def test_a_title_and_a_unit_row_above_a_one_row_header_stay_out() -> None:
    rows = [
        ["2022년 현황"],
        ["(단위: 천원)"],
        ["회사명", "업종", "매출액"],
        ["빛고을", "헬스케어", 1],
    ]
    table = load_file(xlsx(rows, merges=[("A1:C1", "2022년 현황")]), "a.xlsx")
    assert table.labels == ["회사명", "업종", "매출액"] and table.header_row == 3
    assert not [n for n in table.notes if n.key == "importer.note.header_block"]


def test_the_group_name_is_context_for_matching() -> None:
    fields = fields_for(ImportKind.COMPANIES)
    assert match_field("대표자 / 성명", fields) == "representative"
    assert match_field("대표자 연락처 / 전화", fields) == "phone"
    assert match_field("기본정보 / 회사명", fields) == "name_ko"
    assert match_field("지원실적 / 건수", fields) is None


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("예비창업", "pre_startup"), ("예비", "pre_startup"), ("예비창업자", "pre_startup"),
        ("창업", "startup"), ("초기", "startup"), ("초기창업", "startup"),
        ("창업/초기", "startup"), ("성장", "growth"), ("도약", "growth"),
    ],
)  # fmt: skip
def test_stage_words_offices_use(session: Session, officer: Actor, word: str, stage: str) -> None:
    data = csv_bytes([["회사명", "단계", "업종"], ["빛고을", word, "헬스케어"]])
    preview = preview_import(session, officer, load_file(data, "a.csv"))
    assert preview.rows[0].values["stage"] == stage


@pytest.mark.parametrize(
    ("word", "industry"),
    [
        ("헬스케어", "healthcare"), ("자동차", "automotive"), ("에너지", "energy"),
        ("기타", "other"), ("바이오헬스", "healthcare"), ("미래자동차", "automotive"),
        ("에너지신산업", "energy"),
    ],
)  # fmt: skip
def test_industry_words_offices_use(
    session: Session, officer: Actor, word: str, industry: str
) -> None:
    data = csv_bytes([["회사명", "단계", "업종"], ["빛고을", "성장", word]])
    preview = preview_import(session, officer, load_file(data, "a.csv"))
    assert preview.rows[0].values["industry"] == industry
    assert not preview.rows[0].warnings


def test_a_merged_cell_in_a_one_row_header_names_its_own_column_only() -> None:
    rows = [["회사명", "업종", "대표자", None], ["빛고을", "헬스케어", "홍길동", "010"]]
    table = load_file(xlsx(rows, merges=[("C1:D1", "대표자")]), "a.xlsx")
    assert table.labels == ["회사명", "업종", "대표자", "(D)"]
