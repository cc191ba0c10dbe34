"""Tables of crm.funder (registered on SQLModel.metadata by crm.models).

A funder template is a name; each upload of its .xlsx is a file row (bytes kept as uploaded), and
each saved mapping is a numbered version pointing at the file it was made for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from crm.models import Versioned, utcnow


class FunderTemplate(Versioned, table=True):
    __tablename__ = "funder_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    created_by_id: int = Field(foreign_key="app_user.id")


class FunderTemplateFile(SQLModel, table=True):
    __tablename__ = "funder_template_file"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="funder_template.id", index=True)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=sa.LargeBinary)
    # What the file holds that a fill cannot keep (charts, images, ...): codes, named on upload.
    features: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    uploaded_by_id: int = Field(foreign_key="app_user.id")


class FunderMapping(SQLModel, table=True):
    __tablename__ = "funder_mapping"
    __table_args__ = (sa.UniqueConstraint("template_id", "number", name="uq_funder_mapping"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="funder_template.id", index=True)
    number: int
    file_id: int = Field(foreign_key="funder_template_file.id")
    mapping: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # Entries of the mapping that no longer match the file (after a new upload): not filled.
    flagged: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    saved_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    saved_by_id: int = Field(foreign_key="app_user.id")
