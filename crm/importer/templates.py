"""A template workbook per kind: the headers, one example row (skipped on import) and
drop-down lists for stages, industries, kinds and the other choices."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

import xlsxwriter

from crm.i18n import t
from crm.importer.fields import detail_declaration, field_label, kind_rows
from crm.importer.model import ImportKind
from crm.importer.sheets import WORKBOOK_OPTIONS, choice_label, sheet_fields, write_cell
from crm.models import ActivityStatus, Industry, Stage

TEMPLATE_ROWS = 5000  # rows that get the drop-down lists
EXAMPLE_BRN = "220-81-62517"

EXAMPLES: dict[ImportKind, dict[str, Any]] = {
    ImportKind.COMPANIES: {
        "name_ko": "빛고을에이아이",
        "name_en": "Bitgoeul AI",
        "brn": EXAMPLE_BRN,
        "representative": "홍길동",
        "founded_on": date(2020, 5, 1),
        "industry": "healthcare",
        "ai_field": "vision",
        "location": "광산구",
        "email": "ceo@example.com",
        "phone": "062-123-4567",
        "cohort_year": 2022,
        "stage": "startup",
        "stage_since": date(2022, 1, 10),
        "notes": "",
    },
    ImportKind.ACTIVITIES: {
        "company": "빛고을에이아이",
        "brn": EXAMPLE_BRN,
        "kind": "mentoring",
        "start_on": date(2022, 3, 4),
        "status": "completed",
        "amount_krw": 300_000,
        "details.mentor": "김멘토",
        "details.topic": "사업계획 고도화",
        "details.hours": 2,
    },
    ImportKind.OUTCOMES: {
        "company": "빛고을에이아이",
        "brn": EXAMPLE_BRN,
        "year": 2022,
        "quarter": 1,
        "employees": 5,
        "new_hires": 1,
        "revenue_krw": 10_000_000,
        "patents_filed": 1,
        "patents_registered": 0,
        "investment_krw": 0,
        "exports_krw": 0,
    },
}


def _choices(
    field: str,
    lang: str,
    kinds: Iterable[Any] | None,
    programmes: list[str] | None,
    officers: list[str] | None,
) -> list[str] | None:
    values: dict[str, list[str]] = {
        "stage": [s.value for s in Stage],
        "industry": [i.value for i in Industry],
        "status": [s.value for s in ActivityStatus],
        "kind": [k["code"] for k in kind_rows(kinds)],
    }
    if field in values:
        return [str(choice_label(field, v, lang, kinds)) for v in values[field]]
    declared = detail_declaration(field, kinds) if field.startswith("details.") else None
    if declared is not None and declared.type == "choice":  # the current choices' labels
        return [declared.choice_label(code, lang) for code in declared.choice_codes()]
    if field == "programme" and programmes:
        return programmes
    if field == "officer" and officers:
        return officers
    return None


def template_workbook(
    kind: ImportKind | str,
    lang: str = "ko",
    *,
    kinds: Iterable[Any] | None = None,
    programmes: list[str] | None = None,
    officers: list[str] | None = None,
) -> bytes:
    """The template as .xlsx bytes. `kinds`: SupportKind rows (default: the built-in four);
    `programmes` and `officers`: names for their drop-down lists (optional)."""
    kind = ImportKind(kind)
    kinds = list(kinds) if kinds is not None else None
    fields = sheet_fields(kind, kinds)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    example = workbook.add_format({"italic": True, "font_color": "#808080"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd", "italic": True, "font_color": "#808080"})
    data = workbook.add_worksheet(t("importer.template.sheet_data", lang))
    lists = workbook.add_worksheet(t("importer.template.sheet_lists", lang))
    help_sheet = workbook.add_worksheet(t("importer.template.sheet_help", lang))
    lists_name = lists.get_name()
    list_col = 0
    for col, name in enumerate(fields):
        data.write_string(0, col, field_label(name, lang), header)
        data.set_column(col, col, max(12, len(field_label(name, lang)) * 2))
        choices = _choices(name, lang, kinds, programmes, officers)
        if choices:
            lists.write_string(0, list_col, field_label(name, lang), header)
            for i, choice in enumerate(choices, start=1):
                lists.write_string(i, list_col, choice)
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            source = f"='{lists_name}'!${letter}$2:${letter}${len(choices) + 1}"
            data.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {"validate": "list", "source": source, "error_type": "warning"},
            )
            list_col += 1
    values = dict(EXAMPLES[kind])
    first = fields[0]
    values[first] = f"{t('importer.template.example_prefix', lang)} {values.get(first, '')}".strip()
    for col, name in enumerate(fields):
        value = choice_label(name, values.get(name), lang, kinds)
        if value == "":
            continue
        write_cell(data, 1, col, value, day if isinstance(value, date) else example)
    data.freeze_panes(1, 0)
    lists.hide()
    help_sheet.write_string(0, 0, t("importer.template.help", lang))
    help_sheet.set_column(0, 0, 120)
    workbook.close()
    return buffer.getvalue()
