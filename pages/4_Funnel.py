"""Stage funnel (issue 6): which companies move from pre-startup to startup to growth, how fast,
and what support came before a move. Every role may open it; nothing here writes.

Thin: widgets, calls into crm.analytics (figures, charts) and crm.ui.funnel_view (caching,
downloads, the clicked pick), rendering."""

from __future__ import annotations

import streamlit as st

from crm.analytics import BREAKDOWNS, MEASURES, METRICS, MIN_N, charts
from crm.analytics.frames import STAGES
from crm.i18n import t
from crm.ui import auth
from crm.ui import format as fmt
from crm.ui import funnel_view as fv
from crm.ui.kind_names import kind_names
from crm.ui.state import language, tr
from crm.ui.tabs import tracked_tabs
from crm.ui.widget_state import label_for, relabelled

SECTIONS = ("funnel", "counts", "transitions", "time", "breakdown", "support", "outcomes")

actor = auth.guard("pages/4_Funnel.py")
lang = language()

st.title(tr("funnel.title"))
st.caption(tr("app.demo_notice"))

src = fv.source()
options = fv.choices(src)
if options["first_day"] is None:
    st.info(tr("funnel.no_data"))
    st.stop()
filters, start, end = fv.sidebar_filters(options, lang)
as_of = end
size = fv.company_count(src, filters)
st.caption(
    tr(
        "funnel.scope",
        companies=f"{size:,}",
        start=fmt.day(start, lang),
        end=fmt.day(end, lang),
        as_of=fmt.day(as_of, lang),
    )
)
if size == 0:
    st.info(tr("funnel.no_companies"))
    st.stop()
scope = tr(
    "funnel.sheet.scope",
    filters=fv.describe_filters(filters, options, lang),
    as_of=as_of.isoformat(),
)
pick = fv.current_pick()
stamp = as_of.isoformat()


def stage_name(stage: str) -> str:
    return charts.stage_label(stage, lang)


# --- the cohort every section follows -----------------------------------------------------
c1, c2, c3 = st.columns(3)
entry_stage = c1.selectbox(
    tr("funnel.entry_stage"),
    list(STAGES[:-1]),
    format_func=stage_name,
    placeholder=tr("common.choose_one"),
    key=relabelled("fn_entry_stage"),
)
entry_years = list(range(options["first_day"].year, options["last_day"].year + 1))
year_choice = c2.selectbox(  # 0 is every year: a None option would show a clear button
    tr("funnel.entry_year"),
    [0, *entry_years],
    format_func=lambda y: str(y) if y else t("funnel.entry_year_any", lang),
    placeholder=tr("common.choose_one"),
    key=relabelled("fn_entry_year"),
)
entry_year = year_choice or None
measure = c3.selectbox(
    tr("funnel.measure"),
    list(MEASURES),
    format_func=label_for("analytics.measure"),
    placeholder=tr("common.choose_one"),
    key=relabelled("fn_measure"),
)
cohort = fv.Cohort(entry_stage, entry_year, as_of)
cohort_note = tr(
    "funnel.sheet.cohort",
    stage=stage_name(entry_stage),
    year=entry_year or tr("funnel.entry_year_any"),
)
# --- the sections: tracked tabs, only the open one runs and is drawn ---------------------------
tabs = dict(
    zip(
        SECTIONS,
        tracked_tabs(
            {code: tr(f"funnel.section.{code}") for code in SECTIONS},
            key="fn_section",
            param="view",
        ),
        strict=True,
    )
)

# --- the funnel --------------------------------------------------------------------------------
if tabs["funnel"].open is not False:
    with tabs["funnel"]:
        table = fv.funnel_table(src, filters, cohort, lang)
        st.caption(tr("funnel.hint.funnel"))
        funnel_chart = fv.chart("funnel_chart", table, lang)
        fv.show_chart(funnel_chart, key=fv.chart_key("fn_funnel"), pick="funnel")
        fv.small_sample_warnings(table, lambda r: stage_name(r.stage))
        for key, column in (("funnel.fell_back", "now_below"), ("funnel.skipped", "skipped")):
            moved = table[table[column] > 0]
            if not moved.empty:
                counts = ", ".join(
                    f"{stage_name(r.stage)} {r[column]}" for _, r in moved.iterrows()
                )
                st.caption(tr(key, stages=counts))
        sheet = charts.export_sheet(
            tr("funnel.sheet.funnel"), table, lang, note=f"{scope} · {cohort_note}"
        )
        fv.details(sheet)
        fv.downloads(f"funnel-{stamp}", tr("funnel.section.funnel"), funnel_chart, [sheet])

# --- stage counts over time --------------------------------------------------------------------
if tabs["counts"].open is not False:
    with tabs["counts"]:
        st.caption(tr("funnel.hint.counts"))
        counts_table = fv.counts_table(src, filters, start, end)
        counts_chart = fv.chart("counts_chart", counts_table, lang)
        fv.show_chart(counts_chart, key=fv.chart_key("fn_counts"), pick="counts")
        sheet = charts.export_sheet(tr("funnel.sheet.counts"), counts_table, lang, note=scope)
        fv.downloads(f"stage-counts-{stamp}", tr("funnel.section.counts"), counts_chart, [sheet])

# --- moves, backward ones included -------------------------------------------------------------
if tabs["transitions"].open is not False:
    with tabs["transitions"]:
        st.caption(tr("funnel.hint.transitions"))
        period = st.radio(
            tr("funnel.period"),
            ["month", "quarter"],
            format_func=label_for("funnel.period"),
            horizontal=True,
            key=relabelled("fn_period"),
        )
        moves = fv.transitions_table(src, filters, period, start, end)
        backward = int(moves.loc[moves["backward"], "moves"].sum())
        st.markdown(tr("funnel.backward_total", moves=backward, total=int(moves["moves"].sum())))
        if moves.empty:
            st.info(tr("funnel.no_moves"))
        else:
            moves_chart = fv.chart("transitions_chart", moves, lang)
            fv.show_chart(moves_chart, key="fn_transitions")
            sheet = charts.export_sheet(tr("funnel.sheet.transitions"), moves, lang, note=scope)
            fv.details(sheet)
            fv.downloads(
                f"stage-moves-{stamp}", tr("funnel.section.transitions"), moves_chart, [sheet]
            )

# --- time in stage -----------------------------------------------------------------------------
if tabs["time"].open is not False:
    with tabs["time"]:
        st.caption(tr("funnel.hint.time"))
        summary, curve = fv.time_tables(src, filters, as_of, lang)
        time_chart = fv.chart("time_in_stage_chart", curve, summary, lang)
        fv.show_chart(time_chart, key="fn_time")
        st.caption("  \n".join(f"{stage_name(r.stage)}: {r.note}" for r in summary.itertuples()))
        st.dataframe(charts.time_summary_display(summary, lang), hide_index=True, width="stretch")
        fv.downloads(
            f"time-in-stage-{stamp}",
            tr("funnel.section.time"),
            time_chart,
            [
                charts.export_sheet(tr("funnel.sheet.time_summary"), summary, lang, note=scope),
                charts.export_sheet(tr("funnel.sheet.time_curve"), curve, lang, note=scope),
            ],
        )

# --- small multiples by a breakdown ------------------------------------------------------------
if tabs["breakdown"].open is not False:
    with tabs["breakdown"]:
        by = st.selectbox(
            tr("funnel.breakdown_by"),
            list(BREAKDOWNS),
            format_func=label_for("analytics.breakdown"),
            placeholder=tr("common.choose_one"),
            key=relabelled("fn_by"),
        )
        st.caption(tr("funnel.hint.breakdown"))
        if by == "programme":
            st.caption(tr("analytics.breakdown.programme_overlap"))
        groups = fv.breakdown_table(src, filters, cohort, by, lang)
        groups_chart = fv.chart("breakdown_chart", groups, by, lang)
        fv.show_chart(groups_chart, key=fv.chart_key("fn_breakdown"), pick="breakdown", by=by)
        flagged = int(groups["small_sample"].sum())
        if flagged:
            st.warning(
                tr("funnel.small_groups", count=flagged, min_n=MIN_N), icon=":material/warning:"
            )
        sheet = charts.export_sheet(
            tr("funnel.sheet.breakdown"), groups, lang, note=f"{scope} · {cohort_note}"
        )
        fv.details(sheet)
        fv.downloads(
            f"funnel-by-{by}-{stamp}", tr("funnel.section.breakdown"), groups_chart, [sheet]
        )

# --- support before a move ---------------------------------------------------------------------
if tabs["support"].open is not False:
    with tabs["support"]:
        st.caption(tr("funnel.hint.support"))
        support = fv.support_table(src, filters, as_of, lang)
        if not support.empty:
            st.info(str(support["note"].iloc[0]), icon=":material/info:")
        support_chart = fv.chart("support_chart", support, lang, kind_names(lang))
        fv.show_chart(support_chart, key="fn_support")
        flagged = int(support["small_sample"].sum())
        if flagged:
            st.warning(
                tr("funnel.small_groups", count=flagged, min_n=MIN_N), icon=":material/warning:"
            )
        sheet = charts.export_sheet(tr("funnel.sheet.support"), support, lang, note=scope)
        fv.details(sheet)
        fv.downloads(
            f"support-before-move-{stamp}", tr("funnel.section.support"), support_chart, [sheet]
        )

# --- outcomes after support (a comparison, never a cause) --------------------------------------
if tabs["outcomes"].open is not False:
    with tabs["outcomes"]:
        st.caption(tr("funnel.hint.outcomes"))
        o1, o2, o3 = st.columns(3)
        metric = o1.selectbox(
            tr("funnel.metric"),
            list(METRICS),
            format_func=label_for("analytics.metric"),
            placeholder=tr("common.choose_one"),
            key=relabelled("fn_metric"),
        )
        statistic = o2.radio(
            tr("funnel.statistic"),
            ["mean", "median"],
            format_func=label_for("funnel.statistic"),
            horizontal=True,
            key=relabelled("fn_statistic"),
        )
        horizon = o3.selectbox(
            tr("funnel.horizon"),
            [1, 2, 3, 4],
            placeholder=tr("common.choose_one"),
            key="fn_horizon",
        )
        outcomes = fv.outcomes_table(src, filters, horizon, lang)
        st.info(tr("analytics.note.not_causal", horizon=horizon), icon=":material/info:")
        outcomes_chart = fv.chart(
            "outcomes_chart", outcomes, metric, statistic, lang, kind_names(lang)
        )
        fv.show_chart(outcomes_chart, key="fn_outcomes")
        shown = outcomes[outcomes["metric"] == metric]
        flagged = int(shown["small_sample"].sum())
        if flagged:
            st.warning(
                tr("funnel.small_groups", count=flagged, min_n=MIN_N), icon=":material/warning:"
            )
        sheet = charts.export_sheet(tr("funnel.sheet.outcomes"), outcomes, lang, note=scope)
        fv.details(sheet)
        fv.downloads(
            f"outcomes-after-support-{stamp}",
            tr("funnel.section.outcomes"),
            outcomes_chart,
            [sheet],
        )

# --- the companies behind a clicked bar or point (under whichever section is open) ---------
if pick is not None and pick.chart == "funnel":
    listed = fv.picked_companies(src, filters, pick, measure, cohort)
    fv.picked_box(
        tr(
            "funnel.picked.funnel",
            stage=stage_name(pick.stage),
            measure=tr(f"analytics.measure.{measure}"),
            count=f"{len(listed):,}",
        ),
        listed,
        name=f"funnel-{pick.stage}-{measure}-{stamp}",
        note=f"{scope} · {cohort_note}",
    )
if pick is not None and pick.chart == "counts" and pick.day is not None:
    listed = fv.picked_companies(src, filters, pick, measure, cohort)
    fv.picked_box(
        tr(
            "funnel.picked.counts",
            day=fmt.day(pick.day, lang),
            stage=stage_name(pick.stage),
            count=f"{len(listed):,}",
        ),
        listed,
        name=f"stage-{pick.stage}-{pick.day.isoformat()}",
        note=scope,
    )
if pick is not None and pick.chart == "breakdown" and pick.by and pick.group is not None:
    listed = fv.picked_companies(src, filters, pick, measure, cohort)
    fv.picked_box(
        tr(
            "funnel.picked.breakdown",
            by=tr(f"analytics.breakdown.{pick.by}"),
            group=charts.group_label(pick.by, pick.group, lang),
            stage=stage_name(pick.stage),
            measure=tr(f"analytics.measure.{measure}"),
            count=f"{len(listed):,}",
        ),
        listed,
        name=f"funnel-by-{pick.by}-{pick.stage}-{stamp}",
        note=f"{scope} · {cohort_note}",
    )
