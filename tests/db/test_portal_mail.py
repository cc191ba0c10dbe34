"""Reminders through a real SMTP server on localhost (aiosmtpd): one message per company that
has not submitted, Korean and English, naming the company, the period, the due date and a link
that works; each sending logged. And the mail-merge workbook for offices without SMTP."""

from __future__ import annotations

import email
import io
import re
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from python_calamine import CalamineWorkbook
from sqlmodel import Session, select

from crm.models import AuditEntry, Company
from crm.portal import answers, reminders, requests
from crm.portal.links import resolve
from crm.services import companies as company_service
from crm.services.actor import Actor
from tests.conftest import new_company


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[str, _Inbox]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def _setup(session: Session, manager: Actor, officer: Actor) -> tuple[int, list[Company]]:
    companies = [
        company_service.create_company(
            session,
            officer,
            new_company(
                name_ko=f"메일기업{i}",
                name_en=f"Mail Co {i}",
                brn=None,
                email=f"ceo{i}@example.kr" if i < 3 else None,
            ),
        )
        for i in range(4)
    ]
    request_id = requests.open_request(
        session,
        manager,
        requests.NewRequest(
            year=2022,
            quarter=4,
            due_on=date.today() + timedelta(days=5),
            company_ids=tuple(c.id for c in companies),
        ),
    )
    return request_id, companies


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def test_reminders_reach_the_smtp_server_with_working_links(
    session: Session, manager: Actor, officer: Actor, smtp: tuple[str, _Inbox]
) -> None:
    url, inbox = smtp
    request_id, companies = _setup(session, manager, officer)
    result = reminders.send_reminders(session, manager, request_id, smtp_url=url)
    assert sorted(result.sent) == sorted(c.id for c in companies[:3])
    assert result.no_email == (companies[3].id,)
    assert sorted(m["To"] for m in inbox.messages) == [f"ceo{i}@example.kr" for i in range(3)]
    first = next(m for m in inbox.messages if m["To"] == "ceo0@example.kr")
    body = _body(first)
    due = (date.today() + timedelta(days=5)).isoformat()
    assert "메일기업0" in body and "Mail Co 0" in body
    assert "2022년 4분기" in body and "2022 Q4" in body and due in body
    link = re.search(r"http\S+/Portal\?t=(\S+)", body)
    assert link is not None
    assert resolve(session, link.group(1), "mail").company_id == companies[0].id
    sending = reminders.sendings(session, request_id)[0]
    assert (sending.channel, sending.actor_id) == ("smtp", manager.id)
    assert sorted(sending.company_ids) == sorted(result.sent)
    logged = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "data_request", AuditEntry.field == "reminders"
        )
    ).all()
    assert len(logged) == 1 and link.group(1) not in (logged[0].new_value or "")


def test_no_reminder_to_a_company_that_submitted(
    session: Session, manager: Actor, officer: Actor, smtp: tuple[str, _Inbox]
) -> None:
    url, inbox = smtp
    request_id, companies = _setup(session, manager, officer)
    token = reminders.issue_links(session, manager, request_id, company_ids=[companies[0].id])[0]
    answers.save(
        session,
        token.link.split("t=")[1],
        "c",
        figures={
            "employees": 3,
            "new_hires": 1,
            "revenue_krw": 0,
            "patents_filed": 0,
            "patents_registered": 0,
            "investment_krw": 0,
            "exports_krw": 0,
        },
        patents=[],
        declared_name="대표",
        declared_on=date(2023, 1, 5),
        submit=True,
    )
    reminders.send_reminders(session, manager, request_id, smtp_url=url)
    assert sorted(m["To"] for m in inbox.messages) == ["ceo1@example.kr", "ceo2@example.kr"]


def test_unreachable_server_marks_every_message_failed(
    session: Session, manager: Actor, officer: Actor
) -> None:
    request_id, companies = _setup(session, manager, officer)
    result = reminders.send_reminders(
        session, manager, request_id, smtp_url=f"smtp://127.0.0.1:{_free_port()}"
    )
    assert result.sent == () and sorted(result.failed) == sorted(c.id for c in companies[:3])
    assert reminders.sendings(session, request_id)[0].company_ids == []


def test_mail_merge_workbook_lists_each_company_and_its_link(
    session: Session, manager: Actor, officer: Actor
) -> None:
    request_id, companies = _setup(session, manager, officer)
    fresh = reminders.issue_links(session, manager, request_id)
    data = reminders.mail_merge_workbook(requests.get_request(session, request_id), fresh, "ko")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["기업", "이메일", "보고 분기", "제출 기한", "제출 링크"]
    assert len(rows) == 5
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["메일기업1"][1] == "ceo1@example.kr"
    assert by_name["메일기업1"][2] == "2022년 4분기"
    token = str(by_name["메일기업1"][4]).split("t=")[1]
    assert resolve(session, token, "m").company_id == companies[1].id
