"""Sign-in form and the guard at the top of every page (role check, then st.stop())."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlmodel import select

from crm.config import get_settings
from crm.errors import AuthError
from crm.models import Role, User
from crm.services import users
from crm.services.actor import Actor, actor_from_user
from crm.ui import nav, state
from crm.ui.data import session
from crm.ui.state import tr


def configure_page(title_key: str) -> None:
    st.set_page_config(page_title=f"{tr(title_key)} · CRM", page_icon="🌱", layout="wide")


def sign_in_form() -> None:
    """The first thing anyone sees: no data before an account is signed in."""
    st.title(tr("app.title"))
    st.caption(tr("app.subtitle"))
    nav.language_switch(None)
    notice = state.pop_notice()
    if notice:
        st.info(tr(notice))
    with st.form("sign_in", clear_on_submit=False):
        st.subheader(tr("auth.title"))
        username = st.text_input(tr("auth.username"), key="sign_in_username")
        password = st.text_input(tr("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(tr("auth.submit"), type="primary")
    st.caption(tr("auth.hint"))
    if submitted:
        try:
            with session() as s:
                actor = users.authenticate(s, username, password)
                user = s.get(User, actor.id)
                if state.language_chosen() or user is None:
                    lang = state.language()
                    users.set_language(s, actor, lang)
                else:
                    lang = user.language
        except AuthError as exc:
            st.error(exc.message(state.language()))
            return
        state.set_actor(actor)
        state.set_language(lang)
        st.session_state.pop("sign_in_password", None)
        st.rerun()


def sign_out(notice: str = "auth.signed_out") -> None:
    lang = state.language()
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    state.set_language(lang)
    state.set_notice(notice)
    st.switch_page("Home.py")


def _expired() -> bool:
    seen = state.last_seen()
    if seen is None:
        return True
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return datetime.now(UTC) - seen > idle


def _refresh(actor: Actor) -> Actor | None:
    """Re-read the account: a deactivated account or changed role takes effect at once."""
    with session() as s:
        user = s.exec(select(User).where(User.id == actor.id)).first()
        if user is None or not user.active:
            return None
        return actor_from_user(user)


def current_actor() -> Actor | None:
    """The signed-in actor, or None (signing out an idle or deactivated session)."""
    actor = state.actor()
    if actor is None:
        return None
    if _expired():
        state.set_actor(None)
        state.set_notice("auth.expired")
        return None
    fresh = _refresh(actor)
    if fresh is None:
        state.set_actor(None)
        state.set_notice("auth.inactive")
        return None
    state.set_actor(fresh)
    return fresh


def guard(path: str) -> Actor:
    """Top of every page: signed in, not idle, role allowed; otherwise a clear refusal and stop."""
    spec = nav.page(path)
    configure_page(spec.label_key)
    actor = current_actor()
    if actor is None:
        # Sign in right here, so a shared link (a company page, say) opens after sign-in.
        if not state.peek_notice():
            state.set_notice("auth.required")
        sign_in_form()
        st.stop()
    assert actor is not None
    if actor.role not in spec.roles:
        nav.sidebar(actor)
        st.error(tr("auth.forbidden", role=tr(f"role.{actor.role}")))
        st.stop()
    nav.sidebar(actor)
    return actor


def has_role(actor: Actor, *roles: Role) -> bool:
    return actor.role in roles
