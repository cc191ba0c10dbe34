"""Tabs whose open tab is remembered and carried in the address as a language-neutral code
(`?tab=support`), and whose hidden tabs do not run: a reload, a shared link or the other language
(whose labels make new tabs) opens the same tab. Streamlit's own query-param binding would put
the translated label in the address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from crm.ui.state import language


def tracked_tabs(labels: Mapping[str, str], *, key: str, param: str) -> Sequence[Any]:
    """Tabs for `labels` (code -> label, in order). Each tab's `.open` says whether it is the
    open one: draw a tab's content only `if tab.open is not False`."""
    codes = list(labels)
    widget = f"{key}_{language()}"
    wanted = st.query_params.get(param)
    if widget not in st.session_state and wanted in labels:
        st.session_state[widget] = labels[wanted]

    def remember() -> None:
        shown = st.session_state.get(widget)
        st.query_params[param] = next((c for c, t in labels.items() if t == shown), codes[0])

    return st.tabs(list(labels.values()), key=widget, on_change=remember)
