"""Audit history, the home feed and the quarter-close notice as people read them: office-zone
times (stored UTC 01:39 reads 10:39 in Seoul), names instead of ids, formatted money, and no
account events for officers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from crm.models import Activity, QuarterClose
from crm.services import activities, quarters, users
from crm.services.actor import actor_by_username
from tests.app.conftest import OpenAs
from tests.app.helpers import scalar

COMPANY = 40
STORED_AT = datetime(2022, 11, 1, 1, 39, tzinfo=UTC)


def _raise_amount(engine: Engine) -> tuple[str, int, int]:
    """An officer changes an activity of company 40 to 8,500,000 won; its audit row is dated
    2022-11-01 01:39 UTC. Returns the company's name, the audit row's id and the old amount."""
    with Session(engine) as s:
        officer = actor_by_username(s, "officer")
        activity = s.exec(
            select(Activity).where(Activity.company_id == COMPANY).order_by(Activity.id)
        ).first()
        assert activity is not None and activity.id is not None
        before = activity.amount_krw
        assert before != 8_500_000
        activities.update_activity(
            s, officer, activity.id, version=activity.version, changes={"amount_krw": 8_500_000}
        )
    audit_id = scalar(engine, "SELECT MAX(id) FROM audit_entry")
    with engine.begin() as c:
        c.execute(
            text("UPDATE audit_entry SET at = :at WHERE id = :i"), {"at": STORED_AT, "i": audit_id}
        )
    name = scalar(engine, "SELECT name_ko FROM company WHERE id = :i", i=COMPANY)
    return name, audit_id, before


def _history_frame(at: object, when: str = "일시", note: str = "비고") -> pd.DataFrame:
    """The history table (when, who, what, note) among the page's tables."""
    frames = [
        d.value
        for d in at.dataframe  # type: ignore[attr-defined]
        if {when, note} <= set(d.value.columns)
    ]
    assert frames, "no history table"
    return frames[0]


def _cells(frame: pd.DataFrame) -> str:
    return "\n".join(" | ".join(str(v) for v in row) for row in frame.itertuples(index=False))


def test_company_audit_tab_reads_in_words_and_office_time(open_as: OpenAs, app_db: Engine) -> None:
    name, _, before = _raise_amount(app_db)
    at = open_as("officer", "pages/1_Companies.py")
    at.query_params["company"] = str(COMPANY)
    at.query_params["tab"] = "audit"  # only the open tab is drawn
    at.run()
    assert not at.exception
    audit = _history_frame(at)
    first = audit.iloc[0]
    assert first["일시"] == "2022.11.01 10:39"
    assert first["작성자"] == "김하늘 담당 (데모)"
    assert first["내용"].startswith(f"{name} · ")
    assert first["내용"].endswith(f"금액 {before:,}원 → 8,500,000원")
    shown = _cells(audit)
    assert name in shown and "8,500,000원" in shown
    for raw in ("amount_krw", "demo load", "seed=", "@20", "#"):
        assert raw not in shown, raw
    assert "데모 데이터 적재 (가상)" in set(audit["비고"])


def test_home_feed_in_english(open_as: OpenAs, app_db: Engine) -> None:
    name, _, before = _raise_amount(app_db)
    feed = _history_frame(open_as("officer", lang="en"), "When", "Note")
    assert feed.iloc[0]["When"] == "2022-11-01 10:39"
    assert feed.iloc[0]["What"].startswith(f"{name} · ")
    assert feed.iloc[0]["What"].endswith(f"Amount ₩{before:,} → ₩8,500,000")


def test_home_feed_in_words_without_account_events_for_officers(
    open_as: OpenAs, app_db: Engine
) -> None:
    name, _, _ = _raise_amount(app_db)
    with Session(app_db) as s:
        admin = actor_by_username(s, "admin")
        users.set_password(s, admin, "officer2", "a-fresh-passw0rd!")
    officer_feed = _history_frame(open_as("officer"))
    assert officer_feed.iloc[0]["일시"] == "2022.11.01 10:39"
    assert officer_feed.iloc[0]["내용"].startswith(f"{name} · ")
    assert "8,500,000원" in officer_feed.iloc[0]["내용"]
    shown = _cells(officer_feed)
    assert "비밀번호" not in shown and "계정" not in shown
    for raw in ("amount_krw", "#", "@20", "None"):
        assert raw not in shown, raw

    admin_feed = _history_frame(open_as("admin"))
    assert admin_feed.iloc[0]["내용"] == "계정 이서준 담당 (데모) 비밀번호 변경"


def test_close_notice_in_office_time(open_as: OpenAs, app_db: Engine) -> None:
    with Session(app_db) as s:
        manager = actor_by_username(s, "manager")
        quarters.close_quarter(s, manager, 2022, 3, today=date(2023, 1, 5))
    with Session(app_db) as s:
        closed = s.exec(select(QuarterClose)).one()
        closed.closed_at = STORED_AT
        s.add(closed)
        s.commit()
    at = open_as("manager", "pages/3_Reports.py")
    at.selectbox(key="rp_quarter").set_value(3).run()
    notices = [i.value for i in at.info if "마감했습니다" in i.value]
    assert notices and "2022.11.01 10:39 KST" in notices[0], notices


def test_changes_by_the_system_account_name_it_in_the_readers_language(
    open_as: OpenAs, app_db: Engine
) -> None:
    """The demo load is recorded under the CLI's account, stored as "System (CLI)": the Korean
    history says 시스템, not English."""
    at = open_as("officer", "pages/1_Companies.py")
    at.query_params["company"] = str(COMPANY)
    at.query_params["tab"] = "audit"  # only the open tab is drawn
    at.run()
    who = set(_history_frame(at)["작성자"])
    assert "시스템 (명령줄)" in who
    assert "System (CLI)" not in who
    feed = _history_frame(open_as("officer", lang="en"), "When", "Note")
    assert "System (command line)" in set(feed["By"])
