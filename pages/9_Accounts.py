"""Accounts (admins): add accounts, reset passwords, change roles, deactivate, end sign-ins."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm.errors import CRMError
from crm.models import Role
from crm.services import users
from crm.ui import auth, sessions_admin, state
from crm.ui import format as fmt
from crm.ui.actions import as_opened, save_then_rerun
from crm.ui.data import session
from crm.ui.forms import changed_fields
from crm.ui.state import language, tr
from crm.ui.widget_state import label_for, relabelled

actor = auth.guard("pages/9_Accounts.py")
lang = language()
st.title(tr("users.title"))
state.show_flash()

with session() as s:
    accounts = [u for u in users.list_users(s) if not u.is_system]

st.dataframe(
    pd.DataFrame(
        {
            tr("auth.username"): [u.username for u in accounts],
            tr("users.display_name"): [u.display_name for u in accounts],
            tr("users.role"): [tr(f"role.{u.role}") for u in accounts],
            tr("users.active"): [u.active for u in accounts],
            tr("users.password_set"): [u.password_hash is not None for u in accounts],
            tr("users.locked_until"): [fmt.day(u.locked_until, lang) for u in accounts],
            tr("users.last_login"): [fmt.day(u.last_login_at, lang) for u in accounts],
        }
    ),
    hide_index=True,
    width="stretch",
)

roles = [r.value for r in Role]
with st.form("add_user"):  # keep what was typed when it is refused
    st.subheader(tr("users.add"))
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(tr("auth.username"), key="add_username")
    display = c2.text_input(tr("users.display_name"), key="add_display")
    role = c3.selectbox(
        tr("users.role"),
        roles,
        index=roles.index(Role.OFFICER.value),
        format_func=label_for("role"),
        placeholder=tr("common.choose_one"),
        key=relabelled("add_role"),
    )
    password = st.text_input(tr("users.new_password"), type="password", key="add_password")
    if st.form_submit_button(tr("users.add"), type="primary"):
        save_then_rerun(
            lambda s: users.create_user(
                s, actor, username=username, display_name=display, role=role, password=password
            ),
            tr("users.created", username=username),
            field_label=lambda field: tr(f"users.field.{field}"),
            forget=("add_username", "add_display", "add_password"),
        )

st.subheader(tr("users.edit"))
by_name = {u.username: u for u in accounts}
chosen = st.selectbox(
    tr("auth.username"), list(by_name), placeholder=tr("common.choose_one"), key="edit_user"
)
if chosen:
    user = by_name[chosen]
    opened_key = f"edit_user{user.id}__opened"
    opened = as_opened(
        opened_key,
        {
            "version": user.version,
            "display_name": user.display_name,
            "role": user.role,
            "active": user.active,
        },
    )
    with st.form("edit_user_form"):
        c1, c2, c3 = st.columns(3)
        new_display = c1.text_input(tr("users.display_name"), value=opened["display_name"])
        new_role = c2.selectbox(
            tr("users.role"),
            roles,
            index=roles.index(opened["role"]),
            format_func=lambda r: tr(f"role.{r}"),
            placeholder=tr("common.choose_one"),
        )
        new_active = c3.checkbox(tr("users.active"), value=opened["active"])
        if st.form_submit_button(tr("users.save")):
            entered = {"display_name": new_display, "role": new_role, "active": new_active}
            changes = changed_fields(opened, entered)
            if not changes:
                st.info(tr("company.no_changes"))
            else:
                save_then_rerun(
                    lambda s: users.update_user(
                        s, actor, user.id, version=opened["version"], changes=changes
                    ),
                    tr("users.saved"),
                    field_label=lambda field: tr(f"users.field.{field}"),
                    forget=(opened_key,),
                )
    with st.form("reset_password_form", clear_on_submit=True):
        new_password = st.text_input(tr("users.new_password"), type="password")
        if st.form_submit_button(tr("users.reset")):
            try:
                with session() as s:
                    users.set_password(s, actor, chosen, new_password)
                st.success(tr("users.reset_done", username=chosen))
            except CRMError as exc:
                st.error(exc.message(lang))

sessions_admin.render(actor, lang)
