"""The cached engine and a data version every write bumps (the latest audit id), so cached reads
are refreshed after anyone's write, on any replica; while a write is in flight on PostgreSQL
nothing is kept (`crm.analytics.versions`)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from crm.analytics import versions
from crm.config import get_settings
from crm.db import make_engine


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """One engine per database URL for the whole server process."""
    return _engine(get_settings().database_url)


def session() -> Session:
    """One session per action; never keep it (or ORM objects) in session_state."""
    return Session(engine(), expire_on_commit=False)


def data_version() -> int:
    """The cache key of every cached read (`crm.analytics.versions.data_version`)."""
    with engine().connect() as conn:
        return versions.data_version(conn)
