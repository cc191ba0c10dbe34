"""funder templates and their mappings (issue 15)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "funder_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "funder_template_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["funder_template.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("funder_template_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funder_template_file_template_id"), ["template_id"], unique=False
        )
    op.create_table(
        "funder_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["funder_template_file.id"]),
        sa.ForeignKeyConstraint(["saved_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["template_id"], ["funder_template.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("template_id", "number", name="uq_funder_mapping"),
    )
    with op.batch_alter_table("funder_mapping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funder_mapping_template_id"), ["template_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("funder_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funder_mapping_template_id"))
    op.drop_table("funder_mapping")
    with op.batch_alter_table("funder_template_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funder_template_file_template_id"))
    op.drop_table("funder_template_file")
    op.drop_table("funder_template")
