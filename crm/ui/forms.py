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
from crm.kinds import hpc
from crm.kinds.spec import KindField, kind_fields
from crm.services.audit import to_text
from crm.services.reference import list_kinds
from crm.ui import format as fmt
from crm.ui.amounts import read_amount
from crm.ui.data import data_version
from crm.ui.data import session as data_session
from crm.ui.state import language, tr
from crm.ui.widget_state import KEEP, relabelled


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


def kind_label(field: KindField | dict[str, Any]) -> str:
    """A kind field's label with its unit, in the user's language (from its declaration)."""
    spec = field if isinstance(field, KindField) else KindField.from_json(field)
    return spec.heading(language())


def _shown_fields(spec: Any, values: dict[str, Any]) -> list[KindField]:
    """The fields a form offers: the current ones, and a retired one only where the record
    still holds a value for it (a new entry never sees a retired field)."""
    return [
        f
        for f in kind_fields(spec, include_retired=True)
        if not f.retired or values.get(f.name) not in (None, "")
    ]


def kind_inputs(
    spec: Any, values: dict[str, Any], prefix: str, *, disabled: bool = False
) -> dict[str, Any]:
    """Inputs for a kind's fields, generated from its declaration (a new kind needs no code)."""
    lang = language()
    out: dict[str, Any] = {}
    for field in _shown_fields(spec, values):
        name = field.name
        label = field.heading(lang) + (" *" if field.required and not field.retired else "")
        current = values.get(name)
        key = wkey(prefix, name)
        if field.is_money:
            out[name] = money_input(label, current, key, disabled=disabled, help=field.help(lang))
        elif field.type == "integer":
            out[name] = st.number_input(
                label,
                min_value=int(field.limit_min),
                max_value=int(field.limit_max),
                step=1,
                value=int(current) if current not in (None, "") else None,
                key=key,
                disabled=disabled,
                help=field.help(lang),
            )
        elif field.type in ("decimal", "hours"):
            out[name] = st.number_input(
                label,
                min_value=float(field.limit_min),
                max_value=float(field.limit_max),
                step=0.5,
                value=float(current) if current not in (None, "") else None,
                key=key,
                disabled=disabled,
                help=field.help(lang),
            )
        elif field.type == "choice":
            choices = field.choice_codes()
            if current not in (None, "") and str(current) not in choices:
                choices.append(str(current))  # a retired option the record still holds
            out[name] = st.selectbox(
                label,
                choices,
                index=choices.index(current) if current in choices else None,
                placeholder=tr("common.choose"),
                format_func=lambda code, f=field, lang=lang: f.choice_label(code, lang),
                key=relabelled(key),
                disabled=disabled,
                help=field.help(lang),
            )
        elif field.type == "country":
            codes = countries.choices(lang)
            out[name] = st.selectbox(
                label,
                codes,
                index=codes.index(current) if current in codes else None,
                placeholder=tr("common.country_hint"),
                format_func=lambda c, lang=lang: countries.label(c, lang),
                key=relabelled(key),
                disabled=disabled,
                help=field.help(lang),
            )
        elif field.type == "date":
            out[name] = st.date_input(
                label,
                value=date.fromisoformat(current) if current else None,
                key=key,
                disabled=disabled,
                help=field.help(lang),
            )
        else:
            out[name] = st.text_input(
                label, value=current or "", key=key, disabled=disabled, help=field.help(lang)
            )
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


@st.cache_data(show_spinner=False, max_entries=4)
def _declared_fields(version: int) -> dict[str, dict[str, Any]]:
    """Every kind's fields by name (first kind in order wins), as stored JSON (picklable)."""
    del version  # the cache key: any write (kind changes are audited) gives a new one
    with data_session() as s:
        kinds = list_kinds(s)
    out: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        for field in kind_fields(kind, include_retired=True):
            out.setdefault(field.name, field.to_json())
    return out


def value_text(field: KindField | None, value: Any, lang: str) -> str:
    """One kind-field value as a person reads it: choice labels, country names, numbers."""
    if field is not None and field.type == "choice":
        return field.choice_label(value, lang)
    if field is not None and field.type == "country" and isinstance(value, str):
        return countries.name(value, lang)
    if isinstance(value, float):
        return f"{value:,g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def detail_text(details: dict[str, Any] | None, spec: Any = None) -> str:
    """An activity's kind fields as the user reads them: labels, choice names, numbers (from the
    kind's declaration; without one, from every kind's declared fields)."""
    lang = language()
    if spec is not None:
        declared = {f.name: f for f in kind_fields(spec, include_retired=True)}
    else:
        stored = _declared_fields(data_version())
        declared = {n: KindField.from_json(f) for n, f in stored.items() if n in (details or {})}
    parts = []
    for name, value in (details or {}).items():
        field = declared.get(name)
        label = field.label(lang) if field is not None else name
        parts.append(f"{label}: {value_text(field, value, lang)}")
    used = hpc.utilisation(details)  # an HPC allocation also says how much of it is used
    if used is not None:
        parts.append(tr("hpc.utilisation", pct=f"{used:.0%}"))
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
    """The help text of a record field (what `amount_krw` means), if the catalogue has one;
    kind fields carry their help in their declaration."""
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


PAGE_SIZES = (25, 50, 100, 200)


def paging(number_box: Any, size_box: Any, key: str, *, persist: bool = False) -> tuple[int, int]:
    """A list's page number and page size (50 by default), drawn in the two boxes given; `key`
    prefixes the widgets' keys ("co" → co_page, co_page_size)."""
    kept = KEEP if persist else None
    size = size_box.selectbox(
        tr("companies.page_size"),
        list(PAGE_SIZES),
        index=PAGE_SIZES.index(50),
        placeholder=tr("common.choose_one"),
        key=f"{key}_page_size",
        persist_state=kept,
    )
    number = number_box.number_input(
        tr("companies.page"), min_value=1, value=1, step=1, key=f"{key}_page", persist_state=kept
    )
    return int(number), int(size)
