"""The funnel page's chart specs, export sheets and PNG/SVG bytes, built from the hand-built cohort
(tests/analytics_cohort.py): valid Vega-Lite, the analytics' numbers in the chart data, named
selections with explicit fields, translated and typed downloads."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import altair as alt
import openpyxl
import pandas as pd
import pytest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    charts,
    funnel,
    funnel_by,
    outcomes_after_support,
    stage_counts_by_month,
    support_before_move,
    time_in_stage,
    time_in_stage_curve,
    transitions,
)
from crm.exports.tables import frames_to_xlsx
from tests.analytics_cohort import AS_OF, DAY0, cohort_frames

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COHORT = {"entry_stage": "pre_startup", "entry_year": 2022, "as_of": AS_OF}


@pytest.fixture(scope="module")
def frames() -> AnalyticsFrames:
    return apply_filters(cohort_frames(), Filters())


@pytest.fixture(scope="module")
def tables(frames: AnalyticsFrames) -> dict[str, pd.DataFrame]:
    return {
        "funnel": funnel(frames, **COHORT),
        "breakdown": funnel_by(frames, "industry", **COHORT),
        "counts": stage_counts_by_month(frames, start=DAY0, end=AS_OF),
        "transitions": transitions(frames, period="quarter"),
        "time_summary": time_in_stage(frames, as_of=AS_OF),
        "time_curve": time_in_stage_curve(frames, as_of=AS_OF),
        "support": support_before_move(frames, as_of=AS_OF),
        "outcomes": outcomes_after_support(frames),
    }


def all_charts(tables: dict[str, pd.DataFrame], lang: str) -> dict[str, alt.TopLevelMixin]:
    return {
        "funnel": charts.funnel_chart(tables["funnel"], lang),
        "counts": charts.counts_chart(tables["counts"], lang),
        "transitions": charts.transitions_chart(tables["transitions"], lang),
        "time_in_stage": charts.time_in_stage_chart(
            tables["time_curve"], tables["time_summary"], lang
        ),
        "breakdown": charts.breakdown_chart(tables["breakdown"], "industry", lang),
        "support": charts.support_chart(tables["support"], lang),
        "outcomes": charts.outcomes_chart(tables["outcomes"], "employees_change", "mean", lang),
    }


def params(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every selection parameter declared anywhere in a Vega-Lite spec."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for p in node.get("params", []):
                if "select" in p:
                    found.append(p)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def first_layer_data(chart: alt.TopLevelMixin) -> pd.DataFrame:
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        return data
    return first_layer_data(chart.layer[0])  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_chart_is_valid_vega_lite_named_for_the_page(
    tables: dict[str, pd.DataFrame], lang: str
) -> None:
    for name, chart in all_charts(tables, lang).items():
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert spec["usermeta"] == {"chart": name, "embedOptions": {"renderer": "svg"}}
        text = json.dumps(spec, ensure_ascii=False)
        # No catalogue key left untranslated in titles, labels or tooltips.
        assert "funnel.col." not in text and "funnel.axis." not in text, name


def test_clickable_charts_have_named_point_selections_with_fields(
    tables: dict[str, pd.DataFrame],
) -> None:
    built = all_charts(tables, "ko")
    expected = {
        "funnel": ("funnel_pick", ["stage"]),
        "counts": ("counts_pick", ["month", "stage"]),
        "breakdown": ("breakdown_pick", ["group", "stage"]),
    }
    for name, (param, fields) in expected.items():
        declared = params(built[name].to_dict())
        assert [(p["name"], p["select"]["type"], p["select"]["fields"]) for p in declared] == [
            (param, "point", fields)
        ], name
    for name in ("transitions", "time_in_stage", "support", "outcomes"):
        assert params(built[name].to_dict()) == [], name


def test_funnel_chart_shows_counts_rates_intervals_and_n(tables: dict[str, pd.DataFrame]) -> None:
    table = tables["funnel"]
    data = charts.funnel_data(table, "en")
    assert data["stage"].tolist() == ["pre_startup", "startup", "growth"]
    assert data["reached"].tolist() == table["reached"].tolist() == [6, 4, 2]
    assert data["stage_label"].tolist() == ["Pre-startup", "Startup", "Growth"]
    # startup: 4 of 6 came through; growth: 2 of 4. Both under 10 companies: flagged.
    assert data["rate_text"].tolist() == [
        "",
        f"⚠ 66.7% ({table['ci_low'][1]:.1%}–{table['ci_high'][1]:.1%}) · n=6",
        f"⚠ 50.0% ({table['ci_low'][2]:.1%}–{table['ci_high'][2]:.1%}) · n=4",
    ]
    chart = charts.funnel_chart(table, "en")
    assert first_layer_data(chart)["reached"].tolist() == [6, 4, 2]


def test_a_stage_nobody_could_reach_says_so_instead_of_a_rate(frames: AnalyticsFrames) -> None:
    empty = funnel(apply_filters(frames, Filters(industries=("nothing",))), **COHORT)
    data = charts.funnel_data(empty, "en")
    assert data["rate_text"].tolist()[1:] == ["⚠ n=0: no rate", "⚠ n=0: no rate"]


def test_counts_chart_data_keeps_the_analytics_numbers(tables: dict[str, pd.DataFrame]) -> None:
    counts = tables["counts"]
    data = charts.counts_data(counts, "ko")
    assert data["companies"].tolist() == counts["companies"].tolist()
    assert data["month"].iloc[0] == "2022-01-31"
    assert set(data["stage_label"]) == {"예비창업", "창업/초기", "성장"}


def test_survival_curves_start_at_day_zero_with_everyone_in_the_stage(
    tables: dict[str, pd.DataFrame],
) -> None:
    data = charts.survival_data(tables["time_curve"], "ko")
    starts = data.groupby("stage", sort=False).first()
    assert (starts["days"] == 0).all()
    assert (starts["survival"] == 1.0).all()
    assert len(data) == len(tables["time_curve"]) + 3


def test_transitions_chart_labels_backward_moves(tables: dict[str, pd.DataFrame]) -> None:
    data = charts.transitions_data(tables["transitions"], "en")
    backward = data[data["backward"]]
    # c3 startup -> pre-startup (d250), c9 growth -> startup (d200): both in 2022 Q3.
    assert sorted(backward["move_label"]) == ["Growth → Startup", "Startup → Pre-startup"]
    assert set(backward["direction_label"]) == {"Moved back"}


def test_support_and_outcome_charts_carry_n_and_flag_small_groups(
    tables: dict[str, pd.DataFrame],
) -> None:
    support = charts.support_data(tables["support"], "en")
    assert (support["n_text"].str.startswith("⚠") == support["small_sample"]).all()
    first = support.iloc[0]
    assert first["n_text"].endswith(f"{first['moved']}/{first['companies']}")
    outcomes = charts.outcomes_data(tables["outcomes"], "employees_change", "en")
    assert set(outcomes["metric"]) == {"employees_change"}
    assert set(outcomes["received_label"]) <= {"Received", "Not received"}
    with pytest.raises(ValueError):
        charts.outcomes_chart(tables["outcomes"], "employees_change", "mode", "en")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_exported_column_is_translated(tables: dict[str, pd.DataFrame], lang: str) -> None:
    for name, table in tables.items():
        sheet = charts.export_sheet(name, table, lang)
        untranslated = [c for c in sheet.frame.columns if str(c).startswith("funnel.col.")]
        assert untranslated == [], name
        assert "rank" not in table.columns or len(sheet.frame.columns) == len(table.columns) - 1


def test_export_sheet_writes_codes_as_words_and_rates_as_percent_cells(
    tables: dict[str, pd.DataFrame],
) -> None:
    sheet = charts.export_sheet("Funnel", tables["funnel"], "en", note="Filters: -")
    frame = sheet.frame
    assert frame["Stage"].tolist() == ["Pre-startup", "Startup", "Growth"]
    assert frame["Small sample"].tolist() == ["No", "Yes", "Yes"]
    assert sheet.note == "Filters: -"
    workbook = openpyxl.load_workbook(io.BytesIO(frames_to_xlsx([sheet])))
    ws = workbook.worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "Filters: -"
    header = rows[2]
    assert header[:3] == ["Stage", "Reached", "Recorded in stage"]
    body = rows[3:6]
    assert [r[0] for r in body] == ["Pre-startup", "Startup", "Growth"]
    assert [r[header.index("Reached")] for r in body] == [6, 4, 2]
    rate = ws.cell(row=5, column=header.index("Rate") + 1)
    assert rate.value == pytest.approx(4 / 6)
    assert rate.number_format == "0.0%"


def test_a_note_repeated_on_every_row_is_written_once_above(
    tables: dict[str, pd.DataFrame],
) -> None:
    support = tables["support"]
    sheet = charts.export_sheet("Support", support, "en")
    assert "Note" not in sheet.frame.columns
    assert sheet.note == support["note"].iloc[0]
    # Time in stage: one note per stage (each with its own count) stays a column.
    summary = charts.export_sheet("Time", tables["time_summary"], "en")
    assert "Note" in summary.frame.columns


def test_time_summary_says_not_reached_instead_of_a_number(
    tables: dict[str, pd.DataFrame],
) -> None:
    summary = tables["time_summary"]
    shown = charts.time_summary_display(summary, "en")
    for stage_index, median in enumerate(summary["median_days"]):
        cell = shown["Median (days)"].iloc[stage_index]
        assert cell == ("Not reached" if pd.isna(median) else f"{int(median):,}")


def test_png_and_svg_are_valid_files(tables: dict[str, pd.DataFrame]) -> None:
    chart = charts.titled(charts.funnel_chart(tables["funnel"], "ko"), "단계 퍼널")
    png = charts.chart_png(chart, scale=1)
    assert png.startswith(PNG_SIGNATURE)
    width = int.from_bytes(png[16:20], "big")
    assert width > 300
    svg = charts.chart_svg(chart)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "단계 퍼널" in svg.decode("utf-8")
    facet_svg = charts.chart_svg(charts.breakdown_chart(tables["breakdown"], "industry", "en"))
    assert ET.fromstring(facet_svg).tag.endswith("svg")


def test_a_kind_is_named_as_the_database_names_it() -> None:
    """A kind an admin added has no catalogue entry: the chart shows the name it was given."""
    assert charts.kind_label("gpu_voucher", "ko", {"gpu_voucher": "GPU 바우처"}) == "GPU 바우처"
    assert charts.kind_label("mentoring", "en", {"mentoring": "Mentoring (renamed)"}) == (
        "Mentoring (renamed)"
    )
    assert charts.kind_label("mentoring", "ko", None) == "멘토링"  # the catalogue's
    assert charts.kind_label("gpu_voucher", "ko", {}) == "gpu_voucher"  # never an empty label
