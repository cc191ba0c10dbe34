"""Tables of crm.funder (registered on SQLModel.metadata by crm.models)."""

from __future__ import annotations
