"""The page registry and the role-filtered sidebar (Streamlit's own page list is hidden)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from crm.config import PROJECT_ROOT
from crm.i18n import LANGUAGES
from crm.models import Role
from crm.services.actor import Actor
from crm.ui import layout, state
from crm.ui.state import tr

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class PageSpec:
    path: str
    label_key: str
    icon: str
    roles: frozenset[Role]


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Home.py", "nav.home", ":material/home:", ALL_ROLES),
    PageSpec("pages/1_Companies.py", "nav.companies", ":material/apartment:", ALL_ROLES),
    PageSpec("pages/2_Support_log.py", "nav.support_log", ":material/handshake:", ALL_ROLES),
    PageSpec(
        "pages/3_Reports.py",
        "nav.reports",
        ":material/table_view:",
        frozenset({Role.MANAGER, Role.ADMIN}),
    ),
    PageSpec("pages/4_Funnel.py", "nav.funnel", ":material/filter_alt:", ALL_ROLES),
    PageSpec("pages/5_Import.py", "nav.import", ":material/upload_file:", STAFF),
    PageSpec("pages/6_Data_requests.py", "nav.requests", ":material/assignment:", STAFF),
    PageSpec(
        "pages/7_Templates.py",
        "nav.templates",
        ":material/description:",
        frozenset({Role.MANAGER, Role.ADMIN}),
    ),
    PageSpec("pages/8_Kinds.py", "nav.kinds", ":material/category:", frozenset({Role.ADMIN})),
    PageSpec(
        "pages/9_Accounts.py", "nav.users", ":material/manage_accounts:", frozenset({Role.ADMIN})
    ),
)
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


def page(path: str) -> PageSpec:
    return next(p for p in PAGES if p.path == path)


def exists(spec: PageSpec) -> bool:
    return (PROJECT_ROOT / spec.path).is_file()


def allowed_pages(role: Role) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles and exists(p)]


def may_open(role: Role, path: str) -> bool:
    spec = page(path)
    return role in spec.roles and exists(spec)


_LANGUAGE_RADIO = "crm_language_radio"
# The sign-in form's own switch: a successful sign-in draws the sidebar's switch in the same run.
SIGN_IN_LANGUAGE_RADIO = "crm_language_radio_sign_in"


def _language_chosen(user: Actor | None, key: str) -> None:
    choice = st.session_state[key]
    state.set_language(choice, chosen=True)
    if user is not None:
        from crm.services.users import set_language
        from crm.ui.data import session

        with session() as s:
            set_language(s, user, choice)


def language_switch(on_change_user: Actor | None, key: str = _LANGUAGE_RADIO) -> None:
    """Switch language at once; remembered for the signed-in user. One widget under a fixed key,
    kept in step with the session's language (a widget per language would come back with the
    other language's stale choice and switch it back)."""
    # Written on every run, not only when it differs: a page switch drops the browser's copy of
    # the radio, which then showed its first option (한국어) on every other page while the page
    # was in English, and clicking 한국어 there did nothing.
    st.session_state[key] = state.language()
    st.radio(
        tr("nav.language"),
        list(LANGUAGES),
        format_func=lambda code: LANGUAGE_NAMES[code],
        horizontal=True,
        key=key,
        on_change=_language_chosen,
        args=(on_change_user, key),
    )


def sidebar(actor: Actor) -> None:
    layout.apply()  # narrow and mid-size windows (every signed-in page draws this sidebar)
    with st.sidebar:
        st.markdown(f"### {tr('app.title')}")
        st.caption(tr("auth.signed_in_as", name=actor.display_name, role=tr(f"role.{actor.role}")))
        language_switch(actor)
        for spec in allowed_pages(actor.role):
            st.page_link(spec.path, label=tr(spec.label_key), icon=spec.icon)
        st.divider()
        if st.button(tr("auth.sign_out"), icon=":material/logout:", key="sign_out"):
            from crm.ui.auth import sign_out

            sign_out()
        st.caption(tr("app.demo_notice"))


def link(path: str, label_key: str, actor: Actor, **query: str) -> None:
    """A link to a page the actor may open (nothing otherwise)."""
    if may_open(actor.role, path):
        st.page_link(path, label=tr(label_key), icon=page(path).icon, query_params=query or None)


def project_path(rel: str) -> Path:
    return PROJECT_ROOT / rel
