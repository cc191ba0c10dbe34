"""The funnel page through AppTest on a copy of the demo database: every role opens it, each chart's
data equals crm.analytics (and SQL where it is easy to say), filters change every chart, and a
pick (the URL form of a chart click, which AppTest cannot make) lists the right companies."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    charts,
    companies_behind,
    companies_in_stage_on,
    filter_choices,
    funnel,
    funnel_by,
    load_frames,
    outcomes_after_support,
    stage_counts_by_month,
    support_before_move,
    time_in_stage,
)
from crm.db import make_engine
from crm.i18n import t
from crm.migrate import upgrade
from crm.services import users
from crm.services.actor import actor_by_username, system_actor
from crm.ui import funnel_view
from tests.app.conftest import HOME, OpenAs
from tests.app.helpers import captions, scalar

PAGE = "pages/4_Funnel.py"
CHARTS = ("funnel", "counts", "transitions", "time_in_stage", "breakdown", "support", "outcomes")
# Each company's first stage entry (the house order: by date, then id).
FIRST_STAGE = (
    "(SELECT s.stage FROM stage_entry s WHERE s.company_id = c.id "
    "ORDER BY s.entered_on, s.id LIMIT 1)"
)


# The page's sections are tabs, and only the open one runs: a chart is read on its own tab.
SECTION_OF = {"time_in_stage": "time"}


def open_section(at: AppTest, section: str, lang: str = "ko") -> AppTest:
    """Open the page's tab `section` (funnel, counts, transitions, time, ...), as a click would."""
    label = t(f"funnel.section.{section}", lang)
    if at.session_state[f"fn_section_{lang}"] != label:
        at.session_state[f"fn_section_{lang}"] = label
        at.run()
    return at


def chart_data(at: AppTest, name: str, index: int = 0) -> pd.DataFrame:
    """The `index`-th dataset of the chart whose spec says `usermeta.chart == name`."""
    open_section(at, SECTION_OF.get(name, name))
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("usermeta", {}).get("chart") == name:
            return convert_arrow_bytes_to_pandas_df(element.proto.datasets[index].data.data)
    raise AssertionError(f"no chart {name!r} on the page")


def chart_names(at: AppTest) -> list[str]:
    """The charts of every section, opening each tab in turn (then the first again)."""
    if "fn_section_ko" not in at.session_state:
        return []
    names = []
    for section in ("funnel", "counts", "transitions", "time", "breakdown", "support", "outcomes"):
        open_section(at, section)
        names += [json.loads(e.proto.spec)["usermeta"]["chart"] for e in at.get("vega_lite_chart")]
    open_section(at, "funnel")
    return names


def company_links(at: AppTest) -> list[tuple[str, str]]:
    """(label, query string) of the links to company pages (not the sidebar's page links), in
    name order (the page lays them out in three columns, which AppTest reads column by column)."""
    return sorted(
        (link.label, link.proto.query_string)
        for link in at.page_link
        if link.proto.query_string.startswith("company=")
    )


def listed(companies: pd.DataFrame) -> list[tuple[str, str]]:
    return sorted(
        (str(name), f"company={cid}")
        for cid, name in zip(companies["company_id"], companies["name_ko"], strict=True)
    )


def view_of(
    engine: Engine, filters: Filters | None = None
) -> tuple[AnalyticsFrames, dict[str, Any]]:
    frames = load_frames(engine)
    return apply_filters(frames, filters or Filters()), filter_choices(frames)


def texts(at: AppTest) -> list[str]:
    return [
        str(e.value)
        for kind in ("title", "subheader", "markdown", "caption", "warning", "info")
        for e in getattr(at, kind)
    ]


@pytest.mark.parametrize("role", ["analyst", "officer", "manager", "admin"])
def test_every_role_opens_the_funnel(open_as: OpenAs, role: str) -> None:
    at = open_as(role, PAGE)
    assert at.title[0].value == "성장 단계 분석"
    assert (
        "데모 데이터: 여기에 보이는 기업과 인물은 모두 가상이며 실제 기업이 아닙니다."
        in captions(at)
    )
    assert chart_names(at) == list(CHARTS)
    assert not company_links(at)
    assert not at.exception


def test_default_charts_match_the_analytics_and_sql(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("analyst", PAGE)
    view, choices = view_of(app_db)
    first, last = choices["first_day"], choices["last_day"]
    active = scalar(app_db, "SELECT COUNT(*) FROM company WHERE archived = 0")
    assert any(c.startswith(f"필터에 맞는 기업 {active}개") for c in captions(at))

    shown = chart_data(at, "funnel")
    expected = funnel(view, entry_stage="pre_startup", as_of=last)
    assert shown["reached"].tolist() == expected["reached"].tolist()
    assert shown["n"].tolist() == expected["n"].tolist()
    pre_startup = scalar(
        app_db,
        f"SELECT COUNT(*) FROM company c WHERE archived = 0 AND {FIRST_STAGE} = 'pre_startup'",
    )
    reached_startup = scalar(
        app_db,
        f"SELECT COUNT(*) FROM company c WHERE archived = 0 AND {FIRST_STAGE} = 'pre_startup' "
        "AND EXISTS (SELECT 1 FROM stage_entry s WHERE s.company_id = c.id "
        "AND s.stage IN ('startup', 'growth'))",
    )
    assert shown["reached"].tolist()[:2] == [pre_startup, reached_startup]

    counts = chart_data(at, "counts")
    expected_counts = stage_counts_by_month(view, start=first, end=last)
    assert counts["companies"].tolist() == expected_counts["companies"].tolist()
    june = counts[(counts["month"] == "2022-06-30") & (counts["stage"] == "startup")]
    in_startup_on_june_30 = scalar(
        app_db,
        "SELECT COUNT(*) FROM company c WHERE archived = 0 AND (SELECT s.stage FROM stage_entry s "
        "WHERE s.company_id = c.id AND s.entered_on <= '2022-06-30' "
        "ORDER BY s.entered_on DESC, s.id DESC LIMIT 1) = 'startup'",
    )
    assert june["companies"].tolist() == [in_startup_on_june_30]

    moves = chart_data(at, "transitions")
    every_move = scalar(
        app_db,
        "SELECT COUNT(*) FROM stage_entry s JOIN company c ON c.id = s.company_id "
        "WHERE c.archived = 0 AND EXISTS (SELECT 1 FROM stage_entry p WHERE "
        "p.company_id = s.company_id AND (p.entered_on < s.entered_on "
        "OR (p.entered_on = s.entered_on AND p.id < s.id)))",
    )
    backward = int(moves.loc[moves["backward"], "moves"].sum())
    assert int(moves["moves"].sum()) == every_move
    assert f"후퇴 이동 {backward}건 (전체 이동 {every_move}건 중)" in [m.value for m in at.markdown]

    # Every company has exactly one open stay: it is censored, not dropped.
    summary = time_in_stage(view, as_of=last)
    assert int(summary["censored"].sum()) == active
    open_section(at, "time")
    shown_table = next(
        d.value for d in at.dataframe if "중앙값(일)" in d.value.columns
    )  # the time-in-stage summary under its chart
    assert shown_table["중도절단(아직 머묾)"].tolist() == summary["censored"].tolist()

    support = chart_data(at, "support")
    expected_support = support_before_move(view, as_of=last)
    assert support["companies"].tolist() == expected_support["companies"].tolist()
    assert support["moved"].tolist() == expected_support["moved"].tolist()

    outcomes = chart_data(at, "outcomes")
    expected_outcomes = outcomes_after_support(view, horizon=1)
    employees = expected_outcomes[expected_outcomes["metric"] == "employees_change"]
    assert outcomes["observations"].tolist() == employees["observations"].tolist()
    assert outcomes["mean"].tolist() == pytest.approx(employees["mean"].tolist(), nan_ok=True)


def test_filters_change_every_chart(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("analyst", PAGE)
    before = chart_data(at, "funnel")["reached"].tolist()
    _, choices = view_of(app_db)
    last = choices["last_day"]

    at.multiselect(key="fn_industries").set_value(["healthcare"]).run()
    assert not at.exception
    filters = Filters(industries=("healthcare",))
    view, _ = view_of(app_db, filters)
    healthcare = scalar(
        app_db, "SELECT COUNT(*) FROM company WHERE archived = 0 AND industry = 'healthcare'"
    )
    assert any(c.startswith(f"필터에 맞는 기업 {healthcare}개") for c in captions(at))
    reached = chart_data(at, "funnel")["reached"].tolist()
    assert reached == funnel(view, as_of=last)["reached"].tolist()
    assert reached != before
    assert set(chart_data(at, "breakdown")["group"]) == {"healthcare"}
    assert (
        chart_data(at, "support")["companies"].tolist()
        == support_before_move(view, as_of=last)["companies"].tolist()
    )
    # A stage reached by fewer than 10 companies is flagged in words under the funnel.
    small = funnel(view, as_of=last).set_index("stage")
    assert bool(small.loc["growth", "small_sample"])  # 3 healthcare companies reached startup
    n = int(small.loc["growth", "n"])
    open_section(at, "funnel")
    assert any(f"- 성장: 표본이 작습니다(n={n}, 기준 10 미만)" in w.value for w in at.warning)

    at.multiselect(key="fn_kinds").set_value(["investment"]).run()
    filters = Filters(industries=("healthcare",), kinds_received=("investment",))
    view, _ = view_of(app_db, filters)
    invested = scalar(
        app_db,
        "SELECT COUNT(DISTINCT c.id) FROM company c JOIN activity a ON a.company_id = c.id "
        "JOIN programme p ON p.id = a.programme_id WHERE c.archived = 0 "
        "AND c.industry = 'healthcare' AND p.kind = 'investment' AND a.status != 'cancelled'",
    )
    assert len(view.companies) == invested
    assert any(c.startswith(f"필터에 맞는 기업 {invested}개") for c in captions(at))
    assert chart_data(at, "funnel")["reached"].tolist() == (
        funnel(view, as_of=last)["reached"].tolist()
    )

    start, end = date(2022, 4, 1), date(2022, 9, 30)
    at.date_input(key="fn_dates").set_value((start, end)).run()
    filters = Filters(
        industries=("healthcare",), kinds_received=("investment",), date_from=start, date_to=end
    )
    view, _ = view_of(app_db, filters)
    counts = chart_data(at, "counts")
    assert sorted(set(counts["month"])) == [
        "2022-04-30",
        "2022-05-31",
        "2022-06-30",
        "2022-07-31",
        "2022-08-31",
        "2022-09-30",
    ]
    assert counts["companies"].tolist() == (
        stage_counts_by_month(view, start=start, end=end)["companies"].tolist()
    )
    assert chart_data(at, "funnel")["reached"].tolist() == (
        funnel(view, as_of=end)["reached"].tolist()
    )
    assert any("기준일 2022.09.30" in c for c in captions(at))


def test_officer_and_location_filters(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("analyst", PAGE)
    officer_id = scalar(app_db, "SELECT MIN(officer_id) FROM company")
    at.multiselect(key="fn_officers").set_value([officer_id]).run()
    mine = scalar(
        app_db, "SELECT COUNT(*) FROM company WHERE archived = 0 AND officer_id = :o", o=officer_id
    )
    assert any(c.startswith(f"필터에 맞는 기업 {mine}개") for c in captions(at))
    at.multiselect(key="fn_locations").set_value(["동구"]).run()
    both = scalar(
        app_db,
        "SELECT COUNT(*) FROM company WHERE archived = 0 AND officer_id = :o AND location = '동구'",
        o=officer_id,
    )
    assert any(c.startswith(f"필터에 맞는 기업 {both}개") for c in captions(at))


def test_cohort_options_and_breakdown(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("analyst", PAGE)
    view, choices = view_of(app_db)
    at.selectbox(key="fn_entry_stage").set_value("startup").run()
    shown = chart_data(at, "funnel")
    assert shown["stage"].tolist() == ["startup", "growth"]
    expected = funnel(view, entry_stage="startup", as_of=choices["last_day"])
    assert shown["reached"].tolist() == expected["reached"].tolist()
    open_section(at, "breakdown")
    at.selectbox(key="fn_by").set_value("officer").run()
    groups = chart_data(at, "breakdown")
    by_officer = funnel_by(view, "officer", entry_stage="startup", as_of=choices["last_day"])
    assert groups["reached"].tolist() == by_officer["reached"].tolist()
    assert set(groups["group"]) == set(by_officer["group"])


def test_funnel_pick_lists_the_companies_behind_the_bar(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("analyst", PAGE)
    at.query_params["pick"] = "funnel:startup"
    at.run()
    assert not at.exception
    view, choices = view_of(app_db)
    behind = companies_behind(view, "startup", as_of=choices["last_day"])
    assert company_links(at) == listed(behind)
    reached = chart_data(at, "funnel").set_index("stage")["reached"]
    assert len(behind) == reached["startup"]
    assert f"창업/초기 · 도달: {len(behind)}개 기업" in [m.value.strip("*") for m in at.markdown]
    names_sql = {
        row
        for (row,) in _rows(
            app_db,
            f"SELECT name_ko FROM company c WHERE archived = 0 AND {FIRST_STAGE} = 'pre_startup' "
            "AND EXISTS (SELECT 1 FROM stage_entry s WHERE s.company_id = c.id "
            "AND s.stage IN ('startup', 'growth'))",
        )
    }
    assert {label for label, _ in company_links(at)} == names_sql

    at.selectbox(key="fn_measure").set_value("now_here").run()
    now_here = companies_behind(view, "startup", measure="now_here", as_of=choices["last_day"])
    assert company_links(at) == listed(now_here)

    next(b for b in at.button if b.label == "선택 해제").click().run()
    assert "pick" not in at.query_params
    assert company_links(at) == []


def test_counts_and_breakdown_picks(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("analyst", PAGE)
    view, choices = view_of(app_db)
    at.query_params["pick"] = "counts:startup:2022-06-30"
    at.run()
    in_stage = companies_in_stage_on(view, "startup", date(2022, 6, 30))
    # More than the page links: it links the first LINK_LIMIT and offers the rest as Excel.
    assert len(in_stage) > funnel_view.LINK_LIMIT
    assert company_links(at) == listed(in_stage.head(funnel_view.LINK_LIMIT))
    counts = chart_data(at, "counts")
    point = counts[(counts["month"] == "2022-06-30") & (counts["stage"] == "startup")]
    assert point["companies"].tolist() == [len(in_stage)]

    at.query_params["pick"] = "breakdown:startup:industry:automotive"
    at.run()
    group = companies_behind(
        view, "startup", by="industry", group="automotive", as_of=choices["last_day"]
    )
    assert company_links(at) == listed(group)
    assert any(m.value.startswith("**산업 자동차 · 창업/초기") for m in at.markdown)


@pytest.mark.parametrize("bad", ["funnel:unicorn", "counts:startup:soon", "nonsense"])
def test_a_malformed_pick_in_the_url_is_ignored(open_as: OpenAs, bad: str) -> None:
    at = open_as("analyst", PAGE)
    at.query_params["pick"] = bad
    at.run()
    assert not at.exception
    assert company_links(at) == []


def test_english_page_has_no_untranslated_keys(open_as: OpenAs) -> None:
    at = open_as("analyst", PAGE, lang="en")
    assert at.title[0].value == "Stage funnel"
    assert "Stage funnel" in [tab.label for tab in at.tabs]
    shown = []
    for section in ("funnel", "counts", "transitions", "time", "breakdown", "support", "outcomes"):
        shown += texts(open_section(at, section, "en"))
        if section == "support":  # the support section's own caveat, in English
            assert any("not as the effect of the support" in i.value for i in at.info)
    leftovers = [t for t in shown if "funnel." in t or "analytics." in t]
    assert leftovers == []


def test_download_builders_open_as_files(app_db: Engine) -> None:
    """What the page's buttons hand out (AppTest cannot see download bytes): the export sheets
    of the demo's funnel as a workbook, and the chart as PNG and SVG."""
    view, choices = view_of(app_db)
    table = funnel(view, as_of=choices["last_day"], lang="ko")
    sheets = [
        charts.export_sheet("단계 퍼널", table, "ko", note="필터: -"),
        charts.export_sheet(
            "월말 단계별 기업 수",
            stage_counts_by_month(view, start=choices["first_day"], end=choices["last_day"]),
            "ko",
        ),
    ]
    book = openpyxl.load_workbook(io.BytesIO(funnel_view.xlsx_bytes(sheets, "단계 퍼널")))
    assert book.sheetnames == ["단계 퍼널", "월말 단계별 기업 수"]
    rows = [[c.value for c in r] for r in book["단계 퍼널"].iter_rows()]
    assert rows[0][0] == "필터: -"
    assert rows[2][:2] == ["단계", "도달"]
    assert [r[1] for r in rows[3:]] == table["reached"].tolist()
    months = [[c.value for c in r] for r in book["월말 단계별 기업 수"].iter_rows()]
    assert months[0] == ["월말", "단계", "기업 수"]
    assert months[1][0].date() == date(2022, 1, 31)
    chart = charts.titled(charts.funnel_chart(table, "ko"), "단계 퍼널")
    assert charts.chart_png(chart, scale=1).startswith(b"\x89PNG\r\n\x1a\n")
    assert charts.chart_svg(chart).lstrip().startswith(b"<svg")


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(sql)).all()]


def test_an_empty_database_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s:
        users.create_user(
            s, system_actor(s), username="analyst", display_name="분석", role="analyst"
        )
        actor = actor_by_username(s, "analyst")
    engine.dispose()
    at = AppTest.from_file(HOME, default_timeout=60)
    at.session_state["crm_actor"] = actor
    at.session_state["crm_lang"] = "ko"
    at.session_state["crm_last_seen"] = datetime.now(UTC)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert [i.value for i in at.info] == [
        "아직 단계 기록이나 지원 내역이 없습니다. 기업을 등록하거나 데모 데이터를 불러오세요."
    ]
    assert chart_names(at) == []


def test_period_bounds_while_a_range_is_being_picked() -> None:
    first, last = date(2022, 1, 3), date(2022, 12, 20)
    bounds = funnel_view.period_bounds
    assert bounds((first, last), first, last) == (first, last)
    assert bounds((date(2022, 3, 1),), first, last) == (date(2022, 3, 1), last)  # one end so far
    assert bounds((), first, last) == (first, last)
    assert bounds(date(2022, 5, 5), first, last) == (date(2022, 5, 5), last)
    assert bounds((date(2021, 1, 1), date(2030, 1, 1)), first, last) == (first, last)


def test_only_the_open_section_runs(open_as: OpenAs) -> None:
    """The sections are tabs and only the open one runs (the page draws one chart, not seven);
    the address names the open section, so a link opens it."""
    at = open_as("analyst", PAGE)
    drawn = [json.loads(e.proto.spec)["usermeta"]["chart"] for e in at.get("vega_lite_chart")]
    assert drawn == ["funnel"]
    linked = open_as("analyst", PAGE)
    fresh = AppTest.from_file(HOME, default_timeout=60)
    fresh.session_state["crm_actor"] = linked.session_state["crm_actor"]
    fresh.session_state["crm_last_seen"] = datetime.now(UTC)
    fresh.run()
    fresh.switch_page(PAGE)
    fresh.query_params["view"] = "time"
    fresh.run()
    drawn = [json.loads(e.proto.spec)["usermeta"]["chart"] for e in fresh.get("vega_lite_chart")]
    assert drawn == ["time_in_stage"]


def test_the_funnel_reads_only_what_a_write_changed(
    open_as: OpenAs, app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The funnel reads activities only for the sections that use them, keeps its company,
    stage, outcome and programme frames across writes audited only as activity
    (crm.analytics.versions), and re-reads those after any other write; either way every chart
    shows the database as it now is."""
    from crm.models import Stage
    from crm.services.activities import NewActivity, log_activity
    from crm.services.stages import change_stage

    reads = {"others": 0, "activities": 0}

    def counted(name: str, load: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            reads[name] += 1
            return load(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(funnel_view, "load_frames", counted("others", funnel_view.load_frames))
    monkeypatch.setattr(
        funnel_view, "read_activities", counted("activities", funnel_view.read_activities)
    )
    at = open_as("analyst", PAGE)
    assert reads == {"others": 1, "activities": 0}  # the funnel section needs no activities
    open_section(at, "support")
    assert reads == {"others": 1, "activities": 1}

    def fresh_support() -> list[int]:
        view, choices = view_of(app_db)
        return support_before_move(view, as_of=choices["last_day"])["companies"].tolist()

    # Overseas support for a company that moved up later and never had any, on its first day.
    with app_db.connect() as c:
        company_id, first_day = c.execute(
            text(
                "SELECT s.company_id, MIN(s.entered_on) FROM stage_entry s "
                "JOIN company c ON c.id = s.company_id WHERE c.archived = 0 "
                "GROUP BY s.company_id HAVING COUNT(*) > 1 AND NOT EXISTS (SELECT 1 FROM activity a "
                "JOIN programme p ON p.id = a.programme_id "
                "WHERE a.company_id = s.company_id AND p.kind = 'overseas') ORDER BY 1 LIMIT 1"
            )
        ).one()
        programme_id = c.execute(text("SELECT id FROM programme WHERE kind = 'overseas'")).scalar()
    before = fresh_support()
    with Session(app_db) as s:
        log_activity(
            s,
            system_actor(s),
            NewActivity(
                company_id=company_id,
                programme_id=programme_id,
                start_on=first_day,
                details={"country": "VN", "programme_type": "exhibition"},
            ),
        )
    after = fresh_support()
    assert after != before  # the write changes what the support chart must show
    at.run()
    assert reads == {"others": 1, "activities": 2}
    assert chart_data(at, "support")["companies"].tolist() == after
    open_section(at, "funnel")
    assert reads == {"others": 1, "activities": 2}

    # A stage move is audited as the company's: every frame is read again.
    with app_db.connect() as c:
        mover, entered = c.execute(
            text(
                "SELECT s.company_id, MAX(s.entered_on) FROM stage_entry s "
                "JOIN company c ON c.id = s.company_id WHERE c.archived = 0 "
                "GROUP BY s.company_id HAVING COUNT(*) = 1 AND MAX(s.stage) = 'pre_startup' "
                "ORDER BY 1 LIMIT 1"
            )
        ).one()
    day = date.fromisoformat(str(entered)) + timedelta(days=30)

    def fresh_funnel() -> list[int]:
        view, choices = view_of(app_db)
        return funnel(view, entry_stage="pre_startup", as_of=choices["last_day"])[
            "reached"
        ].tolist()

    before = fresh_funnel()
    with Session(app_db) as s:
        change_stage(s, system_actor(s), mover, stage=Stage.STARTUP, entered_on=day, founded_on=day)
    after = fresh_funnel()
    assert after[1] == before[1] + 1  # one more pre-startup company reached startup
    at.run()
    assert reads == {"others": 2, "activities": 2}
    assert chart_data(at, "funnel")["reached"].tolist() == after


def test_nothing_is_kept_while_a_write_is_in_flight(
    open_as: OpenAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another write is open (PostgreSQL can commit it with ids below the latest), every
    run reads the frames again; once settled, reruns read nothing."""
    from crm.analytics import versions

    reads = {"others": 0}
    load = funnel_view.load_frames

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads["others"] += 1
        return load(*args, **kwargs)

    monkeypatch.setattr(funnel_view, "load_frames", counted)
    monkeypatch.setattr(versions, "writes_in_flight", lambda conn: True)
    at = open_as("analyst", PAGE)
    first = reads["others"]
    assert first >= 1
    at.run()
    assert reads["others"] > first
    monkeypatch.setattr(versions, "writes_in_flight", lambda conn: False)
    at.run()
    settled = reads["others"]
    at.run()
    at.run()
    assert reads["others"] == settled
    assert chart_data(at, "funnel")["reached"].sum() > 0
