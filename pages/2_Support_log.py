"""Support log across all companies: filter, page, edit and cancel; budgets; quick entry."""

from __future__ import annotations

import streamlit as st

from crm.models import ActivityStatus
from crm.services import programmes, stats, users
from crm.services.activity_views import ActivityFilters, list_activities
from crm.services.permissions import Permission, can
from crm.services.programmes import (
    create_programme,
    get_cohort,
    set_cohort_target,
    update_programme,
)
from crm.services.reference import list_kinds
from crm.ui import auth, budget_view, choices, state
from crm.ui import format as fmt
from crm.ui.actions import as_opened, save_then_rerun
from crm.ui.activity_form import activity_heading, edit_activity_form, log_activity_form
from crm.ui.company_detail import activity_table
from crm.ui.data import session
from crm.ui.forms import (
    changed_fields,
    choose_many,
    money_input,
    paging,
    quarter_filter,
    wkey,
)
from crm.ui.hpc_view import hpc_section
from crm.ui.kind_names import kind_names, name_of
from crm.ui.quick_entry_form import quick_entry_form
from crm.ui.state import language, tr
from crm.ui.widget_state import relabelled

actor = auth.guard("pages/2_Support_log.py")
lang = language()
editable = can(actor.role, Permission.EDIT_ACTIVITIES)
st.title(tr("support.title"))
st.caption(tr("app.demo_notice"))
state.show_flash()

with session() as s:
    catalogue = programmes.list_programmes(s)
    officers = {u.id: u.display_name for u in users.list_officers(s)}
years = sorted({p.year for p in catalogue}, reverse=True)

kind_names_shown = kind_names()
with st.container(border=True):
    f1, f2, f3 = st.columns(3)
    kinds = choose_many(
        f1,
        tr("col.kind"),
        sorted({p.kind for p in catalogue}),
        lambda k: name_of(kind_names_shown, k),
        "sl_kind",
    )
    programme_ids = choose_many(
        f2,
        tr("col.programme"),
        [p.id for p in catalogue],
        lambda pid: next(p.name for p in catalogue if p.id == pid),
        "sl_programme",
    )
    quarter = quarter_filter(f3, years, "sl_quarter")
    g1, g2, g3 = st.columns(3)
    statuses = choose_many(
        g1,
        tr("field.status"),
        [v.value for v in ActivityStatus],
        lambda v: tr(f"status.{v}"),
        "sl_status",
    )
    officer_ids = choose_many(
        g2, tr("col.officer"), list(officers), lambda uid: officers[uid], "sl_officer"
    )
    search = g3.text_input(tr("support.company"), key="sl_search")

filters = ActivityFilters(
    kinds=tuple(kinds),
    programme_ids=tuple(programme_ids),
    quarter=quarter,
    statuses=tuple(statuses),
    officer_ids=tuple(officer_ids),
    search=search,
)
p1, p2, _ = st.columns([1, 1, 4])
page_number, page_size = paging(p1, p2, "sl")
with session() as s:
    result = list_activities(s, filters, page=page_number, page_size=page_size)
st.caption(
    tr("support.total", total=f"{result.total:,}", amount=fmt.krw(result.total_krw, lang))
    + f" · {result.page}/{result.pages}"
)
selected_id: int | None = None
if result.rows.empty:
    st.info(tr("activity.none"))
else:
    if editable:
        st.caption(tr("activity.select_hint"))
    event = st.dataframe(
        activity_table(result.rows),
        hide_index=True,
        width="stretch",
        on_select="rerun" if editable else "ignore",
        selection_mode="single-row",
        key="sl_table",
    )
    picked = event.selection.rows if editable and event is not None else []
    if picked:
        selected_id = int(result.rows.iloc[picked[0]]["id"])
linked = st.query_params.get("activity")
if editable and selected_id is None and linked and str(linked).isdigit():
    selected_id = int(linked)  # opened by link (e.g. from a company page)

if selected_id is not None:
    with st.container(border=True):
        st.markdown(f"**{tr('activity.edit')}: {activity_heading(selected_id)}**")
        edit_activity_form(actor, selected_id)

st.subheader(tr("support.budget"))
budget_year = (
    st.selectbox(tr("home.year"), years, placeholder=tr("common.choose_one"), key="sl_budget_year")
    if years
    else None
)
if budget_year is not None:
    with session() as s:
        execution = stats.programme_execution(s, budget_year)
    for warning in budget_view.over_allocated(execution, lang):
        st.warning(warning)
    budget_table = budget_view.budget_frame(execution, lang, millions=False, names=kind_names_shown)
    budget_table[tr("col.activities")] = execution["activities"]
    st.dataframe(
        budget_table,
        hide_index=True,
        width="stretch",
        column_config=budget_view.budget_columns(lang),
    )
    st.caption(tr("budget.help.allocated"))
    # HPC programmes: utilisation and allocations to reclaim
    hpc_section(budget_year, any(p.kind == "hpc" and p.year == budget_year for p in catalogue))

if budget_year is not None and can(actor.role, Permission.EDIT_PROGRAMMES):
    with st.expander(tr("programmes.manage"), icon=":material/tune:"):
        with session() as s:
            cohort = get_cohort(s, budget_year)
            kinds = list_kinds(s)
        cohort_key = f"pm_cohort{budget_year}__opened"
        shown = as_opened(
            cohort_key,
            {
                "version": cohort.version if cohort else None,
                "target_companies": cohort.target_companies if cohort else 0,
            },
        )
        with st.form("pm_cohort"):
            target = st.number_input(
                tr("programmes.cohort_target", year=budget_year),
                min_value=0,
                step=1,
                value=shown["target_companies"],
                key=wkey("pm_cohort", str(budget_year)),
            )
            if st.form_submit_button(tr("common.save")):
                save_then_rerun(
                    lambda s: set_cohort_target(
                        s,
                        actor,
                        year=budget_year,
                        target_companies=int(target),
                        version=shown["version"],
                    ),
                    tr("programmes.saved"),
                    reset="pm_cohort",
                    forget=(cohort_key,),
                )
        year_programmes = {p.id: p for p in catalogue if p.year == budget_year}
        if year_programmes:
            chosen = st.selectbox(
                tr("col.programme"),
                list(year_programmes),
                format_func=lambda pid: year_programmes[pid].name,
                placeholder=tr("common.choose_one"),
                key="pm_pick",
            )
            programme = year_programmes[chosen]
            base = f"pm_edit{programme.id}"
            opened_key = f"{base}__opened"
            opened = as_opened(
                opened_key,
                {
                    "version": programme.version,
                    "name": programme.name,
                    "budget_krw": programme.budget_krw,
                    "target_companies": programme.target_companies,
                },
            )
            with st.form(base):
                c1, c2, c3 = st.columns(3)
                name = c1.text_input(
                    tr("programmes.name"), value=opened["name"], key=wkey(base, "name")
                )
                with c2:
                    budget = money_input(
                        tr("programmes.budget"), opened["budget_krw"], wkey(base, "budget")
                    )
                goal = c3.number_input(
                    tr("programmes.target"),
                    min_value=0,
                    step=1,
                    value=opened["target_companies"],
                    key=wkey(base, "target"),
                )
                if st.form_submit_button(tr("common.save")):
                    entered = {
                        "name": name,
                        "budget_krw": budget,
                        "target_companies": int(goal),
                    }
                    save_then_rerun(
                        lambda s: update_programme(
                            s,
                            actor,
                            programme.id,
                            version=opened["version"],
                            changes=changed_fields(opened, entered),
                        ),
                        tr("programmes.saved"),
                        reset=base,
                        forget=(opened_key,),
                    )
        with st.form("pm_new"):
            st.markdown(f"**{tr('programmes.add')}**")
            c1, c2, c3, c4, c5 = st.columns([3, 1, 2, 2, 1])
            new_name = c1.text_input(tr("programmes.name"), key=wkey("pm_new", "name"))
            new_year = c2.number_input(
                tr("home.year"), 2000, 2100, value=budget_year, key=wkey("pm_new", "year")
            )
            new_kind = c3.selectbox(
                tr("col.kind"),
                [k.code for k in kinds],
                format_func=lambda code: next(
                    k.name_ko if lang == "ko" else k.name_en for k in kinds if k.code == code
                ),
                placeholder=tr("common.choose_one"),
                key=relabelled(wkey("pm_new", "kind")),
            )
            with c4:
                new_budget = money_input(tr("programmes.budget"), None, wkey("pm_new", "budget"))
            new_target = c5.number_input(
                tr("programmes.target"), min_value=0, step=1, key=wkey("pm_new", "target")
            )
            if st.form_submit_button(tr("programmes.add")):
                save_then_rerun(
                    lambda s: create_programme(
                        s,
                        actor,
                        name=new_name,
                        year=int(new_year),
                        kind=new_kind,
                        budget_krw=new_budget if new_budget is not None else 0,
                        target_companies=int(new_target),
                    ),
                    tr("programmes.saved"),
                    field_label=lambda field: tr(f"programmes.field.{field}"),
                    reset="pm_new",
                )

if not editable:
    st.stop()

# Each entry form runs only while its section is open: a closed one would still send every
# company's name to the browser on every run (10,000 names at scale).
new_entry = st.expander(
    tr("support.new"), icon=":material/add:", key="sl_entry_open", on_change="rerun"
)
if new_entry.open:
    with new_entry:
        log_activity_form(actor, "sl_new", company_id=None, companies=choices.company_names())

quick_entry = st.expander(
    tr("support.quick"), icon=":material/table_rows:", key="sl_quick_entry_open", on_change="rerun"
)
if quick_entry.open:
    with quick_entry:
        st.caption(tr("support.quick_help"))
        mentoring = [p for p in catalogue if p.kind == "mentoring"]
        if mentoring:
            quick_entry_form(actor, mentoring, choices.company_names())
