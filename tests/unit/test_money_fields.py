"""One rule for "is this field KRW": record columns named *_krw, kind fields typed "money" in
their kind's spec. Forms, validation, the importer, report columns and history all ask it."""

from __future__ import annotations

from crm.errors import ValidationError
from crm.importer.fields import detail_fields
from crm.reports.details import field_column
from crm.reports.writer import Cell
from crm.services.reference import BUILTIN_KIND_ROWS, MONEY_KIND_FIELDS, is_money_name
from crm.validation import Checker, is_money_field, is_money_spec, validate_kind_fields

GPU = {
    "code": "gpu",
    "name_ko": "GPU",
    "name_en": "GPU",
    "fields": [
        {"name": "gpu_hours", "type": "int", "required": True},
        {"name": "voucher", "type": "money", "required": True},
    ],
}


def test_builtin_kinds_declare_their_money_fields() -> None:
    declared = {
        (row["code"], f["name"])
        for row in BUILTIN_KIND_ROWS
        for f in row["fields"]
        if is_money_spec(f)
    }
    assert declared == {
        ("prototyping", "budget"),
        ("investment", "invested_amount"),
        ("overseas", "contract_amount"),
    }
    assert MONEY_KIND_FIELDS == {"budget", "invested_amount", "contract_amount"}


def test_record_columns_by_name() -> None:
    assert is_money_field("amount_krw") and is_money_field("revenue_krw")
    assert not is_money_field("new_hires") and not is_money_field("invested_amount")


def test_names_without_a_spec_use_the_declarations() -> None:
    assert is_money_name("details.invested_amount") and is_money_name("budget")
    assert is_money_name("amount_krw")
    assert not is_money_name("details.hours") and not is_money_name("details.gpu_hours")


def test_importer_reads_only_money_fields_as_krw() -> None:
    types = {f.name: f.type for f in detail_fields([GPU, *BUILTIN_KIND_ROWS])}
    assert types["details.voucher"] == "krw"
    assert types["details.gpu_hours"] == "int"  # was "krw": every integer field was money
    assert types["details.invested_amount"] == "krw"
    assert types["details.hours"] == "decimal"


def test_report_columns_follow_the_spec() -> None:
    money = field_column({"name": "voucher", "type": "money"}, "ko", "백만원")
    count = field_column({"name": "gpu_hours", "type": "int"}, "ko", "백만원")
    assert (money.cell, count.cell) == (Cell.KRW, Cell.INT)
    assert "백만원" in money.header and "백만원" not in count.header


def test_validation_words_unreadable_money_as_an_amount() -> None:
    check = Checker()
    validate_kind_fields(check, GPU["fields"], {"gpu_hours": "많이", "voucher": "오백쯤"})
    try:
        check.raise_if_errors()
    except ValidationError as exc:
        keys = {e.field: e.key for e in exc.errors}
    assert keys == {"details.gpu_hours": "error.integer", "details.voucher": "error.amount"}
