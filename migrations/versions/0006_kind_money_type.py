"""support_kind: the built-in kinds' KRW fields declared as type "money" (were "int")

Forms, validation, the importer and the report's columns read "is this money" from the kind
spec; an integer kind field is no longer taken for KRW by its name.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_FIELDS = {
    "prototyping": "budget",
    "investment": "invested_amount",
    "overseas": "contract_amount",
}

support_kind = sa.table("support_kind", sa.column("code", sa.String), sa.column("fields", sa.JSON))


def _retype(old: str, new: str) -> None:
    bind = op.get_bind()
    for code, fields in bind.execute(sa.select(support_kind.c.code, support_kind.c.fields)).all():
        name = MONEY_FIELDS.get(code)
        if name is None or not fields:
            continue
        changed: list[dict[str, Any]] = [
            {**f, "type": new} if f.get("name") == name and f.get("type") == old else f
            for f in fields
        ]
        if changed != fields:
            bind.execute(
                support_kind.update().where(support_kind.c.code == code).values(fields=changed)
            )


def upgrade() -> None:
    _retype("int", "money")


def downgrade() -> None:
    _retype("money", "int")
