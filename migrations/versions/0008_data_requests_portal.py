"""data requests, portal links and evidence (issue 14)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_CHECK = "status IN ('not_started', 'draft', 'submitted', 'changes_requested', 'accepted')"


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "portal_throttle",
        sa.Column("client", _text(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _at("window_start"),
        _at("locked_until", nullable=True),
        sa.PrimaryKeyConstraint("client"),
    )
    op.create_table(
        "data_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", _text(1000), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _at("created_at"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_request_quarter"),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "data_request_tally",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("companies", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["data_request.id"]),
        sa.PrimaryKeyConstraint("request_id", "status"),
    )
    op.create_table(
        "reminder_sending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        _at("at"),
        sa.Column("channel", _text(16), nullable=False),
        sa.Column("company_ids", sa.JSON(), nullable=False),
        sa.Column("failed_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["data_request.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_reminder_sending_request_id"), "reminder_sending", ["request_id"], unique=False
    )
    op.create_table(
        "data_request_company",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("declared_name", _text(100), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=True),
        _at("submitted_at", nullable=True),
        sa.Column("review_comment", _text(2000), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        _at("reviewed_at", nullable=True),
        sa.Column("outcome_report_id", sa.Integer(), nullable=True),
        _at("updated_at"),
        sa.CheckConstraint(_STATUS_CHECK, name="ck_request_company_status"),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["outcome_report_id"], ["outcome_report.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["data_request.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "company_id", name="uq_request_company"),
    )
    op.create_index(
        op.f("ix_data_request_company_company_id"),
        "data_request_company",
        ["company_id"],
        unique=False,
    )
    op.create_index(
        "ix_request_company_status",
        "data_request_company",
        ["request_id", "status", "company_id"],
        unique=False,
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("figure", _text(32), nullable=False),
        sa.Column("filename", _text(255), nullable=False),
        sa.Column("kind", _text(8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _at("uploaded_at"),
        sa.ForeignKeyConstraint(["ask_id"], ["data_request_company.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_evidence_ask_id"), "evidence", ["ask_id"], unique=False)
    op.create_table(
        "outcome_provenance",
        sa.Column("outcome_report_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", _text(16), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=False),
        _at("accepted_at"),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["ask_id"], ["data_request_company.id"]),
        sa.ForeignKeyConstraint(["outcome_report_id"], ["outcome_report.id"]),
        sa.PrimaryKeyConstraint("outcome_report_id"),
    )
    op.create_index(
        op.f("ix_outcome_provenance_ask_id"), "outcome_provenance", ["ask_id"], unique=False
    )
    op.create_table(
        "patent_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("number", _text(40), nullable=False),
        sa.ForeignKeyConstraint(["ask_id"], ["data_request_company.id"]),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ask_id", "number", name="uq_patent_claim"),
    )
    op.create_index(op.f("ix_patent_claim_ask_id"), "patent_claim", ["ask_id"], unique=False)
    op.create_index(op.f("ix_patent_claim_number"), "patent_claim", ["number"], unique=False)
    op.create_table(
        "portal_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _text(64), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        _at("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["ask_id"], ["data_request_company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_portal_link_ask_id"), "portal_link", ["ask_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_link_ask_id"), table_name="portal_link")
    op.drop_table("portal_link")
    op.drop_index(op.f("ix_patent_claim_number"), table_name="patent_claim")
    op.drop_index(op.f("ix_patent_claim_ask_id"), table_name="patent_claim")
    op.drop_table("patent_claim")
    op.drop_index(op.f("ix_outcome_provenance_ask_id"), table_name="outcome_provenance")
    op.drop_table("outcome_provenance")
    op.drop_index(op.f("ix_evidence_ask_id"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_request_company_status", table_name="data_request_company")
    op.drop_index(op.f("ix_data_request_company_company_id"), table_name="data_request_company")
    op.drop_table("data_request_company")
    op.drop_index(op.f("ix_reminder_sending_request_id"), table_name="reminder_sending")
    op.drop_table("reminder_sending")
    op.drop_table("data_request_tally")
    op.drop_table("data_request")
    op.drop_table("portal_throttle")
