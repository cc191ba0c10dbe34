"""Entry point: sign-in first, then the home dashboard for the signed-in role."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from crm.services import dashboard as dashboard_service
from crm.ui import auth, nav
from crm.ui import format as fmt
from crm.ui.data import data_version, session
from crm.ui.state import language, tr

auth.configure_page("nav.home")
actor = auth.current_actor()
if actor is None:
    auth.sign_in_form()
    st.stop()
assert actor is not None
nav.sidebar(actor)


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


lang = language()
version = data_version()
st.title(tr("home.title"))
st.caption(tr("app.demo_notice"))
years = load_years(version)
if not years:
    st.info(tr("home.no_data"))
    st.stop()

left, right, _ = st.columns([1, 1, 4])
year = left.selectbox(tr("home.year"), years, key="home_year")
quarter = right.selectbox(
    tr("home.quarter"),
    [1, 2, 3, 4],
    index=load_default_quarter(version, year) - 1,
    format_func=lambda q: f"Q{q}",
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
share = 100 * summary.executed_krw / summary.budget_krw if summary.budget_krw else 0.0
k2.metric(tr("home.budget_executed"), fmt.percent(share))
executed = fmt.krw(summary.executed_krw, lang, compact=True)
k2.caption(f"{executed} / {fmt.krw(summary.budget_krw, lang, compact=True)}")
k3.metric(tr("home.jobs_created"), fmt.number(summary.jobs_created))
k4.metric(tr("home.patents"), f"{summary.patents_filed} / {summary.patents_registered}")

col_stage, col_prog = st.columns([2, 3])
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
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.programme"): prog["name"],
                tr("col.kind"): [tr(f"kind.{k}") for k in prog["kind"]],
                tr("col.budget"): [fmt.krw(v, lang, millions=True) for v in prog["budget_krw"]],
                tr("col.executed"): [fmt.krw(v, lang, millions=True) for v in prog["executed_krw"]],
                tr("col.executed_pct"): prog["executed_pct"].round(1),
                tr("col.companies"): [
                    f"{c} / {t_}"
                    for c, t_ in zip(prog["companies"], prog["target_companies"], strict=True)
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            tr("col.executed_pct"): st.column_config.ProgressColumn(
                tr("col.executed_pct"), min_value=0, max_value=100, format="%.1f%%"
            )
        },
    )
    nav.link("pages/3_Reports.py", "home.open_reports", actor)

col_q, col_feed = st.columns([2, 3])
with col_q:
    st.markdown(f"**{tr('home.quarter_support', year=year, quarter=quarter)}**")
    qk = data.quarter_by_kind
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.kind"): [tr(f"kind.{k}") for k in qk["kind"]],
                tr("col.activities"): qk["activities"],
                tr("col.companies"): qk["companies"],
                tr("col.amount"): [fmt.krw(v, lang) for v in qk["amount_krw"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    nav.link("pages/2_Support_log.py", "home.open_support", actor)
with col_feed:
    st.markdown(f"**{tr('home.recent')}**")
    feed = data.recent
    rows = []
    for r in feed.itertuples():
        entity = tr(f"entity.{r.entity}")
        if r.action == "stage_change":
            stage = str(r.new_value or "").split("@")[0]
            what = tr("feed.stage_change", value=tr(f"stage.{stage}"))
        else:
            what = tr(f"feed.{r.action}", entity=entity, field=r.field or "")
        rows.append(
            {
                tr("col.when"): fmt.day(r.at, lang),
                tr("col.who"): r.who,
                tr("col.what"): f"{what} #{r.entity_id}",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

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
