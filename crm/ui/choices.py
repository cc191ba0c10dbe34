"""Cached pick lists: every company's name for the pickers, read again only when a company was
added, renamed, archived or restored (not after every write anywhere, as the data version is)."""

from __future__ import annotations

import streamlit as st

from crm.services import company_views
from crm.ui.data import session
from crm.validation import normalise_name


@st.cache_data(show_spinner=False, max_entries=8)
def _company_names(signature: tuple[int, int, int, int]) -> dict[int, str]:
    with session() as s:
        return company_views.company_choices(s)


def company_names() -> dict[int, str]:
    """id -> Korean name of every active company (no personal data: safe to share across roles)."""
    with session() as s:
        signature = company_views.choices_signature(s)
    return _company_names(signature)


# Above this many companies a picker offers the matches of a typed search, not every name: a
# picker sends its whole list to the browser on every run (16,562 names at the large data set).
SEARCH_FIRST = 1_000
MATCHES = 50


def company_matches(companies: dict[int, str], query: str, limit: int = MATCHES) -> dict[int, str]:
    """The first `limit` companies whose name holds `query` (spaces, case and legal form
    ignored, as the company search does), names that start with it first; no query: the first
    `limit` by name."""
    wanted = normalise_name(query or "")
    ranked = sorted(companies.items(), key=lambda item: item[1])
    if wanted:
        keyed = [(normalise_name(name), cid, name) for cid, name in ranked]
        starts = [(cid, name) for key, cid, name in keyed if key.startswith(wanted)]
        inside = [
            (cid, name) for key, cid, name in keyed if wanted in key and not key.startswith(wanted)
        ]
        ranked = starts + inside
    return dict(ranked[:limit])
