"""Companies: search, filter, sort and page the list; create; open a company page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from crm.errors import CRMError, ValidationError
from crm.exports.tables import Sheet, frames_to_xlsx
from crm.models import Industry, Stage
from crm.services import companies, programmes, users
from crm.services.company_views import (
    CompanyFilters,
    export_rows,
    list_companies,
    may_see_personal,
)
from crm.services.permissions import Permission, can
from crm.ui import auth, company_detail, state
from crm.ui import format as fmt
from crm.ui.company_list import list_frame
from crm.ui.data import session
from crm.ui.forms import (
    choose_many,
    clear_errors,
    field_error,
    other_errors,
    paging,
    quarter_filter,
    reset_widgets,
    set_errors,
    wkey,
)
from crm.ui.state import language, tr
from crm.ui.widget_state import KEEP, kept, label_for, relabelled, remember

actor = auth.guard("pages/1_Companies.py")
lang = language()

# The table's row selection lives in the browser under the widget's key: the table gets a new key
# whenever a company opens from it, so coming back (button, sidebar, browser Back) shows the list.
# The filters keep their values across pages (persist_state), so the way back keeps the search.
TABLE = "co_list"
SHOWN = "co_shown_company"  # a company page was open: the browser's address may still say so
selected = st.query_params.get("company")
if selected and str(selected).isdigit():
    st.session_state[SHOWN] = selected
    if st.button(tr("companies.back"), icon=":material/arrow_back:"):
        company_detail.close_view(int(selected))
        reset_widgets(TABLE)
        del st.query_params["company"]
        st.rerun()
    company_detail.render(actor, int(selected))
    st.stop()

if st.session_state.pop(SHOWN, None):
    # Reached by the sidebar link, the address bar can still hold ?company=…: send the list's
    # own (empty) parameters so a reload or a bookmark shows the list, not the company.
    st.query_params.clear()
st.title(tr("companies.title"))
st.caption(tr("app.demo_notice"))
state.show_flash()

with session() as s:
    officers = {u.id: u.display_name for u in users.list_officers(s)}
    catalogue = programmes.list_programmes(s)
    years = sorted({p.year for p in catalogue}, reverse=True) or [date.today().year]

with st.container(border=True):
    search = st.text_input(
        tr("companies.search" if may_see_personal(actor) else "companies.search_masked"),
        placeholder=tr("companies.search_hint"),
        key=kept("co_search"),
        persist_state=KEEP,
    )
    remember("co_search", search)
    f1, f2, f3, f4 = st.columns(4)
    stages_chosen = choose_many(
        f1,
        tr("field.stage"),
        [s.value for s in Stage],
        label_for("stage"),
        "co_stage",
        persist=True,
    )
    industries = choose_many(
        f2,
        tr("field.industry"),
        [i.value for i in Industry],
        label_for("industry"),
        "co_industry",
        persist=True,
    )
    officer_ids = choose_many(
        f3,
        tr("field.officer_id"),
        list(officers),
        lambda uid: officers[uid],
        "co_officer",
        persist=True,
    )
    archived_choice = f4.selectbox(
        tr("companies.filter.archived"),
        ["active", "archived", "all"],
        format_func=label_for("companies.archived"),
        placeholder=tr("common.choose_one"),
        key=relabelled("co_archived"),
        persist_state=KEEP,
    )
    g1, g2, g3, g4 = st.columns(4)
    kinds = choose_many(
        g1,
        tr("col.kind"),
        sorted({p.kind for p in catalogue}),
        label_for("kind"),
        "co_kind",
        persist=True,
    )
    programme_ids = choose_many(
        g2,
        tr("col.programme"),
        [p.id for p in catalogue],
        lambda pid: next(p.name for p in catalogue if p.id == pid),
        "co_programme",
        persist=True,
    )
    quarter = quarter_filter(g3, years, "co_quarter", persist=True)
    sort = g4.selectbox(
        tr("companies.sort"),
        ["name_ko", "stage", "industry", "cohort_year", "updated_at"],
        format_func=label_for("sort"),
        placeholder=tr("common.choose_one"),
        key=relabelled("co_sort"),
        persist_state=KEEP,
    )

filters = CompanyFilters(
    search=search,
    stages=tuple(stages_chosen),
    industries=tuple(industries),
    officer_ids=tuple(officer_ids),
    kinds=tuple(kinds),
    programme_ids=tuple(programme_ids),
    quarter=quarter,
    archived={"active": False, "archived": True, "all": None}[archived_choice],
)
p1, p2, p3 = st.columns([1, 1, 4])
page_number, page_size = paging(p1, p2, "co", persist=True)
descending = p3.toggle(tr("companies.desc"), key="co_desc", persist_state=KEEP)

with session() as s:
    result = list_companies(
        s,
        actor,
        filters,
        sort=sort,
        descending=descending,
        page=page_number,
        page_size=page_size,
    )
st.caption(tr("companies.count", total=f"{result.total:,}", page=result.page, pages=result.pages))
rows = result.rows


def companies_workbook() -> bytes:
    """Every company matching the filters (not just this page), built only when clicked."""
    with session() as s:
        frame = export_rows(s, actor, filters)
    return frames_to_xlsx(
        [
            Sheet(
                tr("companies.title"),
                list_frame(frame, lang),
                krw_columns=(tr("col.amount_total"),),
                note=tr("app.demo_notice"),
            )
        ],
        title=tr("companies.title"),
    )


st.download_button(
    tr("companies.download"),
    data=companies_workbook,
    file_name=f"companies-{date.today().isoformat()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    disabled=result.total == 0,
)
if rows.empty:
    st.info(tr("companies.none"))
else:
    table = pd.DataFrame(
        {
            tr("field.name_ko"): rows["name_ko"],
            tr("field.brn"): rows["brn"].fillna(""),
            tr("field.representative"): rows["representative"].fillna(""),
            tr("col.stage"): [tr(f"stage.{v}") for v in rows["stage"]],
            tr("field.industry"): [tr(f"industry.{v}") for v in rows["industry"]],
            tr("field.location"): rows["location"].fillna(""),
            tr("col.officer"): rows["officer"].fillna(""),
            tr("col.activities_n"): rows["activities"],
            tr("col.amount_total"): [fmt.krw(v, lang, millions=True) for v in rows["amount_krw"]],
            tr("col.last_support"): [fmt.day(d, lang) if d else "-" for d in rows["last_support"]],
            tr("field.phone"): rows["phone"].fillna(""),
        }
    )
    st.caption(tr("companies.open_hint"))
    event = st.container(key="co_table").dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        column_config={  # narrow windows: the short columns give the names their room
            tr("field.brn"): st.column_config.TextColumn(width="small"),
            tr("col.stage"): st.column_config.TextColumn(width="small"),
            tr("field.location"): st.column_config.TextColumn(width="small"),
            tr("col.activities_n"): st.column_config.NumberColumn(width="small"),
            tr("col.amount_total"): st.column_config.TextColumn(width="small"),
            tr("field.phone"): st.column_config.TextColumn(width="small"),
        },
        key=wkey(TABLE, "table"),
    )
    chosen_rows = event.selection.rows if event is not None else []
    names = dict(zip(rows["id"].astype(int), rows["name_ko"], strict=True))
    quick = st.selectbox(
        tr("companies.open"),
        list(names),
        index=None,
        placeholder=tr("common.choose"),
        format_func=lambda cid: names[cid],
        key=wkey("co_open", "pick"),  # a fresh widget after each open (the browser keeps values)
    )
    if chosen_rows or quick is not None:
        chosen = int(rows.iloc[chosen_rows[0]]["id"]) if chosen_rows else int(quick)
        reset_widgets("co_open")
        reset_widgets(TABLE)
        company_detail.close_view(chosen)  # opening again starts from the saved record
        st.query_params["company"] = str(chosen)
        st.rerun()

if not can(actor.role, Permission.EDIT_COMPANIES):
    st.stop()

with st.expander(tr("companies.new"), icon=":material/add_business:"):
    prefix = "nc"
    with st.form(f"{prefix}_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            name_ko = st.text_input(tr("field.name_ko") + " *", key=wkey(prefix, "name_ko"))
            field_error(prefix, "name_ko")
            stage = st.selectbox(
                tr("field.stage") + " *",
                [s.value for s in Stage],
                format_func=label_for("stage"),
                placeholder=tr("common.choose_one"),
                key=relabelled(wkey(prefix, "stage")),
            )
            field_error(prefix, "stage")
            brn = st.text_input(
                tr("field.brn"), placeholder="123-45-67890", key=wkey(prefix, "brn")
            )
            field_error(prefix, "brn")
        with c2:
            name_en = st.text_input(tr("field.name_en"), key=wkey(prefix, "name_en"))
            field_error(prefix, "name_en")
            stage_since = st.date_input(
                tr("field.stage_since") + " *", value=date.today(), key=wkey(prefix, "since")
            )
            field_error(prefix, "stage_since")
            founded_on = st.date_input(
                tr("field.founded_on"),
                value=None,
                min_value=date(1900, 1, 1),
                key=wkey(prefix, "founded"),
            )
            field_error(prefix, "founded_on")
        with c3:
            industry = st.selectbox(
                tr("field.industry") + " *",
                [i.value for i in Industry],
                format_func=label_for("industry"),
                placeholder=tr("common.choose_one"),
                key=relabelled(wkey(prefix, "industry")),
            )
            cohort_year = st.number_input(
                tr("field.cohort_year") + " *",
                2000,
                2100,
                value=years[0],
                key=wkey(prefix, "cohort"),
            )
            field_error(prefix, "cohort_year")
            officer_id = st.selectbox(
                tr("field.officer_id"),
                list(officers),
                index=list(officers).index(actor.id) if actor.id in officers else None,
                placeholder=tr("common.choose"),
                format_func=lambda uid: officers[uid],
                key=wkey(prefix, "officer"),
            )
        d1, d2, d3 = st.columns(3)
        representative = d1.text_input(tr("field.representative"), key=wkey(prefix, "rep"))
        email = d2.text_input(tr("field.email"), key=wkey(prefix, "email"))
        with d2:
            field_error(prefix, "email")
        phone = d3.text_input(tr("field.phone"), key=wkey(prefix, "phone"))
        with d3:
            field_error(prefix, "phone")
        other_errors(
            prefix,
            {
                "name_ko",
                "stage",
                "brn",
                "name_en",
                "stage_since",
                "founded_on",
                "cohort_year",
                "email",
                "phone",
            },
        )
        similar_key = f"{prefix}__similar"
        confirm = False
        if st.session_state.get(similar_key):
            st.warning(tr("companies.similar", names=st.session_state[similar_key]))
            confirm = st.checkbox(tr("companies.save_anyway"), key=wkey(prefix, "confirm"))
        submitted = st.form_submit_button(tr("companies.create"), type="primary")
    if submitted:
        new = companies.NewCompany(
            name_ko=name_ko,
            name_en=name_en or None,
            industry=industry,
            cohort_year=int(cohort_year),
            stage=stage,
            stage_since=stage_since,
            brn=brn or None,
            founded_on=founded_on,
            representative=representative or None,
            email=email or None,
            phone=phone or None,
            officer_id=officer_id,
        )
        try:
            with session() as s:
                similar = companies.find_similar(s, name_ko) if name_ko.strip() else []
                if similar and not confirm:
                    st.session_state[similar_key] = ", ".join(c.name_ko for c in similar)
                    st.rerun()
                created = companies.create_company(s, actor, new)
        except ValidationError as exc:
            set_errors(prefix, exc)
            st.rerun()
        except CRMError as exc:
            st.error(exc.message(lang))
            st.stop()
        clear_errors(prefix)
        st.session_state.pop(similar_key, None)
        reset_widgets(prefix)
        state.flash(tr("companies.created", name=created.name_ko))
        st.query_params["company"] = str(created.id)
        st.rerun()
