"""Form plumbing shared by pages: which fields changed since a record was opened, errors shown
next to their fields, the conflict side-by-side, and inputs generated from a kind's field spec."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from crm import countries
from crm.errors import Clash, ValidationError
from crm.i18n import t
from crm.services.audit import to_text
from crm.ui import format as fmt
from crm.ui.amounts import read_amount
from crm.ui.state import language, tr
from crm.ui.widget_state import KEEP, label_for, relabelled
from crm.validation import is_money_spec


def _blank(value: Any) -> Any:
    return None if value == "" else value


def changed_fields(opened: dict[str, Any], entered: dict[str, Any]) -> dict[str, Any]:
    """The fields the user actually changed since opening (blank text counts as empty)."""
    return {
        name: _blank(value)
        for name, value in entered.items()
        if to_text(_blank(value)) != to_text(_blank(opened.get(name)))
    }


def errors_key(form: str) -> str:
    return f"{form}__errors"


def set_errors(form: str, exc: ValidationError) -> None:
    st.session_state[errors_key(form)] = exc.messages(language())


def clear_errors(form: str) -> None:
    st.session_state.pop(errors_key(form), None)


def field_error(form: str, field: str) -> None:
    """Show this field's message right under its input (after a refused save)."""
    message = st.session_state.get(errors_key(form), {}).get(field)
    if message:
        st.caption(f":red[{message}]")


def other_errors(form: str, fields: set[str]) -> None:
    """Messages for fields the form does not show (cross-field rules)."""
    for field, message in st.session_state.get(errors_key(form), {}).items():
        if field not in fields:
            st.error(f"{field}: {message}")


def conflict_frame(clashes: list[Clash], labels: dict[str, str]) -> pd.DataFrame:
    lang = language()
    return pd.DataFrame(
        {
            tr("conflict.field"): [labels.get(c.field, c.field) for c in clashes],
            tr("conflict.theirs"): [to_text(c.theirs) for c in clashes],
            tr("conflict.yours"): [to_text(c.yours) for c in clashes],
            tr("conflict.by"): [f"{c.by} · {fmt.day(c.at, lang)}" for c in clashes],
        }
    )


def kind_label(field: dict[str, Any]) -> str:
    return tr(f"field.{field['name']}")


def kind_inputs(
    spec: list[dict[str, Any]], values: dict[str, Any], prefix: str, *, disabled: bool = False
) -> dict[str, Any]:
    """Inputs for a kind's fields, generated from its spec (a new kind needs no new code)."""
    out: dict[str, Any] = {}
    for field in spec:
        name, kind = field["name"], field.get("type", "text")
        label = kind_label(field) + (" *" if field.get("required") else "")
        current = values.get(name)
        key = wkey(prefix, name)
        if is_money_spec(field):
            out[name] = money_input(label, current, key, disabled=disabled, help=field_help(name))
        elif kind == "int":
            out[name] = st.number_input(
                label,
                min_value=0,
                step=1,
                value=int(current) if current else None,
                key=key,
                disabled=disabled,
            )
        elif kind == "decimal":
            out[name] = st.number_input(
                label,
                min_value=0.0,
                step=0.5,
                value=float(current) if current else None,
                key=key,
                disabled=disabled,
            )
        elif kind == "choice":
            choices = list(field.get("choices", []))
            out[name] = st.selectbox(
                label,
                choices,
                index=choices.index(current) if current in choices else None,
                placeholder=tr("common.choose"),
                format_func=label_for(f"choice.{name}"),
                key=relabelled(key),
                disabled=disabled,
            )
        elif kind == "country":
            lang = language()
            codes = countries.choices(lang)
            out[name] = st.selectbox(
                label,
                codes,
                index=codes.index(current) if current in codes else None,
                placeholder=tr("common.country_hint"),
                format_func=lambda c, lang=lang: countries.label(c, lang),
                key=relabelled(key),
                disabled=disabled,
            )
        elif kind == "date":
            out[name] = st.date_input(
                label,
                value=date.fromisoformat(current) if current else None,
                key=key,
                disabled=disabled,
            )
        else:
            out[name] = st.text_input(label, value=current or "", key=key, disabled=disabled)
        field_error(prefix, f"details.{name}")
    return {k: _blank(v) for k, v in out.items() if _blank(v) is not None}


def _generation(base: str) -> int:
    return int(st.session_state.get(f"{base}__gen", 0))


def wkey(base: str, field: str) -> str:
    """A form widget's key. Resetting a form moves it to a new generation of keys: the browser
    keeps a widget's last value for its key, so only new keys show the saved record again."""
    generation = _generation(base)
    return f"{base}_{field}" if generation == 0 else f"{base}.{generation}_{field}"


def reset_widgets(base: str) -> None:
    """Forget a form's widget values so it shows the saved record again."""
    stale = (f"{base}_", f"{base}.")
    for key in [
        k for k in st.session_state.keys() if str(k).startswith(stale) and "__" not in str(k)
    ]:
        del st.session_state[key]
    st.session_state[f"{base}__gen"] = _generation(base) + 1


def conflict_choice(prefix: str, clashes: list[Clash], fields: Iterable[str]) -> str | None:
    """Show a refused save side by side (their value, yours, who saved); returns "keep" (save
    mine again over the latest version), "drop" (discard mine) or None (not decided yet)."""
    st.error(tr("conflict.title") if clashes else tr("conflict.stale"))
    st.caption(tr("conflict.explain"))
    if clashes:
        labels = {f: tr(f"field.{f}") for f in fields}
        st.table(conflict_frame(clashes, labels).set_index(tr("conflict.field")))
    keep, drop = st.columns(2)
    if keep.button(tr("conflict.keep_mine"), key=wkey(prefix, "keep"), type="primary"):
        return "keep"
    if drop.button(tr("conflict.drop_mine"), key=wkey(prefix, "drop")):
        return "drop"
    return None


def detail_text(details: dict[str, Any] | None) -> str:
    """An activity's kind fields as the user reads them: labels, choice names, numbers."""
    parts = []
    for name, value in (details or {}).items():
        if isinstance(value, str):
            label_key = f"choice.{name}.{value}"
            shown = tr(label_key)
            if shown == label_key:  # not a coded choice: the value itself (a country code, a name)
                shown = countries.name(value, language()) if name == "country" else value
        elif isinstance(value, float):
            shown = f"{value:g}"
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = str(value)
        parts.append(f"{tr(f'field.{name}')}: {shown}")
    return ", ".join(parts)


def ai_field_label(value: str | None, lang: str | None = None) -> str:
    """A known AI field in the user's language; free text as typed."""
    if not isinstance(value, str) or not value:
        return ""
    key = f"ai_field.{value}"
    shown = t(key, lang or language())
    return value if shown == key else shown


def money_input(
    label: str,
    value: int | None,
    key: str,
    *,
    disabled: bool = False,
    help: str | None = None,
) -> int | str | None:
    """An amount in won typed the way Korean offices write it: 1,200,000 · 120만원 · 1.2억.
    Returns won, or the text as typed when it cannot be read (the service then says so)."""
    text = st.text_input(
        label,
        value=f"{value:,}" if value else "",
        key=key,
        disabled=disabled,
        placeholder=tr("common.money_hint"),
        help=help,
    )
    return read_amount(text)


def field_help(name: str) -> str | None:
    """The help text of a field (what the amount means), if the catalogue has one."""
    key = f"help.{name}"
    shown = tr(key)
    return None if shown == key else shown


def choose_many(
    box: Any,
    label: str,
    options: Iterable[Any],
    format_func: Any,
    key: str,
    *,
    persist: bool = False,
) -> list:
    """A filter multiselect (empty means "any"), the same on every page; its chosen labels follow
    a language switch, and with `persist` it keeps its value while the user visits other pages."""
    return box.multiselect(
        label,
        list(options),
        format_func=format_func,
        placeholder=tr("common.choose_many"),
        key=relabelled(key),
        persist_state=KEEP if persist else None,
    )


def quarter_filter(
    box: Any, years: Iterable[int], key: str, *, persist: bool = False
) -> tuple[int, int] | None:
    """A "supported in quarter" filter over the given years, newest first (None: any)."""
    quarters = [None] + [(y, q) for y in years for q in (4, 3, 2, 1)]
    anything = tr("companies.any")
    return box.selectbox(
        tr("companies.filter.quarter"),
        quarters,
        format_func=lambda v: anything if v is None else f"{v[0]} Q{v[1]}",
        placeholder=tr("companies.any"),
        key=relabelled(key),
        persist_state=KEEP if persist else None,
    )
