"""Reminders: each sends a fresh personal link (the previous one is revoked; tokens are kept
only as hashes, so a link cannot be sent twice). By e-mail where SMTP is configured, Korean
first and English below; otherwise the links for copying and a mail-merge workbook. Never to a
company that has submitted; each sending logged (who, when, which companies)."""

from __future__ import annotations

import io
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import xlsxwriter
from sqlmodel import Session, col, select

from crm.config import get_settings
from crm.errors import ValidationError
from crm.i18n import t
from crm.models import AuditAction, Company
from crm.portal.links import issue_links as issue_links_for
from crm.portal.models import DataRequest, DataRequestCompany, ReminderSending
from crm.portal.requests import OPEN_STATUSES, RequestInfo, get_request
from crm.services import audit
from crm.services.actor import Actor
from crm.services.permissions import Permission, begin_authorised_write

PORTAL_PAGE = "Portal"


@dataclass(frozen=True)
class Recipient:
    company_id: int
    name_ko: str
    name_en: str | None
    email: str | None
    link: str


@dataclass(frozen=True)
class SendResult:
    sent: tuple[int, ...]
    failed: tuple[int, ...]
    no_email: tuple[int, ...]


def portal_url(token: str) -> str:
    base = get_settings().portal_base_url.rstrip("/")
    return f"{base}/{PORTAL_PAGE}?t={token}"


def _open_asks(
    session: Session, request_id: int, company_ids: Iterable[int] | None
) -> list[tuple[DataRequestCompany, Company]]:
    query = (
        select(DataRequestCompany, Company)
        .join(Company, col(Company.id) == DataRequestCompany.company_id)
        .where(
            DataRequestCompany.request_id == request_id,
            col(DataRequestCompany.status).in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(col(Company.name_ko), col(Company.id))
    )
    if company_ids is not None:
        query = query.where(col(DataRequestCompany.company_id).in_(list(company_ids)))
    return list(session.exec(query).all())


def _log(
    session: Session,
    actor: Actor,
    request_id: int,
    channel: str,
    company_ids: list[int],
    failed: list[int],
) -> None:
    row = ReminderSending(
        request_id=request_id,
        actor_id=actor.id,
        channel=channel,
        company_ids=company_ids,
        failed_ids=failed,
    )
    session.add(row)
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        "data_request",
        request_id,
        field="reminders",
        new={"channel": channel, "companies": company_ids, "failed": failed},
    )


def issue_links(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    company_ids: Iterable[int] | None = None,
    channel: str = "links",
) -> list[Recipient]:
    """Fresh links for the companies that have not submitted (all, or those named); the old
    links stop working. Logged as a sending on `channel` ('links' for copying / mail merge)."""
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    request = session.get(DataRequest, request_id)
    if request is None:
        session.rollback()
        raise ValidationError([])
    asks = _open_asks(session, request_id, company_ids)
    tokens = issue_links_for(session, [int(ask.id or 0) for ask, _ in asks], request.due_on)
    out = [
        Recipient(
            int(company.id or 0),
            company.name_ko,
            company.name_en,
            company.email,
            portal_url(tokens[int(ask.id or 0)]),
        )
        for ask, company in asks
    ]
    if channel != "smtp":
        _log(session, actor, request_id, channel, [r.company_id for r in out], [])
    session.commit()
    return out


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://user:password@host:587 (STARTTLS when offered) or smtps://host:465 (TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("CRM_SMTP_URL must look like smtp://user:password@host:587")
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def message_for(request: RequestInfo, recipient: Recipient, sender: str) -> EmailMessage:
    """One reminder: Korean first, the same in English below."""
    values = {
        "year": request.year,
        "quarter": request.quarter,
        "due": request.due_on.isoformat(),
        "link": recipient.link,
    }
    body = "\n\n".join(
        t(
            "portal.mail.body",
            lang,
            company=(recipient.name_en or recipient.name_ko) if lang == "en" else recipient.name_ko,
            **values,
        )
        for lang in ("ko", "en")
    )
    message = EmailMessage()
    message["Subject"] = f"{t('portal.mail.subject', 'ko', **values)} / " + t(
        "portal.mail.subject", "en", **values
    )
    message["From"] = sender
    assert recipient.email is not None
    message["To"] = recipient.email
    message.set_content(body)
    return message


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    if target.tls:
        return smtplib.SMTP_SSL(target.host, target.port, timeout=30)
    client = smtplib.SMTP(target.host, target.port, timeout=30)
    client.ehlo()
    if client.has_extn("starttls"):
        client.starttls()
        client.ehlo()
    return client


def send_reminders(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    company_ids: Iterable[int] | None = None,
    smtp_url: str | None = None,
) -> SendResult:
    """E-mail fresh links to the companies that have not submitted. Raises ValueError when no
    SMTP server is configured (offer the links and the mail merge instead)."""
    settings = get_settings()
    url = smtp_url or settings.smtp_url
    if not url:
        raise ValueError("no SMTP server configured (CRM_SMTP_URL)")
    target = parse_smtp_url(url)
    recipients = issue_links(session, actor, request_id, company_ids=company_ids, channel="smtp")
    request = get_request(session, request_id)
    sent: list[int] = []
    failed: list[int] = []
    no_email = [r.company_id for r in recipients if not r.email]
    with_email = [r for r in recipients if r.email]
    if with_email:
        try:
            client = _connect(target)
            try:
                if target.username:
                    client.login(target.username, target.password or "")
                for recipient in with_email:
                    try:
                        client.send_message(message_for(request, recipient, settings.smtp_from))
                        sent.append(recipient.company_id)
                    except smtplib.SMTPException:
                        failed.append(recipient.company_id)
            finally:
                client.quit()
        except (OSError, smtplib.SMTPException):
            failed = [r.company_id for r in with_email if r.company_id not in sent]
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    _log(session, actor, request_id, "smtp", sent, failed + no_email)
    session.commit()
    return SendResult(tuple(sent), tuple(failed), tuple(no_email))


def mail_merge_workbook(request: RequestInfo, recipients: list[Recipient], lang: str) -> bytes:
    """company, e-mail, period, due date, link: one row per company, for a mail merge."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(t("portal.merge.sheet", lang))
    bold = book.add_format({"bold": True})
    headers = [
        t("portal.merge.company", lang),
        t("portal.merge.email", lang),
        t("portal.merge.period", lang),
        t("portal.merge.due", lang),
        t("portal.merge.link", lang),
    ]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    period = t("portal.period", lang, year=request.year, quarter=request.quarter)
    for row, r in enumerate(recipients, start=1):
        name = (r.name_en or r.name_ko) if lang == "en" else r.name_ko
        for column, value in enumerate(
            [name, r.email or "", period, request.due_on.isoformat(), r.link]
        ):
            sheet.write_string(row, column, value)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 3, 14)
    sheet.set_column(4, 4, 90)
    book.close()
    return buffer.getvalue()


def sendings(session: Session, request_id: int) -> list[ReminderSending]:
    return list(
        session.exec(
            select(ReminderSending)
            .where(ReminderSending.request_id == request_id)
            .order_by(col(ReminderSending.id).desc())
        ).all()
    )
