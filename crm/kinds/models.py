"""Tables of crm.kinds (registered on SQLModel.metadata by crm.models)."""

from __future__ import annotations
