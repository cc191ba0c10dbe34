"""AppTest fixtures: a demo database per test (copied from one prepared per run) and helpers
that open a page as a signed-in role."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from crm.config import PROJECT_ROOT
from crm.db import make_engine
from crm.services.actor import actor_by_username
from tests.e2e.harness import prepare_database

HOME = str(PROJECT_ROOT / "Home.py")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("apptest") / "template.sqlite3"
    return path, prepare_database(path)


@pytest.fixture
def app_db(
    demo_template: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    # Cached reads are keyed by the data version (the latest audit id), which repeats across the
    # tests' private copies of one template: start every test with no cached reads.
    st.cache_data.clear()
    path = tmp_path / "crm.sqlite3"
    shutil.copy(demo_template[0], path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_passwords(demo_template: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return demo_template[1]


OpenAs = Callable[..., AppTest]


@pytest.fixture
def open_as(app_db: Engine) -> OpenAs:
    """Open `page` (relative path; None for Home) signed in as `username`, in `lang`."""

    def _open(username: str, page: str | None = None, lang: str = "ko") -> AppTest:
        with Session(app_db) as s:
            actor = actor_by_username(s, username)
        at = AppTest.from_file(HOME, default_timeout=60)
        at.session_state["crm_actor"] = actor
        at.session_state["crm_lang"] = lang
        at.session_state["crm_last_seen"] = datetime.now(UTC)
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return _open
