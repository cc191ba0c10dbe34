"""Widget values that survive a language switch and a trip to another page.

A selectbox or multiselect keeps its *label* in the browser ("전체"), not its option. After a
language switch the script's value is still the code ("all") and its English label is among the
options, so Streamlit sends nothing and the browser keeps showing the Korean label. Writing the
value back through session state once per language makes Streamlit send the new label."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from crm.i18n import t
from crm.ui.state import language

KEEP = "session"  # persist_state for list filters: kept across page switches in this session


def relabelled(key: str) -> str:
    """The widget key, with its stored value re-sent when the language changed since its last
    run. Call it where the widget is created, with options that are stable codes."""
    marker = f"{key}__lang"  # "__": never taken for a widget key by forms.reset_widgets
    lang = language()
    if st.session_state.get(marker, lang) != lang and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    st.session_state[marker] = lang
    return key


def kept(key: str) -> str:
    """The widget key, its last value put back if Streamlit dropped it. A list's filters are kept
    across pages (persist_state=KEEP), but a run interrupted by a quick click on a page where the
    widget is absent could lose one (the search, seen under load): each run records the value
    (`remember`), and a widget that comes back without one gets it again."""
    mirror = f"{key}__kept"  # "__": never taken for a widget key by forms.reset_widgets
    if key not in st.session_state and mirror in st.session_state:
        st.session_state[key] = st.session_state[mirror]
    return key


def remember(key: str, value: Any) -> None:
    st.session_state[f"{key}__kept"] = value


def label_for(prefix: str) -> Callable[[Any], str]:
    """A format_func for coded options ("stage" → stage.growth → "성장"), bound to this run's
    language: it answers the same when Streamlit (or AppTest) calls it outside the run."""
    lang = language()
    return lambda value: t(f"{prefix}.{value}", lang)
