"""Tables of crm.portal (registered on SQLModel.metadata by crm.models)."""

from __future__ import annotations
