"""The cached engine and a data version every write bumps (the latest audit id), so cached reads
are refreshed after anyone's write, on any replica."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from crm.config import get_settings
from crm.db import make_engine
from crm.models import AuditEntry


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
    with session() as s:
        return int(s.exec(select(func.coalesce(func.max(AuditEntry.id), 0))).one())
