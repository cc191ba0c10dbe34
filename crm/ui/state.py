"""Typed access to st.session_state: the signed-in actor, language, activity time."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.services.actor import Actor

_ACTOR = "crm_actor"
_LANG = "crm_lang"
_SEEN = "crm_last_seen"
_NOTICE = "crm_notice"
_LANG_CHOSEN = "crm_lang_chosen"
_SESSION_ID = "crm_session_id"
_CLEAR_COOKIE = "crm_clear_cookie"
_COOKIE_SEEN = "crm_cookie_seen"


def actor() -> Actor | None:
    value = st.session_state.get(_ACTOR)
    return value if isinstance(value, Actor) else None


def set_actor(value: Actor | None) -> None:
    if value is None:
        st.session_state.pop(_ACTOR, None)
    else:
        st.session_state[_ACTOR] = value
        touch()


def language() -> str:
    return st.session_state.get(_LANG, DEFAULT_LANGUAGE)


def set_language(lang: str, *, chosen: bool = False) -> None:
    st.session_state[_LANG] = lang
    if chosen:
        st.session_state[_LANG_CHOSEN] = True


def language_chosen() -> bool:
    """Whether the user picked the language in this session (it then wins over the saved one)."""
    return bool(st.session_state.get(_LANG_CHOSEN))


def tr(key: str, /, **values: object) -> str:
    """Translate in the session's language."""
    return t(key, language(), **values)


def touch() -> None:
    st.session_state[_SEEN] = datetime.now(UTC)


def last_seen() -> datetime | None:
    return st.session_state.get(_SEEN)


def set_notice(key: str) -> None:
    st.session_state[_NOTICE] = key


def peek_notice() -> str | None:
    return st.session_state.get(_NOTICE)


def pop_notice() -> str | None:
    return st.session_state.pop(_NOTICE, None)


def flash(message: str) -> None:
    """A success message shown once, after the rerun that follows a save."""
    st.session_state["crm_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("crm_flash", None)
    if message:
        st.success(message)


def session_id() -> int | None:
    """The server-side session this tab is signed in with (None: signed in without one)."""
    value = st.session_state.get(_SESSION_ID)
    return value if isinstance(value, int) else None


def set_session_id(value: int | None) -> None:
    if value is None:
        st.session_state.pop(_SESSION_ID, None)
    else:
        st.session_state[_SESSION_ID] = value


def request_cookie_clear() -> None:
    st.session_state[_CLEAR_COOKIE] = True


def pop_cookie_clear() -> bool:
    return bool(st.session_state.pop(_CLEAR_COOKIE, False))


def cookie_seen() -> str | None:
    """The hash of the cookie this tab has already tried (so a refused one is tried once)."""
    return st.session_state.get(_COOKIE_SEEN)


def set_cookie_seen(token_hash: str) -> None:
    st.session_state[_COOKIE_SEEN] = token_hash
