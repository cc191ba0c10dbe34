"""The browser-test harness: a real `streamlit run` on a free port with its own database, and
Debian's chromium driven by Playwright. Later pages reuse all of it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session

from crm import demo, web
from crm.config import PROJECT_ROOT
from crm.db import make_engine
from crm.migrate import upgrade
from crm.services import users
from crm.services.actor import system_actor

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_database(path: Path) -> dict[str, str]:
    """Migrate, load the demo cohort and give each demo account a known random password."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    passwords: dict[str, str] = {}
    with Session(engine, expire_on_commit=False) as s:
        actor = system_actor(s)
        demo.load(s, actor)
        for username in (*demo.DEMO_ACCOUNTS, "officer2"):
            passwords[username] = users.generate_password()
            users.set_password(s, actor, username, passwords[username])
    engine.dispose()
    return passwords


@dataclass
class AppServer:
    db_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def start(self, extra_env: dict[str, str] | None = None) -> AppServer:
        env = {
            **os.environ,
            "CRM_DATABASE_URL": self.database_url,
            "CRM_EXPORTS_DIR": str(self.db_path.parent / "exports"),  # never the project's own
            **(extra_env or {}),
        }
        self.log_path = self.db_path.with_suffix(".log")
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "Home.py",
                "--server.headless=true",
                f"--server.port={self.port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
                "--server.fileWatcherType=none",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return "Debian chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
    return None


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def open_app(page: Page, server: AppServer, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    wait_idle(page)


def sign_in(page: Page, server: AppServer, username: str, password: str) -> None:
    """Sign in on the home page and start in Korean (the language is remembered per user, so an
    earlier test's switch to English must not leak into this one)."""
    open_app(page, server)
    fill_sign_in(page, username, password)
    # The signed-in sidebar (with the language switch) can draw a moment after the run that
    # signed in has finished; look once it is there (or the sign-in was refused).
    korean = page.locator("[data-testid='stSidebar']").get_by_role("radio", name="한국어")
    refused = page.locator("[data-testid='stAlert']")
    korean.or_(refused).first.wait_for(state="attached", timeout=30_000)
    if korean.count():
        # The browser fetches its session cookie right after the sign-in run; a test that opens
        # an address next (page.goto) must not cancel that request.
        deadline = time.monotonic() + 15
        while not any(c["name"] == web.COOKIE for c in page.context.cookies()):
            assert time.monotonic() < deadline, "no session cookie after signing in"
            page.wait_for_timeout(50)
    if korean.count() and not korean.is_checked():
        page.locator("[data-testid='stSidebar']").get_by_text("한국어").click()
        wait_idle(page)
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[data-testid='stSidebar'] input[type=radio]\")]"
            ".some(r => r.checked && r.closest('label')?.innerText.includes('한국어'))",
            timeout=30_000,
        )


def fill_sign_in(page: Page, username: str, password: str) -> None:
    form = page.locator("[data-testid='stForm']")
    form.locator("input[type='text']").fill(username)
    form.locator("input[type='password']").fill(password)
    form.locator("[data-testid='stBaseButton-primaryFormSubmit']").click()
    wait_idle(page)


def sidebar_links(page: Page) -> list[str]:
    links = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a")
    # The material icon renders as its ligature name on a line of its own; the label is last.
    return [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]


def go(page: Page, label: str) -> None:
    """Navigate inside the session by clicking a sidebar link (keeps the sign-in)."""
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a", has_text=label).click()
    wait_idle(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox found by its label."""
    box = page.locator("[data-testid='stSelectbox']", has_text=label)
    box.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def screenshot(page: Page, name: str) -> Path:
    """Full-page PNG under test-artifacts/, after tables and charts have drawn."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1000)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def expect_text(page: Page, text: str) -> None:
    """Some visible element shows `text` (a canvas table keeps a hidden copy of its cells in the
    page, which may come first)."""
    shown = page.get_by_text(text, exact=False).locator("visible=true").first
    expect(shown).to_be_visible(timeout=15_000)


def visible(locator: Locator) -> Locator:
    """Tabs keep hidden panels in the DOM: only the visible match counts."""
    return locator.locator("visible=true").first


def fill(page: Page, label: str, value: str) -> None:
    field = visible(page.get_by_label(label, exact=True))
    field.fill(value)
    field.press("Tab")


def fill_date(page: Page, label: str, value: str) -> None:
    """Type a date (YYYY/MM/DD) into a Streamlit date field, segment by segment."""
    field = visible(page.get_by_label(label, exact=True))
    field.locator("[role='spinbutton']").first.click()
    page.keyboard.type(value.replace("/", ""))
    page.keyboard.press("Tab")


def pick(page: Page, label: str, option: str, attempts: int = 3) -> None:
    """Choose an option of a selectbox by its label: type to narrow the list, then Enter on the
    highlighted match (a click can land while the dropdown re-renders; then try again)."""
    for attempt in range(attempts):
        try:
            box = visible(page.get_by_role("combobox", name=label, exact=True))
            box.click()
            box.fill(option)
            page.get_by_role("option", name=option, exact=False).first.wait_for(timeout=10_000)
            box.press("Enter")
            wait_idle(page)
            return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            wait_idle(page)


def press(page: Page, label: str, nth: int = 0) -> None:
    """Click a visible button by its label (a Material icon's ligature may precede it)."""
    name = re.compile(rf"^(?:\w+ )?{re.escape(label)}$")
    page.get_by_role("button", name=name).locator("visible=true").nth(nth).click()
    wait_idle(page)


def open_tab(page: Page, label: str) -> None:
    """Open a tab of the company page: only the open tab is drawn, so its switch is a run."""
    page.get_by_role("tab", name=label).click()
    wait_idle(page)


def expand(page: Page, label: str) -> None:
    """Open a collapsed st.expander by its label (no-op if it is open); a lazy one
    (`on_change="rerun"`) draws its content in the run the click starts."""
    details = visible(page.locator("[data-testid='stExpander'] details", has_text=label))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
        wait_idle(page)
