"""Widgets of the Support kinds page (admins): a kind's fields as a table, and the forms that add
a kind, rename it, add a field, edit one (labels, limits, choices) and retire or restore it.
Every save goes through crm/services/kinds.py via save_then_rerun."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from crm.kinds.audit_text import choices_text, limits_text, type_label
from crm.kinds.spec import FIELD_TYPES, KindField, kind_fields, parse_choice_line
from crm.models import SupportKind
from crm.services import kinds as service
from crm.services.actor import Actor
from crm.services.kinds import FieldInput
from crm.ui.actions import as_opened, save_then_rerun
from crm.ui.state import language, tr

NUMBER_TYPES = ("integer", "decimal", "money", "hours")


def field_label(field: str) -> str:
    """A refused input's name, as the form labels it."""
    for key in (f"kinds.col.{field}", f"kinds.field.{field}", f"kinds.{field}"):
        shown = tr(key)
        if shown != key:
            return shown
    return tr("kinds.col.label")


def fields_frame(kind: SupportKind, lang: str) -> pd.DataFrame:
    """The kind's fields as an admin reads them: labels, type names, never codes alone."""
    fields = kind_fields(kind, include_retired=True)
    yes, no = tr("kinds.yes"), tr("kinds.no")
    return pd.DataFrame(
        {
            tr("kinds.col.label"): [f.label(lang) for f in fields],
            tr("kinds.col.type"): [type_label(f.type, lang) for f in fields],
            tr("kinds.col.required"): [yes if f.required else no for f in fields],
            tr("kinds.col.unit"): [f.unit(lang) or "" for f in fields],
            tr("kinds.col.limits"): [limits_text(f, lang) for f in fields],
            tr("kinds.col.choices"): [choices_text(f, lang) for f in fields],
            tr("kinds.col.state"): [
                tr("kinds.state.retired" if f.retired else "kinds.state.active") for f in fields
            ],
        }
    )


def fields_columns() -> dict[str, Any]:
    """The label column stays in view (pinned, wide enough) while a phone scrolls sideways."""
    return {tr("kinds.col.label"): st.column_config.TextColumn(width="medium", pinned=True)}


def read_choices(text: str) -> tuple[tuple[str, str, str], ...] | None:
    """Lines 'code = 한국어 / English'; None (the message shown) when a line is unreadable."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        try:
            out.append(parse_choice_line(line))
        except ValueError:
            st.error(tr("kinds.field.choices_line", line=line.strip()))
            return None
    return tuple(out)


def choice_lines(field: KindField) -> str:
    return "\n".join(f"{c.code} = {c.ko} / {c.en}" for c in field.choices)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def add_kind_form(actor: Actor) -> None:
    with st.form("kind_add"):
        st.subheader(tr("kinds.add"))
        code = st.text_input(tr("kinds.code"), key="kind_add_code")
        name_ko = st.text_input(tr("kinds.name_ko"), key="kind_add_ko")
        name_en = st.text_input(tr("kinds.name_en"), key="kind_add_en")
        if st.form_submit_button(tr("kinds.add_save"), type="primary"):
            save_then_rerun(
                lambda s: service.add_kind(s, actor, code=code, name_ko=name_ko, name_en=name_en),
                tr("kinds.added", name=name_ko if language() == "ko" else name_en),
                field_label=field_label,
                forget=("kind_add_code", "kind_add_ko", "kind_add_en"),
            )


def _opened_version(kind: SupportKind) -> int:
    return int(as_opened(f"kind_{kind.code}__opened", {"version": kind.version})["version"])


def edit_kind_form(actor: Actor, kind: SupportKind) -> None:
    version = _opened_version(kind)
    opened = f"kind_{kind.code}__opened"
    with st.form(f"kind_edit_{kind.code}"):
        st.markdown(f"**{tr('kinds.edit')}**")
        name_ko = st.text_input(tr("kinds.name_ko"), value=kind.name_ko)
        name_en = st.text_input(tr("kinds.name_en"), value=kind.name_en)
        order = st.number_input(tr("kinds.sort_order"), value=kind.sort_order, step=1)
        if st.form_submit_button(tr("kinds.edit_save")):
            changes = {"name_ko": name_ko, "name_en": name_en, "sort_order": int(order)}
            save_then_rerun(
                lambda s: service.edit_kind(s, actor, kind.code, version=version, changes=changes),
                tr("kinds.saved", name=name_ko if language() == "ko" else name_en),
                field_label=field_label,
                forget=(opened,),
            )


def add_field_form(actor: Actor, kind: SupportKind) -> None:
    lang = language()
    version = _opened_version(kind)
    prefix = f"kind_field_add_{kind.code}"
    with st.form(prefix):
        st.markdown(f"**{tr('kinds.field_add')}**")
        name = st.text_input(tr("kinds.field.name"), key=f"{prefix}_name")
        type_ = st.selectbox(
            tr("kinds.field.type"),
            list(FIELD_TYPES),
            format_func=lambda v: type_label(v, lang),
            placeholder=tr("common.choose_one"),
            key=f"{prefix}_type",
        )
        label_ko = st.text_input(tr("kinds.field.label_ko"), key=f"{prefix}_ko")
        label_en = st.text_input(tr("kinds.field.label_en"), key=f"{prefix}_en")
        required = st.checkbox(tr("kinds.field.required"), key=f"{prefix}_required")
        unit_ko = st.text_input(tr("kinds.field.unit_ko"), key=f"{prefix}_unit_ko")
        unit_en = st.text_input(tr("kinds.field.unit_en"), key=f"{prefix}_unit_en")
        minimum = st.number_input(tr("kinds.field.min"), value=None, key=f"{prefix}_min")
        maximum = st.number_input(tr("kinds.field.max"), value=None, key=f"{prefix}_max")
        positive = st.checkbox(tr("kinds.field.positive"), key=f"{prefix}_positive")
        max_len = st.number_input(
            tr("kinds.field.max_len"), value=None, min_value=1, step=1, key=f"{prefix}_max_len"
        )
        lines = st.text_area(
            tr("kinds.field.choices"), help=tr("kinds.field.choices_help"), key=f"{prefix}_choices"
        )
        if st.form_submit_button(tr("kinds.field_add_save"), type="primary"):
            choices = read_choices(lines)
            if choices is None:
                return
            field = FieldInput(
                name=name.strip(),
                type=type_,
                label_ko=label_ko,
                label_en=label_en,
                required=required,
                min=_number(minimum),
                max=_number(maximum),
                max_len=int(max_len) if max_len is not None else None,
                positive=positive,
                unit_ko=unit_ko or None,
                unit_en=unit_en or None,
                choices=choices,
            )
            save_then_rerun(
                lambda s: service.add_field(s, actor, kind.code, version=version, field=field),
                tr("kinds.field_added", label=label_ko if lang == "ko" else label_en),
                field_label=field_label,
                reset=prefix,
                forget=(f"kind_{kind.code}__opened",),
            )


def edit_field_form(actor: Actor, kind: SupportKind) -> None:
    lang = language()
    fields = {f.name: f for f in kind_fields(kind, include_retired=True)}
    if not fields:
        return
    version = _opened_version(kind)
    opened = f"kind_{kind.code}__opened"
    st.markdown(f"**{tr('kinds.field_edit')}**")
    name = st.selectbox(
        tr("kinds.field_pick"),
        list(fields),
        format_func=lambda n: fields[n].label(lang),
        placeholder=tr("common.choose_one"),
        key=f"kind_field_pick_{kind.code}",
    )
    field = fields[name]
    prefix = f"kind_field_edit_{kind.code}_{name}_{version}"
    with st.form(prefix):
        label_ko = st.text_input(tr("kinds.field.label_ko"), value=field.label_ko)
        label_en = st.text_input(tr("kinds.field.label_en"), value=field.label_en)
        required = st.checkbox(tr("kinds.field.required"), value=field.required)
        unit_ko = st.text_input(tr("kinds.field.unit_ko"), value=field.unit_ko or "")
        unit_en = st.text_input(tr("kinds.field.unit_en"), value=field.unit_en or "")
        minimum = maximum = None
        if field.type in NUMBER_TYPES:
            minimum = st.number_input(tr("kinds.field.min"), value=_number(field.min))
            maximum = st.number_input(tr("kinds.field.max"), value=_number(field.max))
        lines, retire, restore = "", [], []
        if field.type == "choice":
            lines = st.text_area(
                tr("kinds.field.choices"),
                value=choice_lines(field),
                help=tr("kinds.field.choices_help"),
            )
            labels = {c.code: c.label(lang) for c in field.choices}
            retire = st.multiselect(
                tr("kinds.field.retire_choices"),
                [c.code for c in field.choices if not c.retired],
                format_func=lambda c: labels[c],
                placeholder=tr("common.choose_many"),
            )
            restore = st.multiselect(
                tr("kinds.field.restore_choices"),
                [c.code for c in field.choices if c.retired],
                format_func=lambda c: labels[c],
                placeholder=tr("common.choose_many"),
            )
        if st.form_submit_button(tr("kinds.field_save"), type="primary"):
            choices = read_choices(lines)
            if choices is None:
                return
            changed = FieldInput(
                name=name,
                label_ko=label_ko,
                label_en=label_en,
                required=required,
                min=_number(minimum),
                max=_number(maximum),
                unit_ko=unit_ko,
                unit_en=unit_en,
                choices=choices,
                retire_choices=tuple(retire),
                restore_choices=tuple(restore),
            )
            save_then_rerun(
                lambda s: service.edit_field(s, actor, kind.code, version=version, field=changed),
                tr("kinds.field_saved", label=label_ko if lang == "ko" else label_en),
                field_label=field_label,
                forget=(opened,),
            )
    toggle = "kinds.field_restore" if field.retired else "kinds.field_retire"
    if st.button(tr(toggle), key=f"kind_field_toggle_{kind.code}_{name}"):
        write = service.restore_field if field.retired else service.retire_field
        done = "kinds.field_restored" if field.retired else "kinds.field_retired"
        save_then_rerun(
            lambda s: write(s, actor, kind.code, name, version=version),
            tr(done, label=field.label(lang)),
            field_label=field_label,
            forget=(opened,),
        )
