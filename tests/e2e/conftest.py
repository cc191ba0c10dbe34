"""Browser fixtures: one app server with its own demo database per test file (a file's tests may
change data another file counts on), chromium via Playwright, one browser per run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    AppServer,
    chromium_missing,
    prepare_database,
    screenshot,
)
from tests.support import IN_CI


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = chromium_missing()
    if reason:
        if IN_CI:
            pytest.fail(reason + " and CI=true requires it", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("e2e") / "crm.sqlite3"
    return path, prepare_database(path)


@pytest.fixture(scope="module")
def server(demo_db: tuple[Path, dict[str, str]]) -> Iterator[AppServer]:
    app = AppServer(demo_db[0]).start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def passwords(demo_db: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return demo_db[1]


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser)
    pg = context.new_page()
    yield pg
    screenshot(pg, f"last-{request.node.name}")
    context.close()
