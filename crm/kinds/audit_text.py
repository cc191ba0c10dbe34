"""Kind changes in words, for the audit history: "Added the field 'Days used' (Whole number) to
the kind 'Test equipment'". Pure; the entries come from crm/services/kinds.py (entity
"support_kind", the kind's code in the context, a field's declaration as JSON in old/new)."""

from __future__ import annotations

import json
from typing import Any

from crm.i18n import t
from crm.kinds.spec import KindField

ENTITY = "support_kind"


def type_label(type_: str, lang: str) -> str:
    return t(f"kinds.type.{type_}", lang)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def limits_text(field: KindField, lang: str) -> str:
    """ "0 초과 · 366 이하", "200자 이내", or ''."""
    parts = []
    if field.positive:
        parts.append(t("kinds.limits.positive", lang))
    if field.min is not None and field.max is not None and not field.positive:
        parts.append(t("kinds.limits.range", lang, min=_number(field.min), max=_number(field.max)))
    else:
        if field.min is not None and not field.positive:
            parts.append(t("kinds.limits.min", lang, min=_number(field.min)))
        if field.max is not None:
            parts.append(t("kinds.limits.max", lang, max=_number(field.max)))
    if field.max_len is not None:
        parts.append(t("kinds.limits.max_len", lang, max_len=field.max_len))
    return " · ".join(parts)


def choices_text(field: KindField, lang: str) -> str:
    return ", ".join(
        t("kinds.choice_retired", lang, label=c.label(lang)) if c.retired else c.label(lang)
        for c in field.choices
    )


def _field(text: str | None) -> KindField | None:
    try:
        raw = json.loads(text or "")
    except ValueError:
        return None
    return KindField.from_json(raw) if isinstance(raw, dict) and "name" in raw else None


def _yes_no(value: bool, lang: str) -> str:
    return t("kinds.yes" if value else "kinds.no", lang)


def field_changes(old: KindField, new: KindField, lang: str) -> str:
    """What changed between two declarations of a field, attribute by attribute."""
    pairs: list[tuple[str, str, str]] = []
    if (old.label_ko, old.label_en) != (new.label_ko, new.label_en):
        pairs.append(("label", old.label(lang), new.label(lang)))
    if old.type != new.type:
        pairs.append(("type", type_label(old.type, lang), type_label(new.type, lang)))
    if old.required != new.required:
        pairs.append(("required", _yes_no(old.required, lang), _yes_no(new.required, lang)))
    if limits_text(old, lang) != limits_text(new, lang):
        pairs.append(("limits", limits_text(old, lang) or "-", limits_text(new, lang) or "-"))
    if (old.unit_ko, old.unit_en) != (new.unit_ko, new.unit_en):
        pairs.append(("unit", old.unit(lang) or "-", new.unit(lang) or "-"))
    if (old.help_ko, old.help_en) != (new.help_ko, new.help_en):
        pairs.append(("help", old.help(lang) or "-", new.help(lang) or "-"))
    if old.choices != new.choices:
        pairs.append(("choices", choices_text(old, lang) or "-", choices_text(new, lang) or "-"))
    return "; ".join(
        f"{t(f'history.kind.attr.{attr}', lang)} {before} → {after}"
        for attr, before, after in pairs
    )


def kind_sentence(
    action: str,
    field: str | None,
    old: str | None,
    new: str | None,
    kind_name: str,
    lang: str,
) -> str:
    """One kind audit entry as a sentence in the reader's language."""
    if field is None and action == "create":
        return t("history.kind.created", lang, name=kind_name)
    if field is not None and not field.startswith("fields."):
        values: dict[str, Any] = {"old": old or "-", "new": new or "-"}
        return t(
            "history.kind.renamed",
            lang,
            name=kind_name,
            field=t(f"history.kind.attr.{field}", lang),
            **values,
        )
    after, before = _field(new), _field(old)
    shown = after or before
    label = shown.label(lang) if shown else (field or "").removeprefix("fields.")
    if action == "create" and after is not None:
        return t(
            "history.kind.field_added",
            lang,
            name=kind_name,
            label=label,
            type=type_label(after.type, lang),
        )
    if action == "archive":
        return t("history.kind.field_retired", lang, name=kind_name, label=label)
    if action == "restore":
        return t("history.kind.field_restored", lang, name=kind_name, label=label)
    changes = field_changes(before, after, lang) if before and after else ""
    return t("history.kind.field_changed", lang, name=kind_name, label=label, changes=changes)
