"""The funnel page's charts as Altair specs, their data as export tables, and PNG/SVG bytes.

Pure: no Streamlit. Each `*_chart` takes the DataFrame a `crm.analytics` function returned (codes,
counts, rates) and the language, adds translated labels, and returns a chart whose data keeps the
codes too, so a click hands back codes (`crm.analytics.picks`) and tests can compare the chart's
numbers with the analytics. Clickable charts carry a named point selection with explicit fields.

`export_sheet` turns the same DataFrames into a worksheet for `crm.exports.tables.frames_to_xlsx`
(translated headers and codes, rates as percentages, a repeated note written once above the
table). `chart_png` / `chart_svg` render a chart with vl-convert; call them only when a user asks
for the file (the first PNG costs most of a second).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from crm.analytics.frames import STAGES
from crm.analytics.groups import NO_GROUP
from crm.analytics.picks import PARAMS
from crm.exports.tables import Sheet
from crm.i18n import t
from crm.reports.writer import Cell

STAGE_COLOURS = ("#9ecae9", "#4c78a8", "#1d3557")
RECEIVED_COLOURS = ("#f58518", "#9d9d9d")
DIRECTION_COLOURS = ("#4c78a8", "#e45756")
WARNING_COLOUR = "#e45756"
PERCENT_COLUMNS = ("rate", "ci_low", "ci_high", "survival")
CODE_PREFIXES = {
    "stage": "stage",
    "from_stage": "stage",
    "to_stage": "stage",
    "next_stage": "stage",
    "kind": "kind",
    "metric": "analytics.metric",
    "direction": "analytics.direction",
}
BOOLEAN_COLUMNS = ("small_sample", "backward")
HIDDEN_COLUMNS = ("rank",)


# --- labels ------------------------------------------------------------------------------------


def code_label(prefix: str, code: object, lang: str) -> str:
    """The catalogue text of `prefix.code`, or the code itself when there is none (a kind of
    support added by an administrator has no catalogue entry)."""
    key = f"{prefix}.{code}"
    text = t(key, lang)
    return str(code) if text == key else text


def stage_label(stage: str, lang: str) -> str:
    return code_label("stage", stage, lang)


def stage_labels(lang: str, first: int = 0) -> list[str]:
    return [stage_label(s, lang) for s in STAGES[first:]]


def group_label(by: str, group: str, lang: str) -> str:
    """How a breakdown group reads: industries translated, a missing value as "not set"."""
    if group == NO_GROUP:
        return t("analytics.no_group", lang)
    if by == "industry":
        return code_label("industry", group, lang)
    return str(group)


def received_label(received: bool, lang: str) -> str:
    return t("analytics.received" if received else "analytics.not_received", lang)


def percent(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1%}"


def conversion_text(rate: float, low: float, high: float, n: int, lang: str) -> str:
    """A conversion with its 95% Wilson interval and its n: 27.9% (16.7%–42.7%) · n=43."""
    if n == 0:
        return t("funnel.chart.no_base", lang)
    return t(
        "funnel.chart.conversion",
        lang,
        rate=percent(rate),
        low=percent(low),
        high=percent(high),
        n=n,
    )


def _stage_colour(lang: str, first: int = 0) -> alt.Color:
    return alt.Color(
        "stage_label:N",
        title=t("funnel.axis.stage", lang),
        scale=alt.Scale(domain=stage_labels(lang, first), range=list(STAGE_COLOURS[first:])),
        sort=stage_labels(lang, first),
    )


# --- funnel ------------------------------------------------------------------------------------


def funnel_data(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The funnel table (`crm.analytics.funnel`) with the labels the chart draws."""
    data = table.drop(columns=["warning"], errors="ignore").copy()
    data["stage_label"] = [stage_label(s, lang) for s in data["stage"]]
    data["count_text"] = [f"{v:,}" for v in data["reached"]]
    texts = []
    for row in data.itertuples(index=False):
        if pd.isna(row.from_stage):
            texts.append("")
            continue
        text = conversion_text(row.rate, row.ci_low, row.ci_high, int(row.n), lang)
        texts.append(f"⚠ {text}" if row.small_sample else text)
    data["rate_text"] = texts
    return data


def _first_rank(table: pd.DataFrame) -> int:
    return int(table["rank"].min()) if len(table) else 0


def funnel_chart(table: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Bars per stage (companies that reached it), the count and the conversion from the stage
    before (rate, Wilson interval, n) above each bar; small samples outlined and marked ⚠.
    Clicking a bar selects its stage (`funnel_pick`)."""
    data = funnel_data(table, lang)
    first = _first_rank(table)
    pick = alt.selection_point(name=PARAMS["funnel"], fields=["stage"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X(
            "stage_label:N",
            sort=stage_labels(lang, first),
            title=t("funnel.axis.stage", lang),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("reached:Q", title=t("funnel.axis.reached", lang)),
    )
    bars = (
        base.mark_bar(cursor="pointer", strokeWidth=2)
        .encode(
            color=_stage_colour(lang, first).legend(None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            stroke=alt.condition(
                "datum.small_sample", alt.value(WARNING_COLOUR), alt.value("transparent")
            ),
            strokeDash=alt.condition("datum.small_sample", alt.value([5, 3]), alt.value([1, 0])),
            tooltip=[
                alt.Tooltip("stage_label:N", title=t("funnel.col.stage", lang)),
                alt.Tooltip("reached:Q", title=t("funnel.col.reached", lang), format=","),
                alt.Tooltip("rate_text:N", title=t("funnel.col.rate", lang)),
                alt.Tooltip("recorded:Q", title=t("funnel.col.recorded", lang), format=","),
                alt.Tooltip("skipped:Q", title=t("funnel.col.skipped", lang), format=","),
                alt.Tooltip("now_here:Q", title=t("funnel.col.now_here", lang), format=","),
                alt.Tooltip("now_below:Q", title=t("funnel.col.now_below", lang), format=","),
            ],
        )
        .add_params(pick)
    )
    counts = base.mark_text(dy=-24, fontWeight="bold", fontSize=13).encode(text="count_text:N")
    rates = base.mark_text(dy=-9, fontSize=11).encode(
        text="rate_text:N",
        color=alt.condition("datum.small_sample", alt.value(WARNING_COLOUR), alt.value("#333")),
    )
    return alt.layer(bars, counts, rates).properties(
        width=560, height=340, usermeta=_meta("funnel")
    )


# --- stage counts over time --------------------------------------------------------------------


def counts_data(counts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`stage_counts_by_month` with a stage label, rank and the month end as ISO text (the
    selection field: a temporal field would come back as epoch milliseconds)."""
    data = counts.copy()
    data["month"] = pd.DatetimeIndex(data["month_end"]).strftime("%Y-%m-%d")
    data["rank"] = data["stage"].map({s: i for i, s in enumerate(STAGES)}).astype(np.int64)
    data["stage_label"] = [stage_label(s, lang) for s in data["stage"]]
    return data


def counts_chart(counts: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Companies in each stage at each month end, stacked; a point per month and stage, and
    clicking the nearest point selects (month, stage) (`counts_pick`)."""
    data = counts_data(counts, lang)
    pick = alt.selection_point(
        name=PARAMS["counts"], fields=["month", "stage"], on="click", nearest=True
    )
    x = alt.X("month_end:T", title=t("funnel.axis.month_end", lang), axis=alt.Axis(format="%Y-%m"))
    y = alt.Y("companies:Q", title=t("funnel.axis.companies", lang), stack="zero")
    order = alt.Order("rank:Q", sort="ascending")
    tooltip = [
        alt.Tooltip("month:N", title=t("funnel.col.month_end", lang)),
        alt.Tooltip("stage_label:N", title=t("funnel.col.stage", lang)),
        alt.Tooltip("companies:Q", title=t("funnel.col.companies", lang), format=","),
    ]
    area = (
        alt.Chart(data)
        .mark_area(opacity=0.8)
        .encode(x=x, y=y, color=_stage_colour(lang), order=order)
    )
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=45, cursor="pointer")
        .encode(
            x=x,
            y=y,
            order=order,
            color=_stage_colour(lang),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    return alt.layer(area, points).properties(width=640, height=300, usermeta=_meta("counts"))


# --- transitions and backward moves ------------------------------------------------------------


def transitions_data(moves: pd.DataFrame, lang: str) -> pd.DataFrame:
    data = moves.copy()
    data["move_label"] = [
        f"{stage_label(a, lang)} → {stage_label(b, lang)}"
        for a, b in zip(data["from_stage"], data["to_stage"], strict=True)
    ]
    data["direction_label"] = [
        code_label("analytics.direction", d, lang) for d in data["direction"]
    ]
    return data


def transitions_chart(moves: pd.DataFrame, lang: str) -> alt.Chart:
    """Moves per period, forward and backward side by side (backward in red, never hidden)."""
    data = transitions_data(moves, lang)
    directions = [code_label("analytics.direction", d, lang) for d in ("forward", "backward")]
    periods = list(dict.fromkeys(data.sort_values("period_start")["period"]))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("period:N", sort=periods, title=t("funnel.axis.period", lang)),
            xOffset=alt.XOffset("direction_label:N", sort=directions),
            y=alt.Y("sum(moves):Q", title=t("funnel.axis.moves", lang)),
            color=alt.Color(
                "direction_label:N",
                title=t("funnel.col.direction", lang),
                scale=alt.Scale(domain=directions, range=list(DIRECTION_COLOURS)),
            ),
            detail="move_label:N",
            tooltip=[
                alt.Tooltip("period:N", title=t("funnel.col.period", lang)),
                alt.Tooltip("move_label:N", title=t("funnel.col.move", lang)),
                alt.Tooltip("moves:Q", title=t("funnel.col.moves", lang)),
            ],
        )
        .properties(width=640, height=260, usermeta=_meta("transitions"))
    )


# --- time in stage -----------------------------------------------------------------------------


def survival_data(curve: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The Kaplan–Meier curves with a starting point (day 0, 100%) per stage that has spells."""
    starts = [
        {"stage": s, "days": 0, "at_risk": 0, "events": 0, "censored": 0, "survival": 1.0}
        for s in STAGES
        if (curve["stage"] == s).any() and not ((curve["stage"] == s) & (curve["days"] == 0)).any()
    ]
    data = pd.concat([pd.DataFrame(starts), curve], ignore_index=True) if starts else curve.copy()
    data = data.astype({"days": np.int64, "censored": np.int64, "survival": np.float64})
    data["stage_label"] = [stage_label(s, lang) for s in data["stage"]]
    data["rank"] = data["stage"].map({s: i for i, s in enumerate(STAGES)})
    return data.sort_values(["rank", "days"], kind="stable").reset_index(drop=True)


def time_in_stage_chart(curve: pd.DataFrame, summary: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Share of stays still in the stage after d days (Kaplan–Meier, step lines); crosses where
    stays were censored (still open on the as-of date); the dashed line at 50% meets each curve
    at its median, the diamonds mark the medians that were reached."""
    data = survival_data(curve, lang)
    colour = _stage_colour(lang)
    x = alt.X("days:Q", title=t("funnel.axis.days", lang))
    y = alt.Y(
        "survival:Q",
        title=t("funnel.axis.survival", lang),
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    lines = alt.Chart(data).mark_line(interpolate="step-after").encode(x=x, y=y, color=colour)
    censored = (
        alt.Chart(data[data["censored"] > 0])
        .mark_point(shape="cross", size=50, filled=True)
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("stage_label:N", title=t("funnel.col.stage", lang)),
                alt.Tooltip("days:Q", title=t("funnel.col.days", lang)),
                alt.Tooltip("censored:Q", title=t("funnel.col.censored", lang)),
                alt.Tooltip("survival:Q", title=t("funnel.col.survival", lang), format=".1%"),
            ],
        )
    )
    half = (
        alt.Chart(pd.DataFrame({"y": [0.5]}))
        .mark_rule(strokeDash=[4, 4], color="#888")
        .encode(y="y:Q")
    )
    medians = summary.dropna(subset=["median_days"]).copy()
    medians["stage_label"] = [stage_label(s, lang) for s in medians["stage"]]
    medians["half"] = 0.5
    marks = (
        alt.Chart(medians)
        .mark_point(shape="diamond", size=120, filled=True, stroke="#222")
        .encode(
            x="median_days:Q",
            y="half:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("stage_label:N", title=t("funnel.col.stage", lang)),
                alt.Tooltip("q1_days:Q", title=t("funnel.col.q1_days", lang)),
                alt.Tooltip("median_days:Q", title=t("funnel.col.median_days", lang)),
                alt.Tooltip("q3_days:Q", title=t("funnel.col.q3_days", lang)),
            ],
        )
    )
    return alt.layer(lines, censored, half, marks).properties(
        width=640, height=300, usermeta=_meta("time_in_stage")
    )


# --- small multiples by a breakdown ------------------------------------------------------------


def breakdown_data(table: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    data = funnel_data(table, lang)
    data["group_label"] = [group_label(by, g, lang) for g in data["group"]]
    data["rate_text"] = [
        "" if pd.isna(r.from_stage) else (("⚠ " if r.small_sample else "") + percent(r.rate))
        for r in data.itertuples(index=False)
    ]
    return data


def breakdown_chart(table: pd.DataFrame, by: str, lang: str, *, columns: int = 4) -> alt.FacetChart:
    """One small funnel per group (`funnel_by`): bars of companies reaching each stage, the
    conversion rate above (⚠ for small samples). Clicking a bar selects (group, stage)."""
    data = breakdown_data(table, by, lang)
    first = _first_rank(table)
    pick = alt.selection_point(name=PARAMS["breakdown"], fields=["group", "stage"], on="click")
    x = alt.X(
        "stage_label:N", sort=stage_labels(lang, first), title=None, axis=alt.Axis(labelAngle=0)
    )
    y = alt.Y("reached:Q", title=t("funnel.axis.reached", lang))
    bars = (
        alt.Chart()
        .mark_bar(cursor="pointer")
        .encode(
            x=x,
            y=y,
            color=_stage_colour(lang, first).legend(None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("group_label:N", title=t(f"analytics.breakdown.{by}", lang)),
                alt.Tooltip("stage_label:N", title=t("funnel.col.stage", lang)),
                alt.Tooltip("reached:Q", title=t("funnel.col.reached", lang)),
                alt.Tooltip("n:Q", title=t("funnel.col.n", lang)),
                alt.Tooltip("rate:Q", title=t("funnel.col.rate", lang), format=".1%"),
                alt.Tooltip("ci_low:Q", title=t("funnel.col.ci_low", lang), format=".1%"),
                alt.Tooltip("ci_high:Q", title=t("funnel.col.ci_high", lang), format=".1%"),
            ],
        )
        .add_params(pick)
    )
    labels = (
        alt.Chart()
        .mark_text(dy=-7, fontSize=10)
        .encode(
            x=x,
            y=y,
            text="rate_text:N",
            color=alt.condition("datum.small_sample", alt.value(WARNING_COLOUR), alt.value("#333")),
        )
    )
    return (
        alt.layer(bars, labels, data=data)
        .properties(width=150, height=150)
        .facet(
            facet=alt.Facet("group_label:N", title=t(f"analytics.breakdown.{by}", lang)),
            columns=columns,
        )
        .properties(usermeta=_meta("breakdown"))
    )


# --- support before a move ---------------------------------------------------------------------


def kind_label(code: str, lang: str, names: Mapping[str, str] | None) -> str:
    """A kind's name as the database holds it (`names`), else the catalogue's, else its code."""
    if names and code in names:
        return names[code]
    return code_label("kind", code, lang)


def support_data(
    table: pd.DataFrame, lang: str, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    data = table.drop(columns=["note", "warning"], errors="ignore").copy()
    data["stage_label"] = [
        t("funnel.chart.from_stage", lang, stage=stage_label(s, lang)) for s in data["stage"]
    ]
    data["kind_label"] = [kind_label(k, lang, names) for k in data["kind"]]
    data["received_label"] = [received_label(bool(r), lang) for r in data["received"]]
    data["n_text"] = [
        ("⚠ " if small else "") + f"{moved}/{n}"
        for moved, n, small in zip(
            data["moved"], data["companies"], data["small_sample"], strict=True
        )
    ]
    return data


def support_chart(
    table: pd.DataFrame, lang: str, names: Mapping[str, str] | None = None
) -> alt.FacetChart:
    """Per stage and kind: the share that moved up among companies that received the kind
    before moving and among those that did not, with 95% Wilson intervals and moved/n; small
    groups drawn hollow and marked ⚠."""
    data = support_data(table, lang, names)
    kinds = list(dict.fromkeys(data["kind_label"]))
    groups = [received_label(True, lang), received_label(False, lang)]
    y = alt.Y("kind_label:N", sort=kinds, title=None)
    offset = alt.YOffset("received_label:N", sort=groups)
    colour = alt.Color(
        "received_label:N",
        title=None,
        scale=alt.Scale(domain=groups, range=list(RECEIVED_COLOURS)),
        sort=groups,
    )
    rate_axis = alt.X(
        "rate:Q",
        title=t("funnel.axis.moved_share", lang),
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    tooltip = [
        alt.Tooltip("kind_label:N", title=t("funnel.col.kind", lang)),
        alt.Tooltip("received_label:N", title=t("funnel.col.received", lang)),
        alt.Tooltip("companies:Q", title=t("funnel.col.companies", lang)),
        alt.Tooltip("moved:Q", title=t("funnel.col.moved", lang)),
        alt.Tooltip("rate:Q", title=t("funnel.col.rate", lang), format=".1%"),
        alt.Tooltip("ci_low:Q", title=t("funnel.col.ci_low", lang), format=".1%"),
        alt.Tooltip("ci_high:Q", title=t("funnel.col.ci_high", lang), format=".1%"),
    ]
    intervals = (
        alt.Chart()
        .mark_rule(strokeWidth=2)
        .encode(x=alt.X("ci_low:Q"), x2="ci_high:Q", y=y, yOffset=offset, color=colour)
    )
    points = (
        alt.Chart()
        .mark_point(size=70, strokeWidth=2)
        .encode(
            x=rate_axis,
            y=y,
            yOffset=offset,
            color=colour,
            fill=alt.condition("datum.small_sample", alt.value("white"), colour),
            tooltip=tooltip,
        )
    )
    counts = (
        alt.Chart()
        .mark_text(align="left", dx=6, fontSize=10)
        .encode(
            x=alt.X("ci_high:Q"),
            y=y,
            yOffset=offset,
            text="n_text:N",
            color=alt.condition("datum.small_sample", alt.value(WARNING_COLOUR), alt.value("#333")),
        )
    )
    return (
        alt.layer(intervals, points, counts, data=data)
        .properties(width=520, height=alt.Step(14))
        .facet(row=alt.Row("stage_label:N", title=None, sort=None))
        .properties(usermeta=_meta("support"))
    )


# --- outcomes after support --------------------------------------------------------------------


def outcomes_data(
    table: pd.DataFrame, metric: str, lang: str, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    data = table[table["metric"] == metric].drop(columns=["note", "warning"], errors="ignore")
    data = data.copy()
    data["stage_label"] = [stage_label(s, lang) for s in data["stage"]]
    data["kind_label"] = [kind_label(k, lang, names) for k in data["kind"]]
    data["received_label"] = [received_label(bool(r), lang) for r in data["received"]]
    data["n_text"] = [
        ("⚠ " if small else "") + f"n={n}"
        for n, small in zip(data["observations"], data["small_sample"], strict=True)
    ]
    return data


def outcomes_chart(
    table: pd.DataFrame,
    metric: str,
    statistic: str,
    lang: str,
    names: Mapping[str, str] | None = None,
) -> alt.FacetChart:
    """Per stage: the mean (or median) change in `metric` after a quarter with the kind of
    support, next to same-stage companies without it, with the number of observations. A
    comparison of groups; the page says so next to it."""
    if statistic not in ("mean", "median"):
        raise ValueError(f"unknown statistic {statistic!r}")
    data = outcomes_data(table, metric, lang, names)
    kinds = list(dict.fromkeys(data["kind_label"]))
    groups = [received_label(True, lang), received_label(False, lang)]
    x = alt.X("kind_label:N", sort=kinds, title=None, axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("received_label:N", sort=groups)
    measure = t(f"funnel.statistic.{statistic}", lang)
    y = alt.Y(f"{statistic}:Q", title=f"{code_label('analytics.metric', metric, lang)} · {measure}")
    colour = alt.Color(
        "received_label:N",
        title=None,
        scale=alt.Scale(domain=groups, range=list(RECEIVED_COLOURS)),
        sort=groups,
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            xOffset=offset,
            y=y,
            color=colour,
            opacity=alt.condition("datum.small_sample", alt.value(0.4), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("kind_label:N", title=t("funnel.col.kind", lang)),
                alt.Tooltip("received_label:N", title=t("funnel.col.received", lang)),
                alt.Tooltip("observations:Q", title=t("funnel.col.observations", lang)),
                alt.Tooltip("companies:Q", title=t("funnel.col.companies", lang)),
                alt.Tooltip("mean:Q", title=t("funnel.col.mean", lang), format=",.1f"),
                alt.Tooltip("median:Q", title=t("funnel.col.median", lang), format=",.1f"),
            ],
        )
    )
    counts = (
        alt.Chart()
        .mark_text(dy=-6, fontSize=9)
        .encode(x=x, xOffset=offset, y=y, text="n_text:N", detail="received_label:N")
    )
    return (
        alt.layer(bars, counts, data=data)
        .properties(width=300, height=220)
        .facet(column=alt.Column("stage_label:N", title=None, sort=stage_labels(lang)))
        .properties(usermeta=_meta("outcomes"))
    )


# --- spec metadata and exports --------------------------------------------------------------------


def _meta(name: str) -> dict[str, object]:
    """`usermeta.chart` names the chart in its spec (tests find charts by it); SVG rendering
    keeps the marks in the DOM, where a person's click (and a browser test) can find them."""
    return {"chart": name, "embedOptions": {"renderer": "svg"}}


def export_sheet(title: str, frame: pd.DataFrame, lang: str, *, note: str | None = None) -> Sheet:
    """An analytics DataFrame as a worksheet: codes and headers translated, rates as
    percentages, dates as dates, and a `note` column that says the same on every row written
    once above the table instead."""
    data = frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns]).copy()
    notes = [note] if note else []
    if "note" in data.columns and data["note"].nunique(dropna=True) <= 1:
        notes += [str(v) for v in data["note"].dropna().unique()]
        data = data.drop(columns="note")
    for column, prefix in CODE_PREFIXES.items():
        if column in data.columns:
            data[column] = [
                "" if pd.isna(v) or v == "" else code_label(prefix, v, lang) for v in data[column]
            ]
    if "received" in data.columns:
        data["received"] = [received_label(bool(v), lang) for v in data["received"]]
    for column in BOOLEAN_COLUMNS:
        if column in data.columns:
            data[column] = [t("common.yes" if v else "common.no", lang) for v in data[column]]
    for column in data.columns:
        if pd.api.types.is_datetime64_any_dtype(data[column]):
            data[column] = [None if pd.isna(v) else v.date() for v in data[column]]
    headers = {c: code_label("funnel.col", c, lang) for c in data.columns}
    cells = {headers[c]: Cell.PCT for c in PERCENT_COLUMNS if c in data.columns}
    return Sheet(
        title=title,
        frame=data.rename(columns=headers),
        note=" ".join(notes) or None,
        cells=cells,
    )


def time_summary_display(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The time-in-stage summary for reading: quartiles in whole days, and "not reached" where
    too many stays are still open for the curve to get down to that quartile."""
    sheet = export_sheet("", summary.drop(columns="note"), lang)
    frame = sheet.frame.copy()
    for column in ("q1_days", "median_days", "q3_days"):
        header = code_label("funnel.col", column, lang)
        frame[header] = [
            t("funnel.not_reached", lang) if pd.isna(v) else f"{int(v):,}" for v in summary[column]
        ]
    return frame


def titled(chart: alt.TopLevelMixin, title: str) -> alt.TopLevelMixin:
    """The chart with a title, for the exported file (the page has its own headings)."""
    return chart.properties(title=title)


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_svg(chart.to_json()).encode("utf-8")


def chart_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)
