"""Sign-in form and the guard at the top of every page (role check, then st.stop())."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlmodel import select

from crm.config import get_settings
from crm.errors import AuthError
from crm.models import User
from crm.services import sessions, users
from crm.services.actor import Actor, actor_from_user
from crm.ui import cookie, nav, state
from crm.ui.data import session
from crm.ui.state import tr


def configure_page(title_key: str) -> None:
    st.set_page_config(page_title=f"{tr(title_key)} · CRM", page_icon="🌱", layout="wide")


def sign_in_form() -> Actor | None:
    """The first thing anyone sees: no data before an account is signed in. Returns the actor on a
    successful sign-in, with the form already cleared, so the caller draws the page in this same
    run (a second script run would add its own round trip to every sign-in)."""
    holder = st.empty()
    with holder.container():
        st.title(tr("app.title"))
        st.caption(tr("app.subtitle"))
        nav.language_switch(None, key=nav.SIGN_IN_LANGUAGE_RADIO)
        if state.pop_cookie_clear():
            cookie.clear_in_browser()
        notice = state.pop_notice()
        if notice:
            st.info(tr(notice))
        with st.form("sign_in", clear_on_submit=False):
            st.subheader(tr("auth.title"))
            username = st.text_input(tr("auth.username"), key="sign_in_username")
            password = st.text_input(tr("auth.password"), type="password", key="sign_in_password")
            submitted = st.form_submit_button(tr("auth.submit"), type="primary")
        st.caption(tr("auth.hint"))
        if not submitted:
            return None
        try:
            with session() as s:
                actor = users.authenticate(s, username, password)
                user = s.get(User, actor.id)
                if state.language_chosen() or user is None:
                    lang = state.language()
                    users.set_language(s, actor, lang)
                else:
                    lang = user.language
                ticket = sessions.create_session(s, actor)
                nonce = sessions.issue_handoff(s, ticket.id)
        except AuthError as exc:
            st.error(exc.message(state.language()))
            return None
    holder.empty()
    state.set_actor(actor)
    state.set_session_id(ticket.id)
    state.set_language(lang)
    st.session_state.pop("sign_in_password", None)
    cookie.hand_off(nonce)
    return actor


def sign_out(notice: str = "auth.signed_out") -> None:
    """Sign out everywhere: every session of the account ends, and this browser's cookie goes."""
    actor = state.actor()
    if actor is not None:
        with session() as s:
            sessions.revoke_all_for_user(s, actor.id)
    lang = state.language()
    seen = state.cookie_seen()
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    state.set_language(lang)
    if seen:
        state.set_cookie_seen(seen)  # the revoked cookie this tab was opened with stays refused
    state.set_notice(notice)
    state.request_cookie_clear()
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


_REFUSAL_NOTICE = {
    sessions.Refusal.REVOKED: "sessions.ended",
    sessions.Refusal.EXPIRED: "sessions.expired",
    sessions.Refusal.IDLE: "auth.expired",
    sessions.Refusal.INACTIVE: "auth.inactive",
    sessions.Refusal.UNKNOWN: "sessions.ended",
}


def _from_cookie() -> Actor | None:
    """A new tab or a reload: sign in from the session cookie, if it names a usable session."""
    token = cookie.token()
    if not token:
        return None
    token_hash = sessions.hash_secret(token)
    if state.cookie_seen() == token_hash:
        return None
    state.set_cookie_seen(token_hash)
    with session() as s:
        verdict = sessions.check(s, token)
        user = s.get(User, verdict.actor.id) if verdict.actor is not None else None
        language = user.language if user is not None else None
    if verdict.actor is None or verdict.session_id is None:
        return None
    if language and not state.language_chosen():
        state.set_language(language)
    state.set_actor(verdict.actor)
    state.set_session_id(verdict.session_id)
    return verdict.actor


def _from_session(actor: Actor, session_id: int) -> Actor | None:
    """Re-check this tab's server session: revoked elsewhere, idle, expired or deactivated."""
    with session() as s:
        verdict = sessions.check_id(s, session_id)
    if verdict.actor is None:
        state.set_actor(None)
        state.set_session_id(None)
        state.set_notice(_REFUSAL_NOTICE[verdict.refusal or sessions.Refusal.UNKNOWN])
        return None
    state.set_actor(verdict.actor)
    return verdict.actor


def current_actor() -> Actor | None:
    """The signed-in actor, or None (signing out a revoked, idle or deactivated session)."""
    actor = state.actor()
    if actor is None:
        return _from_cookie()
    session_id = state.session_id()
    if session_id is not None:
        return _from_session(actor, session_id)
    # Signed in without a server session (tests set the actor directly): this tab's own clock.
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
        actor = sign_in_form()
        if actor is None:
            st.stop()
    assert actor is not None
    if actor.role not in spec.roles:
        nav.sidebar(actor)
        st.error(tr("auth.forbidden", role=tr(f"role.{actor.role}")))
        st.stop()
    nav.sidebar(actor)
    return actor
