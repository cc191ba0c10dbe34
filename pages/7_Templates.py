"""Funder templates (managers, admins): upload a funder's own .xlsx form, map its cells to named
figures and its company table to fields, fill it for a quarter and download it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from crm.config import get_settings
from crm.errors import CRMError, ValidationError
from crm.funder.checks import lost_features
from crm.funder.engine import load_template
from crm.funder.fill import figure_catalogue
from crm.funder.grid import header_columns, sheet_grid
from crm.funder.mapping import CellMap, ColumnMap, Mapping, TableMap, form_rows, is_cell
from crm.funder.tables import ROW_KINDS, SCOPES, SORTS, fields_for
from crm.i18n import t
from crm.reports.details import report_kinds
from crm.reports.options import ReportOptions, Unit, validate_options
from crm.services import programmes
from crm.services import templates as service
from crm.ui import auth, state
from crm.ui import format as fmt
from crm.ui.actions import save_then_rerun
from crm.ui.data import data_version, session
from crm.ui.state import language, tr
from crm.ui.widget_state import label_for, relabelled

# .xlsm is taken so that its refusal is said in the page's language (the uploader's own
# refusal of a file type is in English); the help text says to save it as .xlsx.
UPLOAD_TYPES = ["xlsx", "xlsm"]


def form_uploader(key: str) -> Any:
    """A funder form's uploader: the import size limit, and what to do with a .xlsm."""
    return st.file_uploader(
        tr("funder.page.file"),
        type=UPLOAD_TYPES,
        key=key,
        help=tr("funder.page.file_help"),
        max_upload_size=get_settings().import_max_mb,
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_MAPPED = ""

actor = auth.guard("pages/7_Templates.py")
lang = language()
st.title(tr("nav.templates"))
st.caption(tr("funder.page.intro"))
st.caption(tr("app.demo_notice"))
state.show_flash()


def features_text(codes: list[str]) -> str:
    return ", ".join(tr(f"funder.feature.{c}") for c in codes)


# --- add a template -------------------------------------------------------------------------
with st.expander(tr("funder.page.add"), expanded=False), st.form("tp_add", clear_on_submit=True):
    new_name = st.text_input(tr("funder.page.name"), key="tp_add_name")
    upload = form_uploader("tp_add_file")
    if st.form_submit_button(tr("funder.page.add_button"), type="primary"):
        if upload is None:
            st.error(tr("funder.page.file_needed"))
        else:
            save_then_rerun(
                lambda s: service.add_template(
                    s, actor, name=new_name, filename=upload.name, data=upload.getvalue()
                ),
                tr("funder.page.added", name=new_name.strip()),
                field_label=lambda f: tr(f"funder.page.{f}"),
            )

# --- the list ----------------------------------------------------------------------------------
with session() as s:
    listed = service.list_templates(s, actor)
if not listed:
    st.info(tr("funder.page.none"))
    st.stop()
st.dataframe(
    pd.DataFrame(
        {
            tr("funder.page.name"): [x.name for x in listed],
            tr("funder.page.file"): [x.filename for x in listed],
            tr("funder.page.version"): [x.mapping_number for x in listed],
            tr("funder.page.cells"): [x.cells for x in listed],
            tr("funder.page.tables"): [x.tables for x in listed],
            tr("funder.page.flagged"): [x.flagged for x in listed],
            tr("funder.page.lost"): [
                features_text(lost_features(x.features)) or "-" for x in listed
            ],
            tr("funder.page.saved"): [
                f"{fmt.moment(x.saved_at, lang)} · {x.saved_by}" for x in listed
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)
names = [x.name for x in listed]
picked = st.selectbox(
    tr("funder.page.pick"), names, placeholder=tr("common.choose_one"), key="tp_pick"
)
if picked is None:
    st.stop()
with session() as s:
    detail = service.get_template(s, actor, picked)
    years = sorted({p.year for p in programmes.list_programmes(s)}, reverse=True) or [
        date.today().year
    ]
    kinds = report_kinds(s, lang)
    programme_rows = programmes.list_programmes(s)
if lost_features(detail.features):
    st.warning(tr("funder.features_lost", features=features_text(lost_features(detail.features))))
if "external_links" in detail.features:
    st.info(tr("funder.external_links_kept"))

# --- the quarter (its figures label the catalogue; the fill uses it) ---------------------------
c1, c2, c3 = st.columns(3)
year = c1.selectbox(tr("home.year"), years, placeholder=tr("common.choose_one"), key="tp_year")
quarter = c2.selectbox(
    tr("home.quarter"),
    [1, 2, 3, 4],
    index=2,
    format_func=lambda q: f"Q{q}",
    placeholder=tr("common.choose_one"),
    key="tp_quarter",
)
unit = c3.selectbox(
    tr("reports.unit"),
    [u.value for u in Unit],
    format_func=label_for("report.unit"),
    placeholder=tr("common.choose_one"),
    key=relabelled("tp_unit"),
)
try:
    options = validate_options(year, quarter, unit, lang)
except ValidationError as exc:
    st.error(exc.message(lang))
    st.stop()


@st.cache_data(show_spinner=False, max_entries=8)
def catalogue_labels(year: int, quarter: int, lang: str, version: int) -> dict[str, str]:
    """The quarter's named figures (code -> label), recomputed after any write (`version`)."""
    del version
    with session() as s:
        named = figure_catalogue(s, ReportOptions(year, quarter, lang=lang))
    return {f.code: f.label for f in named}


labels = catalogue_labels(options.year, options.quarter, lang, data_version())

# --- the mapping draft (kept until saved; a save compares with the version opened) ------------
draft_key = f"tp_draft_{detail.id}_{detail.mapping_number}"
draft: dict[str, Any] = st.session_state.setdefault(draft_key, detail.mapping.to_json())
mapping = Mapping.from_json(draft)


def keep(changed: Mapping) -> None:
    st.session_state[draft_key] = changed.to_json()


if detail.flagged:
    st.warning(tr("funder.page.flagged_note", count=len(detail.flagged)))
    st.dataframe(
        pd.DataFrame(
            {
                tr("funder.page.sheet"): [f.get("sheet", "") for f in detail.flagged],
                tr("funder.page.where"): [
                    f.get("cell") or tr("funder.page.table_at", row=f.get("header_row"))
                    for f in detail.flagged
                ],
                tr("funder.page.figure"): [
                    labels.get(f.get("figure") or "", tr("funder.page.figure_elsewhere"))
                    if f.get("type") == "cell"
                    else tr("funder.page.table")
                    for f in detail.flagged
                ],
            }
        ),
        hide_index=True,
    )

wb = load_template(detail.content)
sheet = st.selectbox(
    tr("funder.page.sheet"), wb.sheetnames, placeholder=tr("common.choose_one"), key="tp_sheet"
)
if sheet is None:
    st.stop()
grid = st.dataframe(
    sheet_grid(wb, sheet),
    width="stretch",
    height=320,
    on_select="rerun",
    selection_mode="single-cell",
    key=f"tp_grid_{detail.id}_{sheet}",
)
st.caption(tr("funder.page.grid_hint"))
if grid.selection.cells:  # a clicked cell fills in the cell address below
    row_position, letter = grid.selection.cells[0]
    clicked = f"{letter}{row_position + 1}"
    if st.session_state.get("tp_grid_clicked") != clicked:
        st.session_state["tp_grid_clicked"] = clicked
        st.session_state["tp_cell"] = clicked

institution = st.text_input(
    tr("funder.fig.institution"), value=mapping.institution, key=f"tp_inst_{draft_key}"
)
if institution != mapping.institution:
    mapping.institution = institution
    keep(mapping)

st.subheader(tr("funder.page.cells_title"))
c1, c2, c3 = st.columns([1, 3, 1])
address = c1.text_input(tr("funder.page.cell"), placeholder="C4", key="tp_cell").strip().upper()
figure = c2.selectbox(
    tr("funder.page.figure"),
    list(labels),
    index=None,
    format_func=lambda code: labels.get(code, code),
    placeholder=tr("common.choose_one"),
    key="tp_figure",
)
if c3.button(tr("funder.page.map_cell"), key="tp_map_cell"):
    if not is_cell(address) or figure is None:
        st.error(tr("funder.page.cell_needed"))
    else:
        mapping.cells = [c for c in mapping.cells if (c.sheet, c.cell) != (sheet, address)]
        mapping.cells.append(CellMap(sheet, address, figure))
        keep(mapping)
        st.rerun()
if mapping.cells:
    st.dataframe(
        pd.DataFrame(
            {
                tr("funder.page.sheet"): [c.sheet for c in mapping.cells],
                tr("funder.page.cell"): [c.cell for c in mapping.cells],
                tr("funder.page.figure"): [
                    labels.get(c.figure, tr("funder.page.figure_elsewhere")) for c in mapping.cells
                ],
            }
        ),
        hide_index=True,
    )
    drop = st.multiselect(
        tr("funder.page.unmap"),
        [f"{c.sheet}!{c.cell}" for c in mapping.cells],
        placeholder=tr("common.choose_one"),
        key="tp_unmap",
    )
    if drop and st.button(tr("funder.page.unmap_button"), key="tp_unmap_button"):
        mapping.cells = [c for c in mapping.cells if f"{c.sheet}!{c.cell}" not in drop]
        keep(mapping)
        st.rerun()

st.subheader(tr("funder.page.table_title"))
existing = next((x for x in mapping.tables if x.sheet == sheet), None)
header_key, first_key = f"tp_header_{detail.id}_{sheet}", f"tp_first_{detail.id}_{sheet}"
st.session_state.setdefault(header_key, existing.header_row if existing else 1)
st.session_state.setdefault(first_key, existing.first_row if existing else 2)


def use_row(key: str, row: int) -> None:
    st.session_state[key] = row


clicked_row = st.session_state.get("tp_grid_clicked")
if clicked_row:
    row_number = int("".join(ch for ch in clicked_row if ch.isdigit()))
    b1, b2, _ = st.columns(3)
    b1.button(
        tr("funder.page.use_as_header", row=row_number),
        on_click=use_row,
        args=(header_key, row_number),
        key="tp_use_header",
    )
    b2.button(
        tr("funder.page.use_as_first", row=row_number),
        on_click=use_row,
        args=(first_key, max(row_number, 2)),
        key="tp_use_first",
    )
c1, c2, c3 = st.columns(3)
header_row = int(
    c1.number_input(tr("funder.page.header_row"), min_value=1, max_value=10_000, key=header_key)
)
first_row = int(
    c2.number_input(tr("funder.page.first_row"), min_value=2, max_value=10_000, key=first_key)
)
row_kind = st.selectbox(
    tr("funder.page.rows"),
    list(ROW_KINDS),
    index=list(ROW_KINDS).index(existing.rows) if existing else 0,
    format_func=label_for("funder.rows"),
    key=relabelled(f"tp_rows_kind_{sheet}"),
    placeholder=tr("common.choose_one"),
)
headers = header_columns(wb, sheet, header_row)
field_of = {c.column: c.field for c in existing.columns} if existing else {}
chosen: dict[str, str] = {}
not_mapped, every = tr("funder.page.not_mapped"), tr("funder.page.all")
if headers:
    columns = st.columns(min(len(headers), 4))
    for i, (letter, text) in enumerate(headers):
        options_for = [NOT_MAPPED, *fields_for(row_kind)]
        current = field_of.get(letter, NOT_MAPPED)
        chosen[letter] = columns[i % len(columns)].selectbox(
            f"{letter} · {text}",
            options_for,
            index=options_for.index(current) if current in options_for else 0,
            format_func=lambda f: t(f"funder.field.{f}", lang) if f else not_mapped,
            key=relabelled(f"tp_col_{sheet}_{header_row}_{row_kind}_{letter}"),
            placeholder=tr("common.choose_one"),
        )
mapped_letters = [letter for letter, f in chosen.items() if f]
detected = form_rows(wb[sheet], first_row, mapped_letters) if mapped_letters else 1
row_count = int(
    c3.number_input(
        tr("funder.page.row_count"),
        min_value=1,
        max_value=10_000,
        value=existing.row_count if existing else detected,
        key=f"tp_rows_{sheet}_{first_row}_{detected}",
    )
)
c1, c2, c3, c4 = st.columns(4)
sort = c1.selectbox(
    tr("funder.page.sort"),
    list(SORTS),
    index=list(SORTS).index(existing.sort) if existing else 0,
    format_func=label_for("funder.sort"),
    key=relabelled(f"tp_sort_{sheet}"),
    placeholder=tr("common.choose_one"),
)
scope = c2.selectbox(
    tr("funder.page.scope"),
    list(SCOPES),
    index=list(SCOPES).index(existing.scope) if existing else 1,
    format_func=label_for("funder.scope"),
    key=relabelled(f"tp_scope_{sheet}"),
    placeholder=tr("common.choose_one"),
)
kind_names = {k.code: k.name for k in kinds}
kind = c3.selectbox(
    tr("funder.page.kind"),
    [NOT_MAPPED, *kind_names],
    format_func=lambda v: kind_names.get(v, every),
    key=relabelled(f"tp_kind_{sheet}"),
    placeholder=tr("common.choose_one"),
)
programme_names = {p.id: f"{p.name} ({p.year})" for p in programme_rows}
programme = c4.selectbox(
    tr("funder.page.programme"),
    [0, *programme_names],
    format_func=lambda v: programme_names.get(v, every),
    key=f"tp_programme_{sheet}",
    placeholder=tr("common.choose_one"),
)
b1, b2 = st.columns(2)
if b1.button(tr("funder.page.set_table"), key="tp_set_table"):
    if not mapped_letters:
        st.error(tr("funder.error.table_columns"))
    else:
        mapping.tables = [x for x in mapping.tables if x.sheet != sheet]
        mapping.tables.append(
            TableMap(
                sheet=sheet,
                header_row=header_row,
                first_row=first_row,
                row_count=row_count,
                columns=[ColumnMap(letter, chosen[letter]) for letter in mapped_letters],
                sort=sort,
                scope=scope,
                kind=kind or None,
                programme_id=programme or None,
                rows=row_kind,
            )
        )
        keep(mapping)
        st.rerun()
if existing and b2.button(tr("funder.page.remove_table"), key="tp_remove_table"):
    mapping.tables = [x for x in mapping.tables if x.sheet != sheet]
    keep(mapping)
    st.rerun()
if existing:
    st.caption(
        tr(
            "funder.page.table_summary",
            first=existing.first_row,
            rows=existing.row_count,
            columns=", ".join(
                f"{c.column} {tr(f'funder.field.{c.field}')}" for c in existing.columns
            ),
        )
    )

if st.button(tr("funder.page.save"), type="primary", key="tp_save"):
    save_then_rerun(
        lambda s: service.save_mapping(
            s, actor, detail.id, mapping, opened_number=detail.mapping_number
        ),
        tr("funder.page.saved_done"),
        forget=[draft_key],
    )

with st.expander(tr("funder.page.replace")), st.form("tp_replace", clear_on_submit=True):
    changed = form_uploader("tp_new_file")
    if st.form_submit_button(tr("funder.page.replace_button")):
        if changed is None:
            st.error(tr("funder.page.file_needed"))
        else:
            save_then_rerun(
                lambda s: service.replace_file(
                    s, actor, detail.id, filename=changed.name, data=changed.getvalue()
                ),
                tr("funder.page.replaced"),
                forget=[draft_key],
            )

# --- fill -------------------------------------------------------------------------------------
st.subheader(tr("funder.page.fill_title"))
if st.session_state.get(draft_key) != detail.mapping.to_json():
    st.caption(tr("funder.page.unsaved"))
if st.button(tr("funder.page.fill"), type="primary", key="tp_fill"):
    try:
        with session() as s:
            _, filled = service.fill_template(s, actor, detail.id, options)
    except CRMError as exc:
        st.error(exc.message(lang))
    else:
        st.session_state["tp_filled"] = (
            detail.id,
            service.filled_filename(detail, options),
            filled.content,
            filled.closed,
            filled.table_rows,
        )
done = st.session_state.get("tp_filled")
if done and done[0] == detail.id:  # the last fill of this template, not of another one
    _, filename, content, closed, rows = done
    st.success(tr("funder.page.filled", file=filename, rows=", ".join(f"{n:,}" for n in rows)))
    if closed:
        st.info(tr("funder.page.closed_note"))
    st.download_button(
        f"{tr('reports.download')} · {filename}",
        data=content,
        file_name=filename,
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="tp_download",
    )
