"""Tables of crm.portal (registered on SQLModel.metadata by crm.models): data requests, the
companies each asks (their answer and its review), portal links (hashes only), evidence files,
claimed patent numbers, reminder sendings and the per-client throttle of token attempts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from crm.models import Versioned, utcnow


class AskStatus(StrEnum):
    """Where one company's answer to a request is (overdue is derived from the due date)."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"


class DataRequest(SQLModel, table=True):
    """A manager's request for one reporting period's figures (and their evidence)."""

    __tablename__ = "data_request"
    __table_args__ = (sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_request_quarter"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    quarter: int
    due_on: date
    fields: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    evidence: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    note: str | None = Field(default=None, max_length=1000)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class DataRequestCompany(Versioned, table=True):
    """One company asked by one request: its draft or submitted figures and their review."""

    __tablename__ = "data_request_company"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "company_id", name="uq_request_company"),
        sa.CheckConstraint(
            "status IN ('not_started', 'draft', 'submitted', 'changes_requested', 'accepted')",
            name="ck_request_company_status",
        ),
        sa.Index("ix_request_company_status", "request_id", "status", "company_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="data_request.id")
    company_id: int = Field(foreign_key="company.id", index=True)
    status: str = Field(default=AskStatus.NOT_STARTED.value, max_length=20)
    figures: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    declared_name: str | None = Field(default=None, max_length=100)
    declared_on: date | None = None
    submitted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    review_comment: str | None = Field(default=None, max_length=2000)
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    outcome_report_id: int | None = Field(default=None, foreign_key="outcome_report.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class PortalLink(SQLModel, table=True):
    """A company's personal link to one request: only the token's SHA-256 hash is kept."""

    __tablename__ = "portal_link"

    id: int | None = Field(default=None, primary_key=True)
    ask_id: int = Field(foreign_key="data_request_company.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Evidence(SQLModel, table=True):
    """An uploaded evidence file, kept in the database; its name is a label, never a path."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    ask_id: int = Field(foreign_key="data_request_company.id", index=True)
    figure: str = Field(max_length=32)
    filename: str = Field(max_length=255)
    kind: str = Field(max_length=8)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class PatentClaim(SQLModel, table=True):
    """A patent number a company lists in its answer (to flag a number two companies claim)."""

    __tablename__ = "patent_claim"
    __table_args__ = (sa.UniqueConstraint("ask_id", "number", name="uq_patent_claim"),)

    id: int | None = Field(default=None, primary_key=True)
    ask_id: int = Field(foreign_key="data_request_company.id", index=True)
    company_id: int = Field(foreign_key="company.id")
    number: str = Field(max_length=40, index=True)


class ReminderSending(SQLModel, table=True):
    """One sending of reminders (or of links for a mail merge): who, when, to which companies."""

    __tablename__ = "reminder_sending"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="data_request.id", index=True)
    actor_id: int = Field(foreign_key="app_user.id")
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    channel: str = Field(max_length=16)
    company_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    failed_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)


class PortalThrottle(SQLModel, table=True):
    """Failed token attempts per client (its address), and until when it is refused."""

    __tablename__ = "portal_throttle"

    client: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)
    window_start: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Provenance(StrEnum):
    OFFICER = "officer"
    COMPANY = "company"
    IMPORT = "import"


class OutcomeProvenance(SQLModel, table=True):
    """Where an outcome report's figures came from, when a data request wrote them: submitted by
    the company and accepted by an officer, or entered by an officer on its behalf. Reports
    without a row were typed in by an officer or imported (their audit entry says which)."""

    __tablename__ = "outcome_provenance"

    outcome_report_id: int = Field(
        foreign_key="outcome_report.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    source: str = Field(max_length=16)
    ask_id: int = Field(foreign_key="data_request_company.id", index=True)
    accepted_by_id: int = Field(foreign_key="app_user.id")
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class DataRequestTally(SQLModel, table=True):
    """How many of a request's companies are at each status, kept in step with every status
    change (same transaction), so the review queue's counts cost the same at any size."""

    __tablename__ = "data_request_tally"

    request_id: int = Field(foreign_key="data_request.id", primary_key=True)
    status: str = Field(max_length=20, primary_key=True)
    companies: int = Field(default=0)
