"""SQLModel tables and the enums stored in them (as plain text, checked in Python and SQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Stage(StrEnum):
    PRE_STARTUP = "pre_startup"
    STARTUP = "startup"
    GROWTH = "growth"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


class Industry(StrEnum):
    AUTOMOTIVE = "automotive"
    HEALTHCARE = "healthcare"
    ENERGY = "energy"
    OTHER = "other"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    OFFICER = "officer"
    ANALYST = "analyst"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    RESTORE = "restore"
    STAGE_CHANGE = "stage_change"
    CANCEL = "cancel"
    PASSWORD = "password"
    EXPORT = "export"
    CLOSE = "close"
    RESTATE = "restate"
    DELETE = "delete"


# The four kinds every programme year has; more kinds are rows in support_kind, not code.
BUILTIN_KINDS = ("mentoring", "prototyping", "investment", "overseas")
AI_FIELDS = ("vision", "language", "data", "robotics", "speech", "recommendation", "other")
GWANGJU_DISTRICTS = ("동구", "서구", "남구", "북구", "광산구")


def _check_in(column: str, values: Any) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{column}_allowed")


class Versioned(SQLModel):
    """Optimistic locking: SQLAlchemy adds `WHERE version = :seen` to every UPDATE."""

    version: int = Field(default=1, nullable=False)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class User(Versioned, table=True):
    __tablename__ = "app_user"
    __table_args__ = (_check_in("role", [r.value for r in Role]),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    active: bool = Field(default=True)
    is_system: bool = Field(default=False)
    password_hash: str | None = Field(default=None, max_length=255)
    language: str = Field(default="ko", max_length=2)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Company(Versioned, table=True):
    __table_args__ = (
        _check_in("industry", [i.value for i in Industry]),
        sa.Index("ix_company_name_ko", "name_ko"),
        {"sqlite_autoincrement": True},  # never reuse an id (undo deletes rows)
    )

    id: int | None = Field(default=None, primary_key=True)
    name_ko: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    brn: str | None = Field(default=None, max_length=12, unique=True)
    representative: str | None = Field(default=None, max_length=100)
    founded_on: date | None = None
    industry: str = Field(max_length=16)
    ai_field: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    officer_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    cohort_year: int = Field(index=True)
    notes: str | None = Field(default=None, sa_type=sa.Text)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class StageEntry(SQLModel, table=True):
    """One dated move; a company's current stage is its latest entry (by date, then id)."""

    __tablename__ = "stage_entry"
    __table_args__ = (
        _check_in("stage", [s.value for s in Stage]),
        sa.Index("ix_stage_entry_company_date", "company_id", "entered_on", "id"),
        {"sqlite_autoincrement": True},  # never reuse an id (undo deletes rows)
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id")
    stage: str = Field(max_length=16)
    entered_on: date
    reason: str | None = Field(default=None, max_length=500)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class SupportKind(Versioned, table=True):
    """A kind of support and the fields its activities carry (a JSON field spec)."""

    __tablename__ = "support_kind"

    code: str = Field(primary_key=True, max_length=32)
    name_ko: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    fields: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    sort_order: int = Field(default=100)


class Cohort(Versioned, table=True):
    """A programme year and its headline target (e.g. 2022: 99 companies)."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=200)
    target_companies: int = Field(default=0)


class Programme(Versioned, table=True):
    __table_args__ = (
        sa.UniqueConstraint("name", "year", name="uq_programme_name_year"),
        sa.CheckConstraint("budget_krw >= 0", name="ck_programme_budget"),
        sa.CheckConstraint("target_companies >= 0", name="ck_programme_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    year: int = Field(index=True)
    kind: str = Field(foreign_key="support_kind.code", max_length=32)
    budget_krw: int = Field(default=0, sa_type=sa.BigInteger)
    target_companies: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Activity(Versioned, table=True):
    """One support activity; its kind is its programme's kind, its kind fields live in details."""

    __table_args__ = (
        _check_in("status", [s.value for s in ActivityStatus]),
        sa.CheckConstraint("amount_krw >= 0", name="ck_activity_amount"),
        sa.Index("ix_activity_programme_date", "programme_id", "start_on"),
        sa.Index("ix_activity_company_date", "company_id", "start_on"),
        # Covers the budget and dashboard sums per programme (no table reads at 100,000 rows).
        sa.Index(
            "ix_activity_programme_spend", "programme_id", "status", "company_id", "amount_krw"
        ),
        {"sqlite_autoincrement": True},  # never reuse an id (undo deletes rows)
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id")
    programme_id: int = Field(foreign_key="programme.id")
    start_on: date = Field(index=True)
    end_on: date | None = None
    status: str = Field(max_length=16)
    amount_krw: int = Field(default=0, sa_type=sa.BigInteger)
    officer_id: int | None = Field(default=None, foreign_key="app_user.id")
    notes: str | None = Field(default=None, sa_type=sa.Text)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class OutcomeReport(Versioned, table=True):
    """The figures a company reports for one quarter (what goes to the ministry)."""

    __tablename__ = "outcome_report"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "year", "quarter", name="uq_outcome_company_quarter"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_outcome_quarter"),
        {"sqlite_autoincrement": True},  # never reuse an id (undo deletes rows)
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    year: int
    quarter: int
    employees: int = Field(default=0)
    new_hires: int = Field(default=0)
    revenue_krw: int = Field(default=0, sa_type=sa.BigInteger)
    patents_filed: int = Field(default=0)
    patents_registered: int = Field(default=0)
    investment_krw: int = Field(default=0, sa_type=sa.BigInteger)
    exports_krw: int = Field(default=0, sa_type=sa.BigInteger)
    notes: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class AuditEntry(SQLModel, table=True):
    """Who changed what, written in the same transaction as the change itself."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entity", "entity", "entity_id", "entity_version"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    actor_id: int = Field(foreign_key="app_user.id")
    action: str = Field(max_length=16)
    entity: str = Field(max_length=32)
    entity_id: int
    entity_version: int | None = None
    field: str | None = Field(default=None, max_length=64)
    old_value: str | None = Field(default=None, sa_type=sa.Text)
    new_value: str | None = Field(default=None, sa_type=sa.Text)
    context: str | None = Field(default=None, max_length=200)


class QuarterClose(SQLModel, table=True):
    """A closed reporting quarter: its figures are frozen as of the close (restate to correct)."""

    __tablename__ = "quarter_close"
    __table_args__ = (
        sa.UniqueConstraint("year", "quarter", name="uq_quarter_close"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_close_quarter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    quarter: int
    closed_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    closed_by_id: int = Field(foreign_key="app_user.id")
    figures: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class Restatement(SQLModel, table=True):
    """A correction to a closed quarter: who, when, why, and which record (details in audit)."""

    id: int | None = Field(default=None, primary_key=True)
    year: int
    quarter: int
    entity: str = Field(max_length=32)
    entity_id: int
    reason: str = Field(max_length=500)
    actor_id: int = Field(foreign_key="app_user.id")
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class ImportBatch(SQLModel, table=True):
    """One confirmed spreadsheet import; its rows' audit entries say `import #<id>`."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=255)
    kind: str = Field(max_length=16)
    sha256: str = Field(max_length=64, index=True)
    actor_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    rows_created: int = Field(default=0)
    rows_updated: int = Field(default=0)
    rows_skipped: int = Field(default=0)
    undone_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    undone_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class UserSession(SQLModel, table=True):
    """A signed-in browser (its cookie). The token and the one-time hand-off nonce are kept only
    as SHA-256 hashes, so a copy of this table signs nobody in."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_expires_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


# Feature packages keep their tables in their own modules; importing them here registers them on
# SQLModel.metadata for Alembic and the schema tests.
from crm.funder import models as _funder_models  # noqa: E402, F401
from crm.kinds import models as _kinds_models  # noqa: E402, F401
from crm.portal import models as _portal_models  # noqa: E402, F401
