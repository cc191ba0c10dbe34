"""Streamlit pieces of the funnel page (`pages/4_Funnel.py`): cached loads and results, the sidebar
filters, a chart with its downloads, the clicked pick kept in the URL, and the company links.

Caching, from the bottom up (measured at 100,000 companies: reading ~2.6 s, one filter change
~0.3 s of analytics):
- `frames`: the five analytics frames. The activities are read once per data version (the
  latest audit id), and only when a section needs them (support, outcomes, the programme
  breakdown, a kind filter, a pick); the other four once per version of everything but
  activities (`crm.analytics.versions`). So after an officer logs support, the funnel, counts,
  moves and time sections read nothing again (at 10,000 companies the activities are ~0.12 s
  of reading, the rest ~0.2 s). Both are st.cache_resource: one shared copy, never pickled, as
  for the views below. They hold no personal contact data (representative, email and phone are
  never selected; `crm.analytics.frames.COMPANY_COLUMNS`), so one copy serves every role.
- `view`: the frames narrowed by one `Filters`; `company_view` the same without activities
  (`crm.analytics.frames.NOT_LOADED`: an analytic that read them would fail, not count none).
  st.cache_resource, not st.cache_data: a cache_data hit unpickles its value (0.2 s for the
  full frames at 100k), and every chart reads a view; the analytics never modify their input,
  so sharing the object is safe.
- one st.cache_data function per chart result, keyed by (source, filters, the chart's own
  options, language): a filter change recomputes each chart once, an option change only its
  chart, and a rerun from a click or another user's session computes nothing. The Altair
  charts built from those results are cached too (`chart`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    charts,
    filter_choices,
    funnel,
    funnel_by,
    load_frames,
    outcomes_after_support,
    stage_counts_by_month,
    support_before_move,
    time_in_stage,
    time_in_stage_curve,
    transitions,
)
from crm.analytics.frames import load_activity_span, read_activities
from crm.analytics.picks import PARAMS, Pick, companies_for_pick, pick_from_selection
from crm.analytics.versions import frame_versions
from crm.config import get_settings
from crm.exports.tables import Sheet, frames_to_xlsx
from crm.reports.writer import Cell
from crm.ui.data import engine
from crm.ui.kind_names import kind_names, name_of
from crm.ui.state import tr
from crm.ui.widget_state import relabelled

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PICK_PARAM = "pick"
_GENERATION = "fn_pick_generation"
LINK_LIMIT = 60
COMPANY_PAGE = "pages/1_Companies.py"


@dataclass(frozen=True)
class Source:
    """Which data: every cached result is keyed by it, so any write (a new data version) or
    another database refreshes them. `steady` is the version of everything but activities."""

    version: int
    url: str
    steady: int
    # While a write is in flight (PostgreSQL), a number never used before: nothing read then is
    # kept, since the write may yet commit ids below these versions (crm.analytics.versions).
    unsettled: int = 0


@dataclass(frozen=True)
class Cohort:
    """The funnel's cohort arguments; the drill-down must use the same ones as the bars."""

    entry_stage: str
    entry_year: int | None
    as_of: date


def source() -> Source:
    with engine().connect() as conn:
        versions = frame_versions(conn)
    return Source(
        versions.everything,
        get_settings().database_url,
        versions.besides_activities,
        0 if versions.settled else time.monotonic_ns(),
    )


# --- cached loads and results ------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def _steady_frames(url: str, steady: int, unsettled: int) -> AnalyticsFrames:
    return load_frames(engine(), activities=False)


@st.cache_resource(show_spinner=False, max_entries=2)
def _activities(url: str, version: int, unsettled: int) -> pd.DataFrame:
    return read_activities(engine())


def frames(src: Source) -> AnalyticsFrames:
    """The five frames (shared, never modified: see the module doc)."""
    return replace(
        _steady_frames(src.url, src.steady, src.unsettled),
        activities=_activities(src.url, src.version, src.unsettled),
    )


@st.cache_data(show_spinner=False, max_entries=4)
def choices(src: Source) -> dict[str, Any]:
    with engine().connect() as conn:
        span = load_activity_span(conn)
    return filter_choices(_steady_frames(src.url, src.steady, src.unsettled), activity_span=span)


@st.cache_resource(show_spinner=False, max_entries=4)
def view(src: Source, filters: Filters) -> AnalyticsFrames:
    return apply_filters(frames(src), filters)


@st.cache_resource(show_spinner=False, max_entries=4)
def _company_view(url: str, steady: int, unsettled: int, filters: Filters) -> AnalyticsFrames:
    return apply_filters(_steady_frames(url, steady, unsettled), filters)


def company_view(src: Source, filters: Filters) -> AnalyticsFrames:
    """The view for analytics of companies, stages and outcomes: without activities, unless a
    kind filter needs them to choose the companies."""
    if filters.kinds_received:
        return view(src, filters)
    return _company_view(src.url, src.steady, src.unsettled, filters)


@st.cache_data(show_spinner=False, max_entries=32)
def company_count(src: Source, filters: Filters) -> int:
    return len(company_view(src, filters).companies)


@st.cache_data(show_spinner=False, max_entries=32)
def funnel_table(src: Source, filters: Filters, cohort: Cohort, lang: str) -> pd.DataFrame:
    return funnel(
        company_view(src, filters),
        entry_stage=cohort.entry_stage,
        entry_year=cohort.entry_year,
        as_of=cohort.as_of,
        lang=lang,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def breakdown_table(
    src: Source, filters: Filters, cohort: Cohort, by: str, lang: str
) -> pd.DataFrame:
    # A programme breakdown groups companies by the programmes they received.
    frames_ = view(src, filters) if by == "programme" else company_view(src, filters)
    return funnel_by(
        frames_,
        by,
        entry_stage=cohort.entry_stage,
        entry_year=cohort.entry_year,
        as_of=cohort.as_of,
        lang=lang,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def counts_table(src: Source, filters: Filters, start: date, end: date) -> pd.DataFrame:
    return stage_counts_by_month(company_view(src, filters), start=start, end=end)


@st.cache_data(show_spinner=False, max_entries=32)
def transitions_table(
    src: Source, filters: Filters, period: str, start: date, end: date
) -> pd.DataFrame:
    return transitions(company_view(src, filters), period=period, start=start, end=end)


@st.cache_data(show_spinner=False, max_entries=32)
def time_tables(
    src: Source, filters: Filters, as_of: date, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary per stage, Kaplan–Meier curve per stage)."""
    frames_ = company_view(src, filters)
    return (
        time_in_stage(frames_, as_of=as_of, lang=lang),
        time_in_stage_curve(frames_, as_of=as_of),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def support_table(src: Source, filters: Filters, as_of: date, lang: str) -> pd.DataFrame:
    return support_before_move(view(src, filters), as_of=as_of, lang=lang)


@st.cache_data(show_spinner=False, max_entries=32)
def outcomes_table(src: Source, filters: Filters, horizon: int, lang: str) -> pd.DataFrame:
    return outcomes_after_support(view(src, filters), horizon=horizon, lang=lang)


@st.cache_data(show_spinner=False, max_entries=32)
def picked_companies(
    src: Source, filters: Filters, pick: Pick, measure: str, cohort: Cohort
) -> pd.DataFrame:
    return companies_for_pick(
        view(src, filters),
        pick,
        measure=measure,
        entry_stage=cohort.entry_stage,
        entry_year=cohort.entry_year,
        as_of=cohort.as_of,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def chart(builder: str, *args: Any) -> alt.TopLevelMixin:
    """`crm.analytics.charts.<builder>(*args)`, cached: building the seven Altair charts is
    half of an unchanged rerun (~0.1 s); the small result tables hash in microseconds."""
    return getattr(charts, builder)(*args)


# --- sidebar filters ---------------------------------------------------------------------------


def sidebar_filters(options: dict[str, Any], lang: str) -> tuple[Filters, date, date]:
    """The filter widgets in the sidebar; returns the filters and the period shown (start, end).

    The period's end is the as-of date of every figure. A period covering all the data is no
    restriction at all, so the default view and "everything selected" share one cache entry."""
    first: date = options["first_day"]
    last: date = options["last_day"]
    officers = dict(options["officers"])
    names = kind_names(lang)
    with st.sidebar:
        st.markdown(f"**{tr('funnel.filters')}**")
        st.caption(tr("funnel.filters_hint"))
        years = st.multiselect(
            tr("funnel.filter.cohort_years"),
            options["cohort_years"],
            placeholder=tr("common.choose_many"),
            key="fn_years",
        )
        industries = st.multiselect(
            tr("funnel.filter.industries"),
            options["industries"],
            format_func=lambda v: charts.code_label("industry", v, lang),
            placeholder=tr("common.choose_many"),
            key=relabelled("fn_industries"),
        )
        kinds = st.multiselect(
            tr("funnel.filter.kinds"),
            options["kinds"],
            format_func=lambda v: name_of(names, v),
            placeholder=tr("common.choose_many"),
            key=relabelled("fn_kinds"),
        )
        officer_ids = st.multiselect(
            tr("funnel.filter.officers"),
            list(officers),
            format_func=lambda v: officers[v],
            placeholder=tr("common.choose_many"),
            key="fn_officers",
        )
        locations = st.multiselect(
            tr("funnel.filter.locations"),
            options["locations"],
            placeholder=tr("common.choose_many"),
            key="fn_locations",
        )
        period = st.date_input(
            tr("funnel.filter.dates"),
            value=(first, last),
            min_value=first,
            max_value=last,
            help=tr("funnel.filter.dates_help"),
            key="fn_dates",
        )
    start, end = period_bounds(period, first, last)
    filters = Filters(
        cohort_years=tuple(years),
        industries=tuple(industries),
        officer_ids=tuple(officer_ids),
        locations=tuple(locations),
        kinds_received=tuple(kinds),
        date_from=start if start > first else None,
        date_to=end if end < last else None,
    )
    return filters, start, end


def period_bounds(value: Any, first: date, last: date) -> tuple[date, date]:
    """(start, end) of a date-range widget's value, which has one date while being picked."""
    chosen = [v for v in (value if isinstance(value, list | tuple) else [value]) if v is not None]
    start = chosen[0] if chosen else first
    end = chosen[1] if len(chosen) > 1 else last
    return max(start, first), min(max(end, start), last)


def describe_filters(filters: Filters, options: dict[str, Any], lang: str) -> str:
    """The filters in words, for the note above every exported table."""
    officers = dict(options["officers"])
    parts = [
        ", ".join(str(y) for y in filters.cohort_years),
        ", ".join(charts.code_label("industry", v, lang) for v in filters.industries),
        ", ".join(name_of(kind_names(lang), v) for v in filters.kinds_received),
        ", ".join(officers.get(i, str(i)) for i in filters.officer_ids),
        ", ".join(filters.locations),
    ]
    labels = (
        "funnel.filter.cohort_years",
        "funnel.filter.industries",
        "funnel.filter.kinds",
        "funnel.filter.officers",
        "funnel.filter.locations",
    )
    chosen = [f"{tr(k)} {v}" for k, v in zip(labels, parts, strict=True) if v]
    if filters.date_from or filters.date_to:
        start = filters.date_from or options["first_day"]
        end = filters.date_to or options["last_day"]
        chosen.append(f"{tr('funnel.filter.dates')} {start}~{end}")
    return "; ".join(chosen) or "-"


# --- charts, downloads, warnings ---------------------------------------------------------------


def show_chart(chart: alt.TopLevelMixin, *, key: str, pick: str | None = None, **kw: Any) -> None:
    """Draw a chart; with `pick`, a click on it becomes the page's pick (see `_on_select`)."""
    facet = isinstance(chart, alt.FacetChart)
    width: Any = None if facet else "stretch"
    if pick is None:
        st.altair_chart(chart, key=key, width=width)
        return
    st.altair_chart(
        chart,
        key=key,
        width=width,
        on_select=partial(_on_select, pick, key, kw.get("by")),
        selection_mode=[PARAMS[pick]],
    )


def _on_select(chart: str, key: str, by: str | None) -> None:
    """Callback of a clickable chart: its selection becomes `?pick=`; an emptied selection
    clears the pick if it came from this chart. The URL holds the pick so that it survives
    reruns, can be shared, and can be set by a test (AppTest cannot click a chart)."""
    state = st.session_state.get(key)
    selection = state.get("selection") if state is not None else None
    chosen = pick_from_selection(chart, selection, by=by)
    if chosen is not None:
        st.query_params[PICK_PARAM] = chosen.to_query()
        return
    current = current_pick()
    if current is not None and current.chart == chart:
        del st.query_params[PICK_PARAM]


def current_pick() -> Pick | None:
    return Pick.from_query(st.query_params.get(PICK_PARAM))


def chart_key(name: str) -> str:
    """The widget key of a clickable chart. It changes when the pick is cleared: a chart keeps
    its selection in the browser, and clicking the same bar again would otherwise send nothing."""
    return f"{name}_{st.session_state.get(_GENERATION, 0)}"


def clear_pick() -> None:
    st.query_params.pop(PICK_PARAM, None)
    st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1


def xlsx_bytes(sheets: Sequence[Sheet], title: str) -> bytes:
    return frames_to_xlsx(list(sheets), title=title)


def _exported(
    render: Callable[[alt.TopLevelMixin], bytes], chart: alt.TopLevelMixin, title: str
) -> bytes:
    """The chart as a file, titled; built only when its button is clicked."""
    return render(charts.titled(chart, title))


def downloads(name: str, title: str, chart: alt.TopLevelMixin | None, sheets: list[Sheet]) -> None:
    """Excel of the chart's data, and the chart as PNG and SVG. Every file is built only when
    its button is clicked (deferred callables): a PNG costs up to a second, the page none."""
    row = st.container(horizontal=True)
    row.download_button(
        tr("funnel.download.xlsx"),
        data=partial(xlsx_bytes, sheets, title),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        icon=":material/table_view:",
        on_click="ignore",
        key=f"fn_xlsx_{name}",
    )
    if chart is None:
        return
    row.download_button(
        tr("funnel.download.png"),
        data=partial(_exported, charts.chart_png, chart, title),
        file_name=f"{name}.png",
        mime="image/png",
        icon=":material/image:",
        on_click="ignore",
        key=f"fn_png_{name}",
    )
    row.download_button(
        tr("funnel.download.svg"),
        data=partial(_exported, charts.chart_svg, chart, title),
        file_name=f"{name}.svg",
        mime="image/svg+xml",
        icon=":material/image:",
        on_click="ignore",
        key=f"fn_svg_{name}",
    )


def small_sample_warnings(rows: pd.DataFrame, describe: Callable[[Any], str]) -> None:
    """One visible warning naming every flagged group (`describe(row)` says which)."""
    flagged = rows[rows["small_sample"]]
    if flagged.empty:
        return
    lines = [
        tr("funnel.small_stage", stage=describe(r), warning=r.warning)
        for r in flagged.itertuples(index=False)
    ]
    st.warning("\n".join(f"- {line}" for line in lines), icon=":material/warning:")


def details(sheet: Sheet, frame: pd.DataFrame | None = None) -> None:
    """The chart's data as a table (the export's frame, or `frame`), rates as percentages."""
    shown = sheet.frame if frame is None else frame
    percent = {
        name: st.column_config.NumberColumn(name, format="%.1f%%")
        for name, cell in sheet.cells.items()
        if cell is Cell.PCT and name in shown.columns
    }
    scaled = shown.assign(**{name: shown[name] * 100 for name in percent})
    with st.expander(tr("funnel.details")):
        st.dataframe(scaled, hide_index=True, width="stretch", column_config=percent)


# --- the companies behind a pick ---------------------------------------------------------------


def company_links(companies: pd.DataFrame, *, name: str, note: str) -> None:
    """Each company links to its page (analysts see it read-only and masked there); long lists
    link the first LINK_LIMIT and offer the whole list as Excel."""
    if companies.empty:
        st.info(tr("funnel.picked.none"))
        return
    st.caption(tr("funnel.picked.hint"))
    shown = companies.head(LINK_LIMIT)
    columns = st.columns(3)
    for i, row in enumerate(shown.itertuples(index=False)):
        columns[i % 3].page_link(
            COMPANY_PAGE,
            label=str(row.name_ko),
            icon=":material/apartment:",
            query_params={"company": str(int(row.company_id))},
        )
    if len(companies) > LINK_LIMIT:
        st.caption(tr("funnel.picked.more", shown=LINK_LIMIT, total=f"{len(companies):,}"))
    sheet = Sheet(tr("funnel.sheet.companies"), companies_sheet_frame(companies), note=note)
    st.download_button(
        tr("funnel.download.companies"),
        data=partial(xlsx_bytes, [sheet], tr("funnel.sheet.companies")),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        icon=":material/table_view:",
        on_click="ignore",
        key=f"fn_xlsx_{name}",
    )


def companies_sheet_frame(companies: pd.DataFrame) -> pd.DataFrame:
    return companies[["company_id", "name_ko"]].rename(
        columns={c: tr(f"funnel.col.{c}") for c in ("company_id", "name_ko")}
    )


def picked_box(title: str, companies: pd.DataFrame, *, name: str, note: str) -> None:
    with st.container(border=True):
        head, clear = st.columns([4, 1])
        head.markdown(f"**{title}**")
        clear.button(
            tr("funnel.picked.clear"), icon=":material/close:", on_click=clear_pick, key=f"{name}_x"
        )
        company_links(companies, name=name, note=note)
