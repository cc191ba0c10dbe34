"""activity: a covering index for the sums per programme (budget table, dashboard)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_activity_programme_spend",
        "activity",
        ["programme_id", "status", "company_id", "amount_krw"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_activity_programme_spend", table_name="activity")
