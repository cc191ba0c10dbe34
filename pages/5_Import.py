"""Import (officers, managers, admins): upload, check the mapping, preview every row, confirm;
import history with undo (managers); downloadable templates."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from crm.config import get_settings
from crm.errors import CRMError
from crm.importer import (
    ImportHasErrors,
    ImportKind,
    ImportOptions,
    SourceTable,
    UndoRefused,
    apply_import,
    clearable_fields,
    field_label,
    fields_for,
    import_history,
    load_file,
    preview_frame,
    preview_import,
    template_workbook,
    undo_import,
)
from crm.models import Industry, Stage
from crm.services import programmes
from crm.services.permissions import Permission, can
from crm.services.reference import list_kinds
from crm.ui import auth, state
from crm.ui import format as fmt
from crm.ui.data import session
from crm.ui.state import language, tr
from crm.ui.widget_state import relabelled

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

actor = auth.guard("pages/5_Import.py")
lang = language()
st.title(tr("import.title"))
st.caption(tr("import.intro"))
state.show_flash()

with session() as s:
    kinds = list_kinds(s)
    catalogue = programmes.list_programmes(s)

with st.expander(tr("import.templates"), icon=":material/description:"):
    cols = st.columns(3)
    for column, kind in zip(cols, ImportKind, strict=False):
        column.download_button(
            tr("import.template", kind=tr(f"importer.kind.{kind.value}")),
            data=lambda k=kind: template_workbook(k, lang, kinds=kinds, programmes=catalogue),
            file_name=f"template-{kind.value}.xlsx",
            mime=XLSX,
            on_click="ignore",
            key=f"imp_template_{kind.value}",
        )


@st.cache_data(show_spinner=False, max_entries=4)
def read_table(data: bytes, filename: str, kind: str | None, sheet: str | None) -> SourceTable:
    return load_file(data, filename, kind=kind, sheet=sheet, kinds=kinds)


upload = st.file_uploader(
    tr("import.file"),
    type=["xlsx", "csv"],
    key="imp_file",
    max_upload_size=get_settings().import_max_mb,
)
if upload is not None:
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:12]
    c1, c2 = st.columns(2)
    kind_choice = c1.selectbox(
        tr("import.kind"),
        [None, *[k.value for k in ImportKind]],
        format_func=lambda k: tr("companies.any") if k is None else tr(f"importer.kind.{k}"),
        placeholder=tr("companies.any"),
        key=relabelled(f"imp_kind_{digest}"),
    )
    try:
        table = read_table(data, upload.name, kind_choice, None)
        if len(table.sheet_names) > 1:
            sheet = c2.selectbox(
                tr("import.sheet"),
                table.sheet_names,
                placeholder=tr("common.choose_one"),
                key=f"imp_sheet_{digest}",
            )
            if sheet != table.sheet_name:
                table = read_table(data, upload.name, kind_choice, sheet)
    except CRMError as exc:
        st.error(exc.message(lang))
        st.stop()
    st.caption(tr("import.header_found", row=table.header_row, rows=len(table.rows)))
    for note in table.notes:
        if note.warning:
            st.warning(note.message(lang), icon=":material/warning:")
        else:
            st.caption(f"· {note.message(lang)}")

    field_names = [f.name for f in fields_for(table.kind, kinds)]
    mapping: dict[str, str | None] = {}
    with st.expander(tr("import.mapping"), expanded=True):
        grid = st.columns(3)
        for index, label in enumerate(table.labels):
            suggested = table.mapping.get(label)
            options = [None, *field_names]
            mapping[label] = grid[index % 3].selectbox(
                label or f"#{index + 1}",
                options,
                index=options.index(suggested) if suggested in options else 0,
                format_func=lambda f: tr("import.ignore") if f is None else field_label(f, lang),
                placeholder=tr("common.choose_one"),
                key=relabelled(f"imp_map_{digest}_{table.kind.value}_{index}"),
            )

    with st.expander(tr("import.options"), expanded=True):
        o1, o2, o3 = st.columns(3)
        default_stage = o1.selectbox(
            tr("import.default_stage"),
            [None, *[s.value for s in Stage]],
            format_func=lambda v: "-" if v is None else tr(f"stage.{v}"),
            placeholder="-",
            key=relabelled("imp_stage"),
        )
        stage_since = o2.date_input(tr("import.stage_since"), value=date.today(), key="imp_since")
        cohort_year = o3.number_input(
            tr("import.cohort_year"), 2000, 2100, value=date.today().year, key="imp_cohort"
        )
        p1, p2, p3 = st.columns(3)
        default_industry = p1.selectbox(
            tr("import.default_industry"),
            [None, *[i.value for i in Industry]],
            format_func=lambda v: "-" if v is None else tr(f"industry.{v}"),
            placeholder="-",
            key=relabelled("imp_industry"),
        )
        programme_id = p2.selectbox(
            tr("import.programme"),
            [None, *[p.id for p in catalogue]],
            format_func=lambda pid: (
                "-" if pid is None else next(p.name for p in catalogue if p.id == pid)
            ),
            placeholder="-",
            key="imp_programme",
        )
        date_order = p3.selectbox(
            tr("import.date_order"),
            ["auto", "dmy", "mdy"],
            format_func=lambda v: tr(f"import.date_order.{v}"),
            placeholder=tr("common.choose_one"),
            key=relabelled("imp_date_order"),
        )
        q1, q2 = st.columns(2)
        create_companies = q1.checkbox(tr("import.create_companies"), value=True, key="imp_create")
        usd_rate = q2.number_input(tr("import.usd_rate"), min_value=0.0, value=0.0, key="imp_usd")
        empty_clears = False
        clears, kept = clearable_fields(table.kind, mapping)
        if clears or kept:
            empty_clears = st.checkbox(
                tr("import.empty_clears"),
                value=False,
                help=tr("import.empty_clears_help"),
                key="imp_empty_clears",
            )
            for key, names in (
                ("import.empty_clears_fields", clears),
                ("import.empty_clears_required", kept),
            ):
                if names:
                    listed = ", ".join(field_label(name, lang) for name in names)
                    st.caption(tr(key, fields=listed))
    options = ImportOptions(
        default_stage=default_stage,
        stage_since=stage_since,
        cohort_year=int(cohort_year),
        default_industry=default_industry,
        programme_id=programme_id,
        create_companies=create_companies,
        date_order=date_order,
        usd_krw_rate=usd_rate or None,
        empty_clears=empty_clears,
    )
    fingerprint = (
        digest,
        table.kind.value,
        table.sheet_name,
        tuple(mapping.items()),
        repr(options),
    )
    if st.button(tr("import.preview"), icon=":material/visibility:", key="imp_preview"):
        try:
            with session() as s:
                preview = preview_import(s, actor, table, mapping=mapping, options=options)
        except CRMError as exc:
            st.error(exc.message(lang))
            st.stop()
        # Keep plain data only (never ORM objects) between reruns.
        st.session_state["imp_previewed"] = {
            "fingerprint": fingerprint,
            "counts": preview.counts,
            "frame": preview_frame(preview, lang),
            "notes": [(n.message(lang), n.warning) for n in preview.notes],
        }
    shown = st.session_state.get("imp_previewed")
    if shown and shown["fingerprint"] == fingerprint:
        st.markdown(f"**{tr('import.counts', **shown['counts'])}**")
        for note, warning in shown["notes"]:
            if warning:
                st.warning(note, icon=":material/warning:")
            else:
                st.caption(f"· {note}")
        st.dataframe(shown["frame"], hide_index=True, width="stretch", height=360)
        skip_invalid = st.checkbox(tr("import.skip_invalid"), key="imp_skip")
        if st.button(
            tr("import.confirm"), type="primary", icon=":material/check:", key="imp_confirm"
        ):
            bar = st.progress(0.0)
            try:
                with session() as s:
                    result = apply_import(
                        s,
                        actor,
                        table,
                        mapping=mapping,
                        options=options,
                        skip_invalid=skip_invalid,
                        progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                        lang=lang,
                    )
            except ImportHasErrors:
                st.error(tr("import.refused_errors"))
            except CRMError as exc:
                st.error(exc.message(lang))
            else:
                st.session_state.pop("imp_previewed", None)
                if result.batch_id is None and result.skipped_rows:
                    state.flash(tr("import.all_skipped", count=len(result.skipped_rows)))
                elif result.batch_id is None:
                    state.flash(tr("import.nothing"))
                else:
                    message = tr(
                        "import.done",
                        batch=result.batch_id,
                        created=result.created,
                        updated=result.updated,
                        unchanged=result.unchanged,
                        companies=result.companies_created,
                    )
                    if result.skipped_rows:
                        message += " " + tr(
                            "import.skipped_rows", rows=", ".join(map(str, result.skipped_rows))
                        )
                    state.flash(message)
                st.rerun()
    elif shown:
        st.info(tr("import.preview_first"))

st.subheader(tr("import.history"))
with session() as s:
    history = import_history(s)
if not history:
    st.caption(tr("import.no_history"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                tr("import.col.id"): [b.id for b in history],
                tr("import.col.file"): [b.filename for b in history],
                tr("import.col.kind"): [tr(f"importer.kind.{b.kind}") for b in history],
                tr("import.col.by"): [b.by for b in history],
                tr("import.col.at"): [fmt.moment(b.created_at, lang) for b in history],
                tr("import.col.created"): [b.rows_created for b in history],
                tr("import.col.updated"): [b.rows_updated for b in history],
                tr("import.col.skipped"): [b.rows_skipped for b in history],
                tr("import.col.undone"): [
                    f"{fmt.moment(b.undone_at, lang)} · {b.undone_by}" if b.undone_at else ""
                    for b in history
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if can(actor.role, Permission.UNDO_IMPORT):
        open_batches = [b.id for b in history if b.undone_at is None]
        if open_batches:
            with st.form("imp_undo"):
                batch_id = st.selectbox(
                    tr("import.undo_pick"),
                    open_batches,
                    format_func=lambda i: f"#{i}",
                    placeholder=tr("common.choose_one"),
                )
                if st.form_submit_button(tr("import.undo"), icon=":material/undo:"):
                    try:
                        with session() as s:
                            undone = undo_import(s, actor, batch_id)
                    except UndoRefused as exc:
                        st.error(tr("import.undo_refused"))
                        for reason in exc.reasons:
                            st.caption(f"· {reason.message(lang)}")
                    except CRMError as exc:
                        st.error(exc.message(lang))
                    else:
                        state.flash(
                            tr(
                                "import.undone",
                                batch=undone.batch_id,
                                deleted=sum(undone.deleted.values()),
                                restored=undone.restored,
                            )
                        )
                        st.rerun()
