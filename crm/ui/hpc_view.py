"""The support log's HPC utilisation section: overall used / allocated GPU-hours of a year's HPC
programmes and the allocations to reclaim (crm/kinds/hpc.py decides which)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from crm.clock import to_office
from crm.config import get_settings
from crm.kinds import hpc
from crm.ui import format as fmt
from crm.ui.data import session
from crm.ui.state import language, tr


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def reclaim_frame(found: list[hpc.Allocation], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("hpc.col.company"): [a.company for a in found],
            tr("hpc.col.programme"): [a.programme for a in found],
            tr("hpc.col.resource"): [a.resource for a in found],
            tr("hpc.col.allocated"): [fmt.number(a.allocated) for a in found],
            tr("hpc.col.used"): [fmt.number(a.used) for a in found],
            tr("hpc.col.utilisation"): [_pct(a.utilisation) for a in found],
            tr("hpc.col.end_on"): [fmt.day(a.end_on, lang) for a in found],
        }
    )


def hpc_section(year: int, has_hpc: bool) -> None:
    """A closed expander when the year has HPC programmes (`has_hpc`); its content, which reads
    every allocation of the year, runs only while it is open (at 10,000 companies that is
    thousands of allocations on every run of the support log otherwise)."""
    if not has_hpc:
        return
    box = st.expander(
        tr("hpc.title"), icon=":material/memory:", key="sl_hpc_open", on_change="rerun"
    )
    if not box.open:
        return
    with session() as s:
        found = hpc.allocations(s, year=year)
    lang = language()
    threshold = get_settings().hpc_idle_threshold
    today = to_office(datetime.now(UTC)).date()
    flagged = hpc.to_reclaim(found, today, threshold)
    with box:
        st.markdown(f"**{tr('hpc.utilisation', pct=_pct(hpc.overall(found)))}**")
        st.caption(tr("hpc.caption", threshold=_pct(threshold)))
        if flagged:
            st.markdown(f"**{tr('hpc.idle_title', count=len(flagged))}**")
            st.dataframe(reclaim_frame(flagged, lang), hide_index=True, width="stretch")
        else:
            st.info(tr("hpc.none_idle"))
