"""A new kind through the importer on both engines: the activities template made from the
database's kinds has the kind's declared columns; filled in and imported, it logs the activity."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlmodel import Session, col, select

from crm.importer import apply_import, load_file
from crm.importer.templates import template_workbook
from crm.models import Activity, Company
from crm.services import kinds as kind_service
from crm.services.actor import Actor
from crm.services.kinds import FieldInput
from crm.services.programmes import create_programme
from crm.services.reference import list_kinds


def _filled(template: bytes, values: dict[str, object]) -> bytes:
    """The template with one data row under the example row, by header text."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for header, value in values.items():
        sheet.cell(row=3, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_hpc_and_an_admin_kind_import_from_their_template(
    session: Session, admin: Actor, system: Actor, officer: Actor, company: Company
) -> None:
    kind = kind_service.add_kind(
        session, admin, code="voucher", name_ko="컴퓨팅 바우처", name_en="Compute voucher"
    )
    kind_service.add_field(
        session,
        admin,
        "voucher",
        version=kind.version,
        field=FieldInput("nodes", "integer", "노드 수", "Nodes", required=True, max=64),
    )
    for name, code in (("2022 HPC", "hpc"), ("2022 바우처", "voucher")):
        create_programme(
            session, system, name=name, year=2022, kind=code, budget_krw=0, target_companies=9
        )
    kinds = list_kinds(session)
    template = template_workbook("activities", "ko", kinds=kinds)
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(template)).worksheets[0][1]]
    for label in ("과제명", "자원 (GPU 모델·노드)", "배정 GPU 시간", "사용 GPU 시간", "노드 수"):
        assert label in headers

    common = {"회사명": company.name_ko, "시작일": date(2022, 8, 1)}
    hpc_row = {
        **common,
        "지원유형": "HPC 컴퓨팅 자원",
        "지원사업": "2022 HPC",
        "과제명": "의료영상 분할 모델",
        "자원 (GPU 모델·노드)": "H100 x8",
        "배정 GPU 시간": 1200,
        "사용 GPU 시간": 300.5,
    }
    for row in (
        hpc_row,
        {**common, "지원유형": "컴퓨팅 바우처", "지원사업": "2022 바우처", "노드 수": 4},
    ):
        data = _filled(template, row)
        table = load_file(data, "support.xlsx", kinds=kinds)
        result = apply_import(session, officer, table)
        assert result.created == 1, result.preview.rows
    stored = [
        a.details
        for a in session.exec(
            select(Activity).where(Activity.company_id == company.id).order_by(col(Activity.id))
        )
    ]
    assert stored == [
        {
            "project_title": "의료영상 분할 모델",
            "resource": "H100 x8",
            "allocated_gpu_hours": 1200.0,
            "used_gpu_hours": 300.5,
        },
        {"nodes": 4},
    ]


def test_equipment_imports_with_its_choices_written_as_labels(
    session: Session, system: Actor, officer: Actor, company: Company
) -> None:
    """The template's drop-down lists write a choice's label; the import stores its code."""
    create_programme(
        session, system, name="2022 장비", year=2022, kind="equipment", budget_krw=0,
        target_companies=9,
    )  # fmt: skip
    kinds = list_kinds(session)
    template = template_workbook("activities", "ko", kinds=kinds)
    row = {
        "회사명": company.name_ko,
        "시작일": date(2022, 9, 1),
        "지원유형": "시험·실증 장비",
        "지원사업": "2022 장비",
        "장비": "전자파 적합성 시험실",
        "사용 목적": "EMC 사전 시험",
        "사용 일수": 3,
        "시험성적서 발급": "발급",
    }
    table = load_file(_filled(template, row), "equipment.xlsx", kinds=kinds)
    result = apply_import(session, officer, table)
    assert result.created == 1, result.preview.rows
    stored = session.exec(select(Activity).where(Activity.company_id == company.id)).one()
    assert stored.details == {
        "equipment": "emc_chamber",
        "purpose": "EMC 사전 시험",
        "days_used": 3,
        "test_report_issued": "yes",
    }
