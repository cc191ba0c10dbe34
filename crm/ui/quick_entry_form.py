"""The quick-entry section of the support log: one day, a grid of sessions (its columns the
programme kind's declared fields), one save."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from crm.kinds.spec import KindField, kind_fields
from crm.models import Programme
from crm.quarters import Quarter
from crm.services import activities
from crm.services.activities import BatchError
from crm.services.actor import Actor
from crm.services.closing import is_closed
from crm.services.permissions import Permission, can
from crm.services.reference import get_kind
from crm.ui import format as fmt
from crm.ui import state
from crm.ui.data import session
from crm.ui.quick_entry import (
    closed_day_message,
    company_labels,
    empty_frame,
    row_message,
    to_activities,
)
from crm.ui.state import language, tr

GENERATION = "qe__editor_gen"  # a saved batch starts a fresh grid under a new key


def _default_day(programme: Programme) -> date:
    """Today, kept inside the programme's year (a 2022 programme gets a 2022 date)."""
    return min(max(date.today(), date(programme.year, 1, 1)), date(programme.year, 12, 31))


def field_column(field: KindField, lang: str) -> Any:
    """A kind field's grid column from its declaration ("*" marks a required one, as in the
    single form; the grid's own required-cell check would show Streamlit's English tooltip)."""
    label = field.heading(lang) + (" *" if field.required else "")
    help_text = field.help(lang)
    if field.is_money:
        return st.column_config.TextColumn(label, help=help_text or tr("quick.amount_help"))
    if field.type in ("integer", "decimal", "hours"):
        whole = field.type == "integer"
        return st.column_config.NumberColumn(
            label,
            help=help_text,
            min_value=field.limit_min,
            max_value=field.limit_max,
            step=1 if whole else 0.5,
            format="%d" if whole else "%g",
        )
    if field.type == "choice":
        return st.column_config.SelectboxColumn(
            label,
            help=help_text,
            options=field.choice_codes(),
            format_func=lambda code, f=field: f.choice_label(code, lang),
        )
    return st.column_config.TextColumn(label, help=help_text)


def quick_entry_form(actor: Actor, mentoring: list[Programme], companies: dict[int, str]) -> None:
    lang = language()
    by_id = {p.id: p for p in mentoring}
    programme_id = st.selectbox(
        tr("col.programme"),
        list(by_id),
        format_func=lambda pid: by_id[pid].name,
        placeholder=tr("common.choose_one"),
        key="qe_programme",
    )
    labels = company_labels(companies)
    with session() as s:
        fields = kind_fields(get_kind(s, by_id[programme_id].kind))
    generation = int(st.session_state.get(GENERATION, 0))
    with st.form("qe_form"):
        day = st.date_input(
            tr("quick.day"),
            value=_default_day(by_id[programme_id]),
            key="qe_day",
            help=tr("quick.day_help"),
        )
        edited = st.data_editor(
            empty_frame(5, fields),
            num_rows="dynamic",
            key=f"qe_editor_{by_id[programme_id].kind}_{generation}",  # columns follow the kind
            width="stretch",
            hide_index=True,
            placeholder="",
            alt=tr("quick.grid"),
            column_config={
                # Required columns are marked "*" as in the single form; the grid's own
                # required-cell check would show Streamlit's English tooltip, the save says it.
                "company": st.column_config.SelectboxColumn(
                    tr("support.company") + " *", options=list(labels)
                ),
                **{f.name: field_column(f, lang) for f in fields},
                "amount": st.column_config.TextColumn(
                    tr("field.amount_krw"), help=tr("quick.amount_help")
                ),
                "notes": st.column_config.TextColumn(tr("field.notes")),
            },
        )
        submitted = st.form_submit_button(tr("support.quick_save"), type="primary")
    if not submitted:
        return
    rows, numbers = to_activities(edited, labels, programme_id, day, fields)
    if not rows:
        st.info(tr("support.quick_empty"))
        return
    may_restate = can(actor.role, Permission.CLOSE_QUARTER)
    quarter = Quarter.of(day)
    with session() as s:
        closed = is_closed(s, quarter.year, quarter.number)
    if closed:
        st.error(closed_day_message(quarter.year, quarter.number, lang, may_restate=may_restate))
        return
    try:
        with session() as s:
            activities.log_activities(s, actor, rows)
    except BatchError as exc:
        for failure in exc.rows:
            messages = " ".join(
                row_message(e, lang, may_restate=may_restate, fields=fields) for e in failure.errors
            )
            st.error(tr("support.quick_row_error", row=numbers[failure.row - 1], messages=messages))
        return
    total = sum(int(r.amount_krw or 0) for r in rows)
    st.session_state[GENERATION] = generation + 1
    state.flash(
        tr("quick.saved", count=len(rows), day=fmt.day(day, lang), amount=fmt.krw(total, lang))
    )
    st.rerun()
