"""The home page: sign-in first, then the dashboard for the signed-in role (drawn by Home.py)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from crm.clock import zone_label
from crm.services import dashboard as dashboard_service
from crm.services import history as history_service
from crm.services.actor import Actor
from crm.ui import auth, budget_view, nav
from crm.ui import format as fmt
from crm.ui.data import data_version, session
from crm.ui.history import history_table
from crm.ui.kind_names import kind_names, name_of
from crm.ui.state import language, tr


@st.cache_data(show_spinner=False, max_entries=32)
def load_years(version: int) -> list[int]:
    with session() as s:
        return dashboard_service.cohort_years(s)


@st.cache_data(show_spinner=False, max_entries=32)
def load_dashboard(version: int, year: int, quarter: int) -> dashboard_service.Dashboard:
    with session() as s:
        return dashboard_service.build(s, year, quarter)


@st.cache_data(show_spinner=False, max_entries=32)
def load_default_quarter(version: int, year: int) -> int:
    with session() as s:
        return dashboard_service.default_quarter(s, year)


@st.cache_data(show_spinner=False, max_entries=32)
def load_feed(version: int, role: str, _actor: Actor) -> history_service.History:
    # Keyed by role: what a role may see (account events, personal data) differs per role.
    with session() as s:
        return history_service.recent_history(s, _actor, limit=12)


def render() -> None:
    """One run of the home page."""
    auth.configure_page("nav.home")
    actor = auth.current_actor()
    if actor is None:
        actor = auth.sign_in_form()
        if actor is None:
            st.stop()
    assert actor is not None
    nav.sidebar(actor)

    lang = language()
    version = data_version()
    st.title(tr("home.title"))
    st.caption(tr("app.demo_notice"))
    years = load_years(version)
    if not years:
        st.info(tr("home.no_data"))
        st.stop()

    left, right, _ = st.columns([1, 1, 4])
    year = left.selectbox(
        tr("home.year"), years, placeholder=tr("common.choose_one"), key="home_year"
    )
    quarter = right.selectbox(
        tr("home.quarter"),
        [1, 2, 3, 4],
        index=load_default_quarter(version, year) - 1,
        format_func=lambda q: f"Q{q}",
        placeholder=tr("common.choose_one"),
        key=f"home_quarter_{year}",
    )
    data = load_dashboard(version, year, quarter)
    summary = data.summary

    st.subheader(tr("home.cohort", year=year))
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(
        tr("home.companies_vs_target", target=summary.target),
        f"{summary.supported} / {summary.target}",
    )
    k2.metric(
        tr("home.budget_executed"),
        fmt.percent(summary.executed_pct),
        help=tr("budget.help.executed_pct"),
    )
    k2.caption(
        tr(
            "budget.kpi_caption",
            executed=fmt.krw(summary.executed_krw, lang, millions=True),
            budget=fmt.krw(summary.budget_krw, lang, millions=True),
            committed=fmt.krw(summary.committed_krw, lang, millions=True),
            planned=fmt.krw(summary.planned_krw, lang, millions=True),
        )
    )
    k3.metric(tr("home.jobs_created"), fmt.number(summary.jobs_created))
    k4.metric(tr("home.patents"), f"{summary.patents_filed} / {summary.patents_registered}")

    col_stage, col_prog = st.container(key="home_budget_row").columns([2, 3])  # see crm/ui/layout
    with col_stage:
        st.markdown(f"**{tr('home.by_stage')}**")
        stage_df = pd.DataFrame(
            {
                "stage": [tr(f"stage.{s}") for s in data.by_stage],
                "companies": list(data.by_stage.values()),
                "order": range(len(data.by_stage)),
            }
        )
        chart = (
            alt.Chart(stage_df)
            .mark_bar()
            .encode(
                x=alt.X(
                    "stage:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=0)
                ),
                y=alt.Y("companies:Q", title=tr("col.companies")),
                tooltip=["stage", "companies"],
            )
        )
        labels = chart.mark_text(dy=-8).encode(text="companies:Q")
        st.altair_chart(chart + labels, width="stretch")
        nav.link("pages/1_Companies.py", "home.open_companies", actor)
        nav.link("pages/4_Funnel.py", "home.open_funnel", actor)
    with col_prog:
        st.markdown(f"**{tr('home.by_programme')}**")
        prog = data.programmes
        programme_table = budget_view.budget_frame(
            prog, lang, millions=True, names=kind_names(lang)
        )
        programme_table[tr("col.companies")] = [
            f"{c} / {t_}" for c, t_ in zip(prog["companies"], prog["target_companies"], strict=True)
        ]
        st.dataframe(
            programme_table,
            hide_index=True,
            width="stretch",
            column_config=budget_view.budget_columns(lang),
        )
        nav.link("pages/3_Reports.py", "home.open_reports", actor)

    col_q, col_feed = st.columns([2, 3])
    with col_q:
        st.markdown(f"**{tr('home.quarter_support', year=year, quarter=quarter)}**")
        qk = data.quarter_by_kind
        names = kind_names()
        st.dataframe(
            pd.DataFrame(
                {
                    tr("col.kind"): [name_of(names, k) for k in qk["kind"]],
                    tr("col.activities"): qk["activities"],
                    tr("col.companies"): qk["companies"],
                    tr("col.amount"): [fmt.krw(v, lang, millions=True) for v in qk["amount_krw"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        nav.link("pages/2_Support_log.py", "home.open_support", actor)

    with col_feed:
        st.markdown(f"**{tr('home.recent')}**")
        feed = history_table(load_feed(version, actor.role, actor), lang, brief=True)
        st.dataframe(feed, hide_index=True, width="stretch")
        st.caption(tr("history.zone_caption", zone=zone_label()))

    st.markdown(f"**{tr('home.attention')}** · {fmt.day(data.as_of, lang)}")
    att = data.attention
    if att.empty:
        st.success(tr("home.no_attention"))
    else:
        ry, rq = att.attrs["report_quarter"]
        reasons = []
        for r in att.itertuples():
            why = []
            if r.no_recent_support:
                why.append(tr("home.attention_no_support", days=90))
            if r.missing_report:
                why.append(tr("home.attention_no_report", year=ry, quarter=rq))
            reasons.append(" · ".join(why))
        st.dataframe(
            pd.DataFrame(
                {
                    tr("col.company"): att["name"],
                    tr("col.stage"): [tr(f"stage.{s}") for s in att["stage"]],
                    tr("col.last_support"): [
                        fmt.day(d, lang) if d else "-" for d in att["last_support"]
                    ],
                    tr("col.reason"): reasons,
                }
            ),
            hide_index=True,
            width="stretch",
        )
