"""Executed apart from committed and planned on the home dashboard and the support log's budget
table, in one unit without a needless ".0"; the reports page names the About sheet as the
workbook does."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from crm.models import Activity
from crm.services import quarters
from crm.services.actor import actor_by_username
from crm.ui.format import krw
from tests.app.conftest import OpenAs
from tests.app.helpers import captions, expand, submit
from tests.support import snapshot

SPEND = {"executed": "completed", "committed": "in_progress", "planned": "planned"}


def programme_sums(engine: Engine) -> dict[str, dict[str, int]]:
    """Per 2022 programme name: budget and SUM(amount_krw) per status, from plain SQL."""
    with engine.connect() as c:
        budgets = c.execute(text("SELECT name, budget_krw FROM programme WHERE year = 2022")).all()
        sums = c.execute(
            text(
                "SELECT p.name, a.status, SUM(a.amount_krw) FROM activity a JOIN programme p "
                "ON p.id = a.programme_id WHERE p.year = 2022 GROUP BY p.name, a.status"
            )
        ).all()
    out = {name: {"budget": int(budget)} for name, budget in budgets}
    for name, status, total in sums:
        out[name][status] = int(total)
    return {
        name: {"budget": v["budget"], **{k: v.get(s, 0) for k, s in SPEND.items()}}
        for name, v in out.items()
    }


def frame_with(at_frames: list, column: str) -> pd.DataFrame:
    return next(f.value for f in at_frames if column in f.value.columns)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_home_shows_executed_apart_in_one_unit(open_as: OpenAs, app_db: Engine, lang: str) -> None:
    at = open_as("manager", lang=lang)
    assert not at.exception
    sums = programme_sums(app_db)
    committed_col = {"ko": "약정액", "en": "Committed"}[lang]
    table = frame_with(list(at.dataframe), committed_col)
    names = {"ko": ("지원사업", "예산", "집행액", "약정액", "계획액"), "en": None}[lang]
    names = names or ("Programme", "Budget", "Executed", "Committed", "Planned")
    shown = table.set_index(names[0])
    assert set(shown.index) == set(sums)
    for name, s in sums.items():
        row = shown.loc[name]
        assert [row[c] for c in names[1:]] == [
            krw(s[k], lang, millions=True) for k in ("budget", "executed", "committed", "planned")
        ]
    # The demo plans and runs activities in December: executed leaves them out.
    assert sum(s["committed"] + s["planned"] for s in sums.values()) > 0
    executed = sum(s["executed"] for s in sums.values())
    budget = sum(s["budget"] for s in sums.values())
    metric = {m.label: m.value for m in at.metric}
    label = {"ko": "예산 집행률", "en": "Budget executed"}[lang]
    assert metric[label] == f"{100 * executed / budget:.1f}%"
    caption = {
        "ko": "집행 {e} / 예산 {b} · 약정 {c} · 계획 {p}",
        "en": "Executed {e} of {b} · committed {c} · planned {p}",
    }[lang].format(
        e=krw(executed, lang, millions=True),
        b=krw(budget, lang, millions=True),
        c=krw(sum(s["committed"] for s in sums.values()), lang, millions=True),
        p=krw(sum(s["planned"] for s in sums.values()), lang, millions=True),
    )
    assert caption in captions(at)
    # One unit on the whole dashboard, and no "9,150.0": every amount on it is in 백만원 / M.
    money = re.compile(r"^-?₩?-?[\d,]+(\.\d+)?(백만원|억원|천원|원|M|B)$")
    amounts = [
        v
        for frame in at.dataframe
        for column in frame.value.columns
        for v in frame.value[column]
        if isinstance(v, str) and money.match(v)
    ]
    amounts += [a for c in captions(at) for a in re.findall(r"₩?[\d,.]+(?:백만원|억원|원|M|B)", c)]
    assert len(amounts) > 10
    assert {money.match(a).group(2) for a in amounts} == {{"ko": "백만원", "en": "M"}[lang]}
    assert not [a for a in amounts if re.search(r"\.0(백만원|M)$", a)]


def test_support_log_budget_table_shows_executed_apart(open_as: OpenAs, app_db: Engine) -> None:
    at = open_as("manager", "pages/2_Support_log.py")
    assert not at.exception
    sums = programme_sums(app_db)
    table = frame_with(list(at.dataframe), "약정액").set_index("지원사업")
    for name, s in sums.items():
        row = table.loc[name]
        assert [row["예산"], row["집행액"], row["약정액"], row["계획액"]] == [
            krw(s[k], "ko") for k in ("budget", "executed", "committed", "planned")
        ]
        assert row["집행률"] == round(100 * s["executed"] / s["budget"], 1)
    assert (
        "예산 초과 경고는 집행액 + 약정액 + 계획액(+ 새로 기록하는 금액)이 예산을 넘을 때 나옵니다."
        in captions(at)
    )


def test_new_entry_warns_on_executed_committed_and_planned(open_as: OpenAs, app_db: Engine) -> None:
    """An amount that fits beside what is executed but not beside what is also promised warns."""
    with app_db.connect() as c:
        pid, name, budget = c.execute(
            text("SELECT id, name, budget_krw FROM programme WHERE kind = 'mentoring'")
        ).one()
    s = programme_sums(app_db)[name]
    allocated = s["executed"] + s["committed"] + s["planned"]
    assert s["committed"] + s["planned"] > 0
    amount = budget - allocated + 1_000_000
    assert s["executed"] + amount <= budget  # executed alone would not warn
    at = open_as("officer", "pages/2_Support_log.py")
    expand(at, "sl_entry_open").selectbox(key="sl_new_programme").set_value(pid).run()
    at.selectbox(key="sl_new_company").set_value(9)
    at.date_input(key="sl_new_start").set_value(date(2022, 12, 1))
    at.text_input(key="sl_new_amount").input(f"{amount:,}")
    at.text_input(key="sl_new_mentor").input("멘토 A")
    at.text_input(key="sl_new_topic").input("IR")
    at.number_input(key="sl_new_hours").set_value(2.0)
    before = snapshot(app_db)
    submit(at, "지원 기록")
    assert (
        f"이 금액을 저장하면 '{name}'의 집행액·약정액·계획액 합계가 {krw(allocated + amount, 'ko')}"
        f"으로 예산 {krw(budget, 'ko')}을 넘습니다."
    ) in [w.value for w in at.warning]
    assert snapshot(app_db) == before


@pytest.mark.parametrize(("report_lang", "sheet"), [("ko", "보고서 정보"), ("en", "About")])
def test_reports_page_names_the_about_sheet(
    open_as: OpenAs, app_db: Engine, report_lang: str, sheet: str
) -> None:
    with Session(app_db) as s:
        manager = actor_by_username(s, "manager")
        quarters.close_quarter(s, manager, 2022, 3)
        activity = s.exec(
            select(Activity)
            .where(col(Activity.start_on).between(date(2022, 7, 1), date(2022, 9, 30)))
            .where(Activity.status == "completed")
            .order_by(col(Activity.id))
        ).first()
        assert activity is not None and activity.id is not None
        quarters.restate_activity(
            s,
            manager,
            activity.id,
            version=activity.version,
            changes={"amount_krw": activity.amount_krw + 1_000},
            reason="영수증 재확인",
        )
    at = open_as("manager", "pages/3_Reports.py")
    at.selectbox(key="rp_quarter").set_value(3).run()
    at.selectbox(key="rp_lang").set_value(report_lang).run()
    assert not at.exception
    assert f"마감 후 정정 1건이 있습니다 (보고서의 '{sheet}' 시트에 목록)." in [
        w.value for w in at.warning
    ]
