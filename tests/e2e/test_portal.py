"""Issue 14 end to end in the browser: a manager opens a 2022 Q4 data request for three
companies and e-mails reminders (a real SMTP server on localhost receives three messages with
links); one company opens its link on a 390 px phone, fills its figures, uploads a PDF, signs and
submits; the officer requests a change; the company fixes it; the officer accepts; the quarterly
workbook shows the accepted figures with their provenance and the Summary's request counts."""

from __future__ import annotations

import email
import re
import sqlite3
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page

from tests.e2e.harness import (
    AppServer,
    expect_text,
    fill,
    free_port,
    go,
    pick,
    press,
    screenshot,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[int, Inbox]]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


@pytest.fixture(scope="module")
def server(demo_db: tuple[Path, dict[str, str]], inbox: tuple[int, Inbox]) -> Iterator[AppServer]:
    app = AppServer(demo_db[0])
    app.start(
        {
            "CRM_SMTP_URL": f"smtp://127.0.0.1:{inbox[0]}",
            "CRM_PORTAL_BASE_URL": f"http://127.0.0.1:{app.port}",
        }
    )
    yield app
    app.stop()


def _three_companies(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as c:
        rows = c.execute(
            "SELECT id, name_ko FROM company WHERE archived = 0 AND email IS NOT NULL "
            "AND cohort_year = 2022 ORDER BY name_ko LIMIT 3"
        ).fetchall()
    return [(int(i), str(n)) for i, n in rows]


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _company_submits(page: Page, link: str, employees: str, *, upload: Path | None) -> None:
    page.goto(link)
    wait_idle(page)
    for label, value in (
        ("고용 인원", employees),
        ("신규 고용", "2"),
        ("매출 (원)", "1.5억"),  # read as offices write amounts
        ("특허 출원", "0"),
        ("특허 등록", "0"),
        ("투자 유치 (원)", "0"),
        ("수출 (원)", "0"),
    ):
        fill(page, label, value)
    if upload is not None:
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
        page.wait_for_timeout(500)
        press(page, "파일 올리기")
        expect_text(page, "증빙 파일을 저장했습니다.")
    if upload is not None:
        screenshot(page, "portal-phone-form")
    box = page.get_by_role("checkbox", name="위 수치가 사실과 다름없음을 확인합니다.")
    if not box.is_checked():
        page.get_by_text("위 수치가 사실과 다름없음을 확인합니다.").click()
    fill(page, "확인자 성명", "김대표")
    press(page, "제출")
    expect_text(page, "제출한 자료를 담당자가 검토 중입니다.")


def test_a_request_from_opening_to_the_quarterly_workbook(
    browser: Browser,
    page: Page,
    server: AppServer,
    passwords: dict[str, str],
    demo_db: tuple[Path, dict[str, str]],
    inbox: tuple[int, Inbox],
    tmp_path: Path,
) -> None:
    companies = _three_companies(demo_db[0])
    assert len(companies) == 3
    # The manager opens the request and e-mails the three companies.
    sign_in(page, server, "manager", passwords["manager"])
    go(page, "자료 요청")
    page.locator("[data-testid='stExpander'] summary", has_text="새 자료 요청").click()
    fill(page, "연도", "2022")
    pick(page, "분기", "4")
    for _, name in companies:
        box = page.get_by_role("combobox", name="기업 직접 고르기")
        box.click()
        box.fill(name)
        page.get_by_role("option", name=name, exact=True).first.wait_for()
        box.press("Enter")
        page.keyboard.press("Escape")
    press(page, "요청 열기")
    expect_text(page, "자료 요청을 열었습니다.")
    press(page, "제출하지 않은 기업에 이메일 보내기")
    expect_text(page, "보냄 3곳")
    assert len(inbox[1].messages) == 3
    target_id, target_name = companies[0]
    with sqlite3.connect(demo_db[0]) as c:
        target_email = c.execute("SELECT email FROM company WHERE id = ?", (target_id,)).fetchone()[
            0
        ]
    message = next(m for m in inbox[1].messages if m["To"] == target_email)
    found = re.search(r"(http\S+/Portal\?t=\S+)", _body(message))
    assert found is not None
    link = found.group(1)

    # The company, on a phone, without an account.
    phone = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    company_page = phone.new_page()
    evidence = tmp_path / "4대보험_명부.pdf"
    evidence.write_bytes(PDF)
    _company_submits(company_page, link, "12", upload=evidence)
    assert company_page.locator("[data-testid='stSidebar']").count() == 0
    screenshot(company_page, "portal-phone-submitted")

    # The officer asks for a change.
    officer_ctx = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 1000})
    officer = officer_ctx.new_page()
    sign_in(officer, server, "officer", passwords["officer"])
    go(officer, "자료 요청")
    expect_text(officer, target_name)
    officer.get_by_label("수정 요청 내용 (기업이 링크에서 봅니다)").fill(
        "고용 인원을 다시 확인해 주세요"
    )
    press(officer, "수정 요청")
    expect_text(officer, "수정을 요청했습니다.")

    # The company sees the comment on its link and fixes the figure.
    company_page.goto(link)
    wait_idle(company_page)
    expect_text(company_page, "고용 인원을 다시 확인해 주세요")
    _company_submits(company_page, link, "11", upload=None)

    # The officer accepts.
    go(officer, "자료 요청")
    press(officer, "승인 (성과 보고에 반영)")
    expect_text(officer, "승인했습니다.")
    screenshot(officer, "portal-officer-accepted")

    # The quarterly workbook.
    go(page, "분기 보고서")
    pick(page, "분기", "Q4")
    page.get_by_role("button", name="보고서 만들기").click()
    wait_idle(page, timeout=120_000)
    # The workbook just built (the saved list below may hold an earlier 2022 Q4 report, made by
    # another test before the acceptance, under the same button text).
    expect_text(page, "보고서를 만들었습니다: report-2022-Q4-")
    with page.expect_download() as download:
        page.locator(".st-key-rp_download_last button").click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path, data_only=True)
    outcomes = list(book["성과"].iter_rows(values_only=True))
    row = next(r for r in outcomes[1:] if r[0] == target_id)
    assert row[2] == 11 and row[3] == 2 and row[4] == 150_000_000
    assert str(row[-2]).startswith("기업 제출·승인 (승인: ") and row[-1] == 1
    summary = {r[0]: r[1] for r in book["요약"].iter_rows(values_only=True) if r and r[0]}
    assert (
        summary["요청"],
        summary["제출 (검토 중·승인)"],
        summary["승인"],
        summary["미제출"],
    ) == (
        3,
        1,
        1,
        2,
    )
    # The token never reaches the server's log.
    assert server.log_path is not None
    assert link.split("t=")[1] not in server.log_path.read_text()
    phone.close()
    officer_ctx.close()
