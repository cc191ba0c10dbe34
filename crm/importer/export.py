"""The companies list and the activity log as .xlsx, with the template's headers, so an export
imports back unchanged (the round trip the tests hold). Read with SQL selects, written with
XlsxWriter's typed writes in constant memory; text is never turned into a formula."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from sqlmodel import Session, col, select

from crm.i18n import t
from crm.importer.fields import field_label
from crm.importer.model import ImportKind
from crm.importer.sheets import WORKBOOK_OPTIONS, choice_label, sheet_fields, write_cell
from crm.models import Activity, Company, Programme, User
from crm.services.reference import list_kinds
from crm.services.stages import current_stage_subquery


def _workbook(
    title: str, fields: list[str], rows: Iterable[dict[str, Any]], lang: str, kinds: list[Any]
) -> bytes:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        workbook = xlsxwriter.Workbook(
            buffer, {**WORKBOOK_OPTIONS, "constant_memory": True, "tmpdir": tmp}
        )
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet(title)
        for col_index, name in enumerate(fields):
            sheet.set_column(col_index, col_index, 14)
            sheet.write_string(0, col_index, field_label(name, lang), header)
        for row_index, row in enumerate(rows, start=1):
            for col_index, name in enumerate(fields):
                value = choice_label(name, row.get(name), lang, kinds)
                write_cell(sheet, row_index, col_index, value, day)
        sheet.freeze_panes(1, 0)
        workbook.close()
    return buffer.getvalue()


def export_companies(
    session: Session, lang: str = "ko", *, include_archived: bool = False
) -> bytes:
    """Companies with their current stage and the date they entered it."""
    current = current_stage_subquery()
    query = (
        select(Company, current.c.stage, current.c.entered_on, User.username)  # type: ignore[call-overload]
        .join(current, current.c.company_id == Company.id)
        .outerjoin(User, col(User.id) == Company.officer_id)
        .order_by(col(Company.id))
    )
    if not include_archived:
        query = query.where(~col(Company.archived))

    def rows() -> Iterable[dict[str, Any]]:
        for company, stage, since, officer in session.exec(query):
            yield {
                **company.model_dump(),
                "officer": officer,
                "stage": stage,
                "stage_since": since,
            }

    kinds = list_kinds(session)
    fields = sheet_fields(ImportKind.COMPANIES, kinds)
    return _workbook(t("importer.export.sheet_companies", lang), fields, rows(), lang, kinds)


def export_activities(session: Session, lang: str = "ko") -> bytes:
    """The activity log: one row per activity, kind fields in their own columns."""
    query = (
        select(
            Activity, Company.name_ko, Company.brn, Programme.name, Programme.kind, User.username
        )  # type: ignore[call-overload]
        .join(Company, col(Company.id) == Activity.company_id)
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .outerjoin(User, col(User.id) == Activity.officer_id)
        .order_by(col(Activity.start_on), col(Activity.id))
    )

    def rows() -> Iterable[dict[str, Any]]:
        for activity, company, brn, programme, kind, officer in session.exec(query):
            row = {
                **activity.model_dump(),
                "company": company,
                "brn": brn,
                "programme": programme,
                "kind": kind,
                "officer": officer,
            }
            row.update({f"details.{k}": v for k, v in (activity.details or {}).items()})
            yield row

    kinds = list_kinds(session)
    fields = sheet_fields(ImportKind.ACTIVITIES, kinds)
    return _workbook(t("importer.export.sheet_activities", lang), fields, rows(), lang, kinds)
