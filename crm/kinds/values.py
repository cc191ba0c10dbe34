"""An activity's kind-field values checked against its kind's declaration (messages: "error.*")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crm.kinds.spec import KindField, parse_fields
from crm.validation import Checker


def check_value(checker: Checker, spec: KindField, value: Any, stored: Any = None) -> Any:
    """One field's value, cleaned (None when empty or refused; refusals go to `checker`).
    `stored` is the activity's value before this save (None for a new activity)."""
    key = f"details.{spec.name}"
    # A retired field is never asked for again; a value it still holds is kept and checked.
    required = spec.required and not spec.retired
    if spec.type == "text":
        return checker.text(key, value, required=required, max_len=spec.text_max_len)
    if spec.type in ("integer", "money"):
        return checker.integer(
            key,
            value,
            required=required,
            minimum=int(spec.limit_min),
            maximum=int(spec.limit_max),
            positive=spec.positive,
            money=spec.is_money,
        )
    if spec.type in ("decimal", "hours"):
        return checker.decimal(
            key,
            value,
            required=required,
            minimum=spec.limit_min,
            maximum=spec.limit_max,
            positive=spec.positive,
        )
    if spec.type == "choice":
        # A retired option is kept by the activities that hold it, never chosen anew.
        allowed = spec.choice_codes()
        if (
            stored is not None
            and stored not in allowed
            and stored in spec.choice_codes(include_retired=True)
        ):
            allowed = [*allowed, stored]
        return checker.choice(key, value, allowed, required=required)
    if spec.type == "country":
        return checker.country(key, value, required=required)
    day = checker.day(key, value, required=required)
    return day.isoformat() if day else None


def validate_details(
    checker: Checker,
    fields: Iterable[KindField] | Iterable[Mapping[str, Any]],
    details: Mapping[str, Any] | None,
    stored: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate an activity's kind-specific fields against its kind's declaration; `stored`:
    the values before this save (an edit keeps a retired option, a new entry cannot pick it)."""
    declared = [f if isinstance(f, KindField) else parse_fields([f])[0] for f in fields]
    values = dict(details or {})
    for unknown in sorted(set(values) - {f.name for f in declared}):
        checker.fail(f"details.{unknown}", "error.unknown_field")
    clean: dict[str, Any] = {}
    for spec in declared:
        out = check_value(checker, spec, values.get(spec.name), (stored or {}).get(spec.name))
        if out is not None:
            clean[spec.name] = out
    return clean
