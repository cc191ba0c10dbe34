"""Widgets of the Support kinds page (admins): a kind's fields as a table, and the forms that add
a kind, rename it, add a field, edit one (labels, limits, choices) and retire or restore it.
Every save goes through crm/services/kinds.py via save_then_rerun."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from crm.kinds.audit_text import choices_text, limits_text, type_label
from crm.kinds.spec import FIELD_TYPES, KindField, kind_fields, parse_choice_line
from crm.models import SupportKind
from crm.services import kinds as service
from crm.services.actor import Actor
from crm.services.kinds import FieldInput
from crm.ui.actions import as_opened, save_then_rerun
from crm.ui.forms import wkey
from crm.ui.state import language, tr
from crm.ui.widget_state import relabelled

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


_UNREADABLE = object()
PICK_NEXT = "kind_pick_next"  # the kind to show after the next run (one just added)


def _limit_text(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _read_limit(key: str, text: str) -> float | None | object:
    """A limit typed in a text box: empty is no limit; unreadable text is said and refused."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        st.error(f"{tr(f'kinds.field.{key}')}: {tr('error.number')}")
        return _UNREADABLE


def add_kind_form(actor: Actor) -> None:
    prefix = "kind_add"
    with st.form(prefix):
        st.subheader(tr("kinds.add"))
        code = st.text_input(tr("kinds.code"), key=wkey(prefix, "code"))
        name_ko = st.text_input(tr("kinds.name_ko"), key=wkey(prefix, "ko"))
        name_en = st.text_input(tr("kinds.name_en"), key=wkey(prefix, "en"))
        if st.form_submit_button(tr("kinds.add_save"), type="primary"):

            def add(s: Session) -> None:
                made = service.add_kind(s, actor, code=code, name_ko=name_ko, name_en=name_en)
                st.session_state[PICK_NEXT] = made.code

            save_then_rerun(
                add,
                tr("kinds.added", name=name_ko if language() == "ko" else name_en),
                field_label=field_label,
                reset=prefix,  # a new generation of keys: the browser shows the form empty
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
        name = st.text_input(tr("kinds.field.name"), key=wkey(prefix, "name"))
        type_ = st.selectbox(
            tr("kinds.field.type"),
            list(FIELD_TYPES),
            format_func=lambda v: type_label(v, lang),
            placeholder=tr("common.choose_one"),
            key=relabelled(wkey(prefix, "type")),
        )
        label_ko = st.text_input(tr("kinds.field.label_ko"), key=wkey(prefix, "ko"))
        label_en = st.text_input(tr("kinds.field.label_en"), key=wkey(prefix, "en"))
        required = st.checkbox(tr("kinds.field.required"), key=wkey(prefix, "required"))
        unit_ko = st.text_input(tr("kinds.field.unit_ko"), key=wkey(prefix, "unit_ko"))
        unit_en = st.text_input(tr("kinds.field.unit_en"), key=wkey(prefix, "unit_en"))
        # Text boxes, as in the edit form: a whole number shows as typed ("500", not "500.00").
        limits = {
            key: st.text_input(
                tr(f"kinds.field.{key}"),
                key=wkey(prefix, key),
                help=tr("kinds.field.limit_help"),
            )
            for key in ("min", "max")
        }
        positive = st.checkbox(tr("kinds.field.positive"), key=wkey(prefix, "positive"))
        max_len = st.number_input(
            tr("kinds.field.max_len"), value=None, min_value=1, step=1, key=wkey(prefix, "max_len")
        )
        lines = st.text_area(
            tr("kinds.field.choices"),
            help=tr("kinds.field.choices_help"),
            key=wkey(prefix, "choices"),
        )
        if st.form_submit_button(tr("kinds.field_add_save"), type="primary"):
            choices = read_choices(lines)
            bounds = {key: _read_limit(key, text) for key, text in limits.items()}
            if choices is None or any(b is _UNREADABLE for b in bounds.values()):
                return
            field = FieldInput(
                name=name.strip(),
                type=type_,
                label_ko=label_ko,
                label_en=label_en,
                required=required,
                min=bounds["min"],  # type: ignore[arg-type]
                max=bounds["max"],  # type: ignore[arg-type]
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
        key=relabelled(f"kind_field_pick_{kind.code}"),
    )
    field = fields[name]
    prefix = f"kind_field_edit_{kind.code}_{name}_{version}"
    with st.form(prefix):
        label_ko = st.text_input(tr("kinds.field.label_ko"), value=field.label_ko)
        label_en = st.text_input(tr("kinds.field.label_en"), value=field.label_en)
        required = st.checkbox(tr("kinds.field.required"), value=field.required)
        unit_ko = unit_en = None
        limits: dict[str, str] = {}
        if field.type in NUMBER_TYPES:
            unit_ko = st.text_input(tr("kinds.field.unit_ko"), value=field.unit_ko or "")
            unit_en = st.text_input(tr("kinds.field.unit_en"), value=field.unit_en or "")
            # Text boxes: emptying one removes the limit (a number box cannot be emptied).
            for key in ("min", "max"):
                limits[key] = st.text_input(
                    tr(f"kinds.field.{key}"),
                    value=_limit_text(getattr(field, key)),
                    help=tr("kinds.field.limit_help"),
                )
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
            bounds = {key: _read_limit(key, text) for key, text in limits.items()}
            if choices is None or any(b is _UNREADABLE for b in bounds.values()):
                return
            changed = FieldInput(
                name=name,
                label_ko=label_ko,
                label_en=label_en,
                required=required,
                min=bounds.get("min"),  # type: ignore[arg-type]
                max=bounds.get("max"),  # type: ignore[arg-type]
                limits_given=bool(limits),
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
