"""Funder templates on both engines: every mapped figure equals the quarterly workbook's, a closed
quarter fills from its frozen figures, the company table is the report's companies, uploads are
checked, a changed form keeps what still matches, and only managers and admins may do any of it."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlmodel import Session, col, select

from crm import demo
from crm.errors import PermissionDenied, ValidationError
from crm.funder.checks import TemplateRefused
from crm.funder.mapping import CellMap, ColumnMap, Mapping, TableMap
from crm.funder.models import FunderMapping, FunderTemplate
from crm.funder.tables import TableQuery, company_table
from crm.importer.errors import ImportRefused
from crm.models import Activity, AuditEntry, Programme
from crm.reports.figures import compute_figures
from crm.reports.options import Period, ReportOptions
from crm.reports.workbook import write_report
from crm.services import quarters
from crm.services import templates as service
from crm.services.actor import Actor
from tests.db.reports_support import read_summary
from tests.funder_forms import FIRST_ROW, FORM_ROWS, HEADER_ROW, KPI, MAIN, form_bytes, funder_form

Q3 = ReportOptions(2022, 3)
FIELDS = ("seq", "name", "brn", "representative", "kinds", "krw_ytd", "new_hires_ytd")


@pytest.fixture
def demo_session(session: Session) -> Session:
    demo.load(session)
    return session


def _first_programme(session: Session) -> Programme:
    found = session.exec(
        select(Programme).where(Programme.year == 2022).order_by(col(Programme.id))
    ).first()
    assert found is not None
    return found


def _mapping(programme_id: int) -> Mapping:
    return Mapping(
        institution="광주 AI 창업지원센터 (가상)",
        cells=[
            CellMap(MAIN, "B3", "institution"),
            CellMap(MAIN, "B4", "period"),
            CellMap(MAIN, "G3", "date_written"),
            CellMap(KPI, "B3", "supported_q"),
            CellMap(KPI, "B4", "cohort_supported_ytd"),
            CellMap(KPI, "B5", "executed_ytd"),
            CellMap(KPI, "D3", "outcomes.ytd.new_hires"),
            CellMap(KPI, "D4", f"programme.{programme_id}.executed_ytd"),
            CellMap(KPI, "D5", "stage.growth.at_end"),
            CellMap(KPI, "D6", "move.startup.growth"),
        ],
        tables=[
            TableMap(
                MAIN,
                header_row=HEADER_ROW,
                first_row=FIRST_ROW,
                row_count=FORM_ROWS,
                columns=[ColumnMap(c, f) for c, f in zip("ABCDEFG", FIELDS, strict=True)],
            )
        ],
    )


def _mapped(session: Session, manager: Actor) -> service.TemplateDetail:
    added = service.add_template(
        session, manager, name="시 실적보고", filename="양식.xlsx", data=form_bytes()
    )
    mapping = _mapping(_first_programme(session).id or 0)
    return service.save_mapping(session, manager, added.id, mapping, opened_number=1)


def _cached(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content), data_only=True)


def test_every_mapped_figure_equals_the_quarterly_workbook(
    demo_session: Session, manager: Actor, tmp_path: Path
) -> None:
    s = demo_session
    detail = _mapped(s, manager)
    assert detail.mapping_number == 2
    assert detail.mapping.cells[0].anchor == "기관명"  # remembered for a changed form
    assert [c.header for c in detail.mapping.tables[0].columns][:2] == ["번호", "기업명"]
    _, filled = service.fill_template(s, manager, "시 실적보고", Q3)
    report = tmp_path / "q3.xlsx"
    write_report(s, Q3, report, generated_by="x")
    summary = read_summary(report)
    cohort = {r[0]: r for r in summary["cohort"]}
    outcomes = {r[0]: r for r in summary["outcomes"]}
    programme = _first_programme(s)
    by_programme = {r[0]: r for r in summary["programmes"]}
    stages = {r[0]: r for r in summary["stages"]}
    moves = {(r[0], r[1]): r[2] for r in summary["moves"]}
    wb = _cached(filled.content)
    kpi, main = wb[KPI], wb[MAIN]
    assert kpi["B3"].value == cohort["지원 기업 수 (인프라 지원 포함)"][1] > 0
    # the cohort's companies (against the target) and every company supported, each as reported
    assert (
        kpi["B4"].value == cohort["지원 기업 수"][2] < cohort["지원 기업 수 (인프라 지원 포함)"][2]
    )
    assert kpi["B5"].value == cohort["집행액 (완료, 원)"][2] > 0
    assert kpi["D3"].value == outcomes["일자리 창출 (신규 고용)"][2]
    assert kpi["D4"].value == by_programme[programme.name][9]
    assert kpi["D5"].value == stages["성장"][5]
    assert kpi["D6"].value == moves[("창업/초기", "성장")]
    assert main["B3"].value == "광주 AI 창업지원센터 (가상)"
    assert main["B4"].value == "2022년 3분기"
    # the table: one row per company supported this year, the 합계 row below it, cached
    supported = cohort["지원 기업 수 (인프라 지원 포함)"][2]
    assert filled.table_rows == [supported]
    total_row = FIRST_ROW + supported
    assert main.cell(total_row, 1).value == "합계"
    table_krw = [main.cell(r, 6).value for r in range(FIRST_ROW, total_row)]
    figures = compute_figures(s, Q3.period)
    assert sum(table_krw) == main.cell(total_row, 6).value == figures.krw_ytd
    assert [main.cell(r, 1).value for r in (FIRST_ROW, total_row - 1)] == [1, supported]
    names = [main.cell(r, 2).value for r in range(FIRST_ROW, total_row)]
    assert names == sorted(names)
    assert kpi["B6"].value == figures.krw_ytd  # the KPI sheet's reference followed the total


def test_unit_divides_money_as_the_quarterly_workbook_does(
    demo_session: Session, manager: Actor
) -> None:
    _mapped(demo_session, manager)
    _, filled = service.fill_template(
        demo_session, manager, "시 실적보고", ReportOptions(2022, 3, "thousand")
    )
    figures = compute_figures(demo_session, Q3.period)
    kpi = _cached(filled.content)[KPI]
    assert kpi["B5"].value == pytest.approx((figures.executed_ytd or 0) / 1_000)
    assert kpi["B3"].value == figures.supported_q  # counts are not divided


def test_a_closed_quarter_fills_from_its_frozen_figures(
    demo_session: Session, manager: Actor
) -> None:
    s = demo_session
    _mapped(s, manager)
    at_close = compute_figures(s, Q3.period)
    quarters.close_quarter(s, manager, 2022, 3)
    activity = s.exec(
        select(Activity)
        .where(
            col(Activity.start_on).between(date(2022, 7, 1), date(2022, 9, 30)),
            Activity.status == "completed",
        )
        .order_by(col(Activity.id))
    ).first()
    assert activity is not None
    quarters.restate_activity(
        s,
        manager,
        activity.id,
        version=activity.version,
        changes={"amount_krw": activity.amount_krw + 7_000_000},
        reason="계약 변경",
    )
    assert compute_figures(s, Q3.period).executed_ytd == (at_close.executed_ytd or 0) + 7_000_000
    _, filled = service.fill_template(s, manager, "시 실적보고", Q3)
    assert filled.closed
    assert _cached(filled.content)[KPI]["B5"].value == at_close.executed_ytd


def test_fill_is_audited_and_mapping_versions_are_kept(
    demo_session: Session, manager: Actor
) -> None:
    s = demo_session
    detail = _mapped(s, manager)
    service.fill_template(s, manager, detail.id, Q3)
    actions = s.exec(
        select(AuditEntry.action, AuditEntry.field)
        .where(AuditEntry.entity == "funder_template", AuditEntry.entity_id == detail.id)
        .order_by(col(AuditEntry.id))
    ).all()
    assert [tuple(a) for a in actions] == [
        ("create", None),
        ("update", "mapping"),
        ("export", None),
    ]
    numbers = s.exec(
        select(FunderMapping.number).where(FunderMapping.template_id == detail.id)
    ).all()
    assert sorted(numbers) == [1, 2]
    with pytest.raises(service.StaleMapping):
        service.save_mapping(s, manager, detail.id, Mapping(), opened_number=1)


def test_only_managers_and_admins(session: Session, officer: Actor, analyst: Actor) -> None:
    for actor in (officer, analyst):
        with pytest.raises(PermissionDenied):
            service.add_template(session, actor, name="x", filename="x.xlsx", data=form_bytes())
        with pytest.raises(PermissionDenied):
            service.list_templates(session, actor)
    assert session.exec(select(FunderTemplate)).all() == []


def test_bad_mapping_names_each_entry_and_saves_nothing(
    session: Session, manager: Actor, programmes: dict[str, Programme]
) -> None:
    added = service.add_template(
        session, manager, name="양식", filename="a.xlsx", data=form_bytes()
    )
    bad = Mapping(
        cells=[
            CellMap(MAIN, "B3", "no_such_figure"),
            CellMap("없는시트", "B3", "supported_q"),
            CellMap(MAIN, "F8", "supported_q"),  # inside the table
            CellMap(MAIN, "C3", "institution"),  # inside the merged B3:D3
        ],
        tables=[
            TableMap(
                MAIN,
                HEADER_ROW,
                FIRST_ROW,
                FORM_ROWS,
                [ColumnMap("F", "salary"), ColumnMap("I", "name")],  # I7 is inside H7:I7
            ),
        ],
    )
    with pytest.raises(ValidationError) as refused:
        service.save_mapping(session, manager, added.id, bad, opened_number=1)
    keys = {e.key for e in refused.value.errors}
    assert {
        "funder.error.figure",
        "funder.error.sheet",
        "funder.error.table_field",
        "funder.error.cell_in_table",
        "funder.error.merged",
    } <= keys
    merged = [e.params for e in refused.value.errors if e.key == "funder.error.merged"]
    assert merged == [{"cell": "C3", "anchor": "B3"}, {"cell": "I7", "anchor": "H7"}]
    assert service.get_template(session, manager, added.id).mapping_number == 1


def _with_part(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr(name, body)
    return out.getvalue()


def test_upload_names_what_cannot_be_kept_and_refuses_hostile_files(
    session: Session, manager: Actor
) -> None:
    charted = service.add_template(
        session, manager, name="차트", filename="c.xlsx", data=form_bytes(chart=True)
    )
    assert charted.features == ["charts"]
    linked = _with_part(form_bytes(), "xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    imaged = _with_part(linked, "xl/media/image1.png", b"\x89PNG")
    named = service.add_template(session, manager, name="링크", filename="l.xlsx", data=imaged)
    assert set(named.features) == {"external_links", "images"}
    refusals: list[tuple[str, bytes, str]] = [
        ("m.xlsm", form_bytes(), "funder.refused.macros"),
        ("v.xlsx", _with_part(form_bytes(), "xl/vbaProject.bin", b"x"), "funder.refused.macros"),
        ("d.xls", b"\xd0\xcf\x11\xe0", "funder.refused.file_type"),
        ("z.xlsx", b"not a zip", "importer.refused.not_zip"),
        (
            "e.xlsx",
            _with_part(form_bytes(), "xl/bomb.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'),
            "importer.refused.xml_entities",
        ),
    ]  # fmt: skip
    for filename, data, key in refusals:
        with pytest.raises((TemplateRefused, ImportRefused)) as refused:
            service.add_template(session, manager, name=filename, filename=filename, data=data)
        assert refused.value.key == key
    assert len(service.list_templates(session, manager)) == 2


def test_changed_form_keeps_matching_entries_and_flags_the_rest(
    demo_session: Session, manager: Actor
) -> None:
    s = demo_session
    detail = _mapped(s, manager)
    changed = funder_form()
    ws = changed[MAIN]
    ws.insert_rows(2, 2)  # two rows more above everything: labels moved down by two
    ws["A5"] = "발급기관"  # the 기관명 label is gone
    kpi = changed[KPI]
    kpi["A4"] = "다른 지표"  # B4's label changed
    buffer = io.BytesIO()
    changed.save(buffer)
    after = service.replace_file(
        s, manager, detail.id, filename="양식2.xlsx", data=buffer.getvalue()
    )
    cells = {(c.sheet, c.figure): c.cell for c in after.mapping.cells}
    assert cells[(MAIN, "period")] == "B6"  # moved with its label 보고기간
    assert cells[(KPI, "supported_q")] == "B3"
    assert (MAIN, "institution") not in cells and (KPI, "cohort_supported_ytd") not in cells
    flagged = {(f["sheet"], f["figure"]) for f in after.flagged if f["type"] == "cell"}
    # D4 sits on the same row as B4: its nearest label was the changed one too
    programme_figure = next(c.figure for c in detail.mapping.cells if c.cell == "D4")
    assert flagged == {
        (MAIN, "institution"),
        (KPI, "cohort_supported_ytd"),
        (KPI, programme_figure),
    }
    table = after.mapping.tables[0]
    assert (table.header_row, table.first_row) == (HEADER_ROW + 2, FIRST_ROW + 2)
    assert after.mapping_number == 3 and after.filename == "양식2.xlsx"


def test_table_masks_personal_fields_for_roles_that_may_not_see_them(
    demo_session: Session, manager: Actor, analyst: Actor
) -> None:
    query = TableQuery(fields=("name", "representative", "phone"), scope="quarter")
    seen = company_table(demo_session, manager, Period(2022, 3), query, "ko", 1)
    masked = company_table(demo_session, analyst, Period(2022, 3), query, "ko", 1)
    assert len(seen) == len(masked) == compute_figures(demo_session, Period(2022, 3)).supported_q
    with_rep: list[Any] = [r for r in seen if r[1]]
    assert with_rep, "the demo companies have representatives"
    shown = {r[0]: r for r in masked}
    for name, representative, _ in with_rep:
        assert shown[name][1] == representative[0] + "*" * max(1, len(representative) - 1)
    assert all(r[2] in (None, "", "●●●") for r in masked)


def test_filters_by_kind_and_programme(demo_session: Session, programmes: Any) -> None:
    s = demo_session
    figures = compute_figures(s, Period(2022, 3))
    mentoring = next(k for k in figures.kinds if k.kind == "mentoring")
    from crm.services.actor import system_actor

    actor = system_actor(s)
    rows = company_table(
        s, actor, Period(2022, 3), TableQuery(("name", "krw_ytd"), kind="mentoring"), "ko", 1
    )
    assert len(rows) == mentoring.companies_ytd
    assert sum(r[1] for r in rows) == mentoring.krw_ytd
    programme = next(p for p in figures.programmes if p.companies_ytd)
    rows = company_table(
        s,
        actor,
        Period(2022, 3),
        TableQuery(("name",), programme_id=programme.programme_id),
        "ko",
        1,
    )
    assert len(rows) == programme.companies_ytd


def test_activity_table_is_the_quarters_activities(
    demo_session: Session, manager: Actor, tmp_path: Path
) -> None:
    s = demo_session
    added = service.add_template(s, manager, name="건별", filename="a.xlsx", data=form_bytes())
    table = TableMap(
        MAIN,
        header_row=HEADER_ROW,
        first_row=FIRST_ROW,
        row_count=FORM_ROWS,
        columns=[
            ColumnMap("A", "seq"),
            ColumnMap("B", "name"),
            ColumnMap("E", "kind"),
            ColumnMap("F", "amount"),
        ],
        sort="registered",
        rows="activities",
    )
    service.save_mapping(s, manager, added.id, Mapping(tables=[table]), opened_number=1)
    _, filled = service.fill_template(s, manager, "건별", Q3)
    figures = compute_figures(s, Q3.period)
    activities = sum(k.activities_q for k in figures.kinds)
    assert filled.table_rows == [activities] and activities == figures.activities_q
    main = _cached(filled.content)[MAIN]
    total = FIRST_ROW + activities
    assert main.cell(total, 1).value == "합계"
    assert main.cell(total, 6).value == sum(k.krw_q for k in figures.kinds) == figures.krw_q
    kinds = {main.cell(r, 5).value for r in range(FIRST_ROW, total)}
    assert kinds <= {
        "멘토링",
        "시제품 제작",
        "투자펀드",
        "해외진출",
        "HPC 컴퓨팅 자원",
        "시험·실증 장비",
    }
    # a company field in an activity table is refused, naming the table
    bad = TableMap(**{**table.__dict__, "columns": [ColumnMap("B", "krw_ytd")]})
    with pytest.raises(ValidationError) as refused:
        service.save_mapping(s, manager, added.id, Mapping(tables=[bad]), opened_number=2)
    assert [e.key for e in refused.value.errors] == ["funder.error.table_field"]
