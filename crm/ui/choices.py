"""Cached pick lists: every company's name for the pickers, read again only when a company was
added, renamed, archived or restored (not after every write anywhere, as the data version is)."""

from __future__ import annotations

import streamlit as st

from crm.services import company_views
from crm.ui.data import session


@st.cache_data(show_spinner=False, max_entries=8)
def _company_names(signature: tuple[int, int, int, int]) -> dict[int, str]:
    with session() as s:
        return company_views.company_choices(s)


def company_names() -> dict[int, str]:
    """id -> Korean name of every active company (no personal data: safe to share across roles)."""
    with session() as s:
        signature = company_views.choices_signature(s)
    return _company_names(signature)
