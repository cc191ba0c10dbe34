"""Accounts page section: the browsers signed in now, and ending one of them (admins)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm.config import get_settings
from crm.services import sessions
from crm.services.actor import Actor
from crm.ui import format as fmt
from crm.ui.actions import save_then_rerun
from crm.ui.data import session
from crm.ui.state import tr


def render(actor: Actor, lang: str) -> None:
    st.subheader(tr("sessions.title"))
    st.caption(
        tr(
            "sessions.caption",
            hours=int(sessions.MAX_AGE.total_seconds() // 3600),
            minutes=get_settings().session_idle_minutes,
        )
    )
    with session() as s:
        live = sessions.list_sessions(s, actor)
    if not live:
        st.info(tr("sessions.none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                tr("sessions.user"): [f"{x.display_name} ({x.username})" for x in live],
                tr("sessions.created"): [fmt.moment(x.created_at, lang) for x in live],
                tr("sessions.last_seen"): [fmt.moment(x.last_seen_at, lang) for x in live],
                tr("sessions.expires"): [fmt.moment(x.expires_at, lang) for x in live],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    by_id = {x.id: x for x in live}
    with st.form("revoke_session"):
        chosen = st.selectbox(
            tr("sessions.pick"),
            list(by_id),
            format_func=lambda sid: tr(
                "sessions.option",
                name=by_id[sid].display_name,
                created=fmt.moment(by_id[sid].created_at, lang),
                seen=fmt.moment(by_id[sid].last_seen_at, lang),
            ),
            placeholder=tr("common.choose_one"),
        )
        if st.form_submit_button(tr("sessions.revoke")) and chosen is not None:
            save_then_rerun(
                lambda s: sessions.admin_revoke(s, actor, chosen),
                tr("sessions.revoked", name=by_id[chosen].display_name),
            )
