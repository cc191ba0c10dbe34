"""Quarterly report (managers, admins): summary on screen, build and download the workbook,
saved builds with who made them, and closing the quarter."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from crm.errors import CRMError, ValidationError
from crm.i18n import t
from crm.reports.exports import build_report, export_path, list_exports
from crm.reports.options import Unit, validate_options
from crm.reports.restatements import restatement_lines
from crm.reports.view import summary_view
from crm.reports.workbook import NoReportData
from crm.services import programmes
from crm.services.permissions import Permission, can
from crm.services.quarters import close_quarter, list_restatements
from crm.services.templates import list_templates
from crm.ui import auth, state
from crm.ui import format as fmt
from crm.ui.actions import save_then_rerun
from crm.ui.data import session
from crm.ui.nav import link
from crm.ui.restatements import restatement_table
from crm.ui.state import language, tr
from crm.ui.widget_state import relabelled

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

actor = auth.guard("pages/3_Reports.py")
lang = language()
st.title(tr("reports.title"))
st.caption(tr("reports.intro"))
st.caption(tr("app.demo_notice"))
state.show_flash()

with session() as s:
    years = sorted({p.year for p in programmes.list_programmes(s)}, reverse=True) or [
        date.today().year
    ]
c1, c2, c3, c4 = st.columns(4)
year = c1.selectbox(tr("home.year"), years, placeholder=tr("common.choose_one"), key="rp_year")
quarter = c2.selectbox(
    tr("home.quarter"),
    [1, 2, 3, 4],
    index=3,
    format_func=lambda q: f"Q{q}",
    placeholder=tr("common.choose_one"),
    key="rp_quarter",
)
unit = c3.selectbox(
    tr("reports.unit"),
    [u.value for u in Unit],
    format_func=lambda u: tr(f"report.unit.{u}"),
    placeholder=tr("common.choose_one"),
    key=relabelled("rp_unit"),
)
report_lang = c4.selectbox(
    tr("reports.lang"),
    ["ko", "en"],
    index=["ko", "en"].index(lang),
    format_func=lambda v: {"ko": "한국어", "en": "English"}[v],
    placeholder=tr("common.choose_one"),
    key="rp_lang",
)
try:
    options = validate_options(year, quarter, unit, report_lang)
except ValidationError as exc:
    st.error(exc.message(lang))
    st.stop()

with session() as s:
    view = summary_view(s, options)
if view.closed:
    st.info(
        tr(
            "reports.closed",
            year=year,
            quarter=quarter,
            at=fmt.moment(view.closed.closed_at, lang, label=True),
            by=view.closed.closed_by,
        )
    )
    if view.closed.restatements:
        about_sheet = t("report.sheet.about", options.lang)  # the name the workbook gives it
        st.warning(tr("reports.restated", count=view.closed.restatements, sheet=about_sheet))
else:
    st.caption(tr("reports.open"))
for table in view.tables:
    st.markdown(f"**{table.title}**")
    st.dataframe(table.display, hide_index=True, width="stretch")

if st.button(tr("reports.build"), type="primary", icon=":material/table_view:", key="rp_build"):
    bar = st.progress(0.0)

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        with session() as s:
            saved = build_report(s, actor, options, progress=progress)
    except NoReportData:
        st.warning(tr("reports.no_data"))
    except CRMError as exc:
        st.error(exc.message(lang))
    else:
        st.session_state["rp_last_built"] = saved.filename
        st.success(tr("reports.built", file=saved.filename))

last = st.session_state.get("rp_last_built")
if last:
    path = export_path(last)
    st.download_button(
        f"{tr('reports.download')} · {last}",
        data=path.read_bytes(),
        file_name=last,
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="rp_download_last",
    )

st.subheader(tr("reports.saved"))
with session() as s:
    saved_reports = list_exports(s)
if not saved_reports:
    st.caption(tr("reports.none_saved"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                tr("reports.col.file"): [r.filename for r in saved_reports],
                tr("reports.col.period"): [f"{r.year} Q{r.quarter}" for r in saved_reports],
                tr("reports.col.by"): [r.created_by or "-" for r in saved_reports],
                tr("reports.col.at"): [fmt.moment(r.created_at, lang) for r in saved_reports],
                tr("reports.col.size"): [f"{r.size_bytes / 1024:,.0f} KB" for r in saved_reports],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    chosen = st.selectbox(
        tr("reports.col.file"),
        [r.filename for r in saved_reports],
        placeholder=tr("common.choose_one"),
        key="rp_saved_pick",
    )
    if chosen:
        st.download_button(
            tr("reports.download"),
            data=lambda: export_path(chosen).read_bytes(),
            file_name=chosen,
            mime=XLSX,
            icon=":material/download:",
            on_click="ignore",
            key="rp_download_saved",
        )

with session() as s:
    restatements = restatement_lines(s, list_restatements(s, year=year), lang)
if restatements:
    st.subheader(tr("reports.restatements"))
    st.dataframe(restatement_table(restatements, lang), hide_index=True, width="stretch")

if can(actor.role, Permission.CLOSE_QUARTER) and not view.closed:
    with st.form("rp_close"):
        st.markdown(f"**{tr('reports.close')}** · {year} Q{quarter}")
        confirmed = st.checkbox(tr("reports.close_confirm"), key="rp_close_confirm")
        if st.form_submit_button(tr("reports.close"), disabled=False):
            if not confirmed:
                st.warning(tr("reports.close_confirm"))
            else:
                save_then_rerun(
                    lambda s: close_quarter(s, actor, year, quarter),
                    tr("reports.closed_done", year=year, quarter=quarter),
                )

# Funder templates (issue 15): the funders' own forms, filled on their page.
st.subheader(tr("nav.templates"))
with session() as s:
    funder_forms = list_templates(s, actor)
form_names = ", ".join(f.name for f in funder_forms)
st.caption(
    tr("funder.page.on_reports", count=len(funder_forms), names=form_names)
    if funder_forms
    else tr("funder.page.none")
)
link("pages/7_Templates.py", "funder.page.open", actor)
