"""The browser side of the session cookie: read it from the request that opened this tab, and ask
the browser to have it set (from a one-time nonce) or cleared by the app's routes (crm/web.py).
The cookie is HttpOnly, so no page script ever sees the token itself."""

from __future__ import annotations

import json

import streamlit as st

from crm import web


def token() -> str | None:
    """The session token this tab's browser sent when it connected (None if none)."""
    try:
        value = st.context.cookies.get(web.COOKIE)
    except (AttributeError, RuntimeError):  # no browser request (e.g. a test harness)
        return None
    return value if isinstance(value, str) and value else None


def _post(path: str, body: str = "") -> None:
    url = json.dumps(web.base_path() + path)
    payload = json.dumps(body)
    st.html(
        f"<script>fetch({url}, {{method: 'POST', body: {payload}, credentials: 'same-origin',"
        " headers: {'Content-Type': 'text/plain'}, cache: 'no-store'});</script>",
        unsafe_allow_javascript=True,
    )


def hand_off(nonce: str | None) -> None:
    """Right after signing in: the browser exchanges the nonce for the HttpOnly cookie."""
    if nonce:
        _post(web.SESSION_PATH, nonce)


def clear_in_browser() -> None:
    """After signing out: the route deletes the cookie (the session is already revoked)."""
    _post(web.SIGN_OUT_PATH)
