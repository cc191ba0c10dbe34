"""Support kinds (admins): each kind's fields, add a kind, rename it, add, edit, retire and
restore fields (the equipment catalogue is a choice field's choices)."""

from __future__ import annotations

import streamlit as st

from crm.services.reference import list_kinds
from crm.ui import auth, kinds_admin, state
from crm.ui.data import session
from crm.ui.state import language, tr
from crm.ui.widget_state import relabelled

actor = auth.guard("pages/8_Kinds.py")
lang = language()
st.title(tr("kinds.title"))
state.show_flash()
st.caption(tr("kinds.intro"))

with session() as s:
    kinds = {k.code: k for k in list_kinds(s)}

if (added := st.session_state.pop(kinds_admin.PICK_NEXT, None)) in kinds:
    st.session_state["kind_pick"] = added  # a kind just added opens at once
code = st.selectbox(
    tr("nav.kinds"),
    list(kinds),
    format_func=lambda c: kinds[c].name_ko if lang == "ko" else kinds[c].name_en,
    placeholder=tr("common.choose_one"),
    key=relabelled("kind_pick"),
)
if code is not None:
    kind = kinds[code]
    st.subheader(tr("kinds.fields"))
    if kind.fields:
        st.dataframe(
            kinds_admin.fields_frame(kind, lang),
            hide_index=True,
            width="stretch",
            column_config=kinds_admin.fields_columns(),
        )
    else:
        st.info(tr("kinds.no_fields"))
    kinds_admin.edit_field_form(actor, kind)
    kinds_admin.add_field_form(actor, kind)
    kinds_admin.edit_kind_form(actor, kind)

kinds_admin.add_kind_form(actor)
