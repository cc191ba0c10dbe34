"""An activity's kind-field values checked against its kind's declaration (messages: "error.*")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crm.kinds.spec import KindField, parse_fields
from crm.validation import Checker


def check_value(checker: Checker, spec: KindField, value: Any) -> Any:
    """One field's value, cleaned (None when empty or refused; refusals go to `checker`)."""
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
        # Retired options stay valid: old activities keep them (the form no longer offers them).
        return checker.choice(
            key, value, spec.choice_codes(include_retired=True), required=required
        )
    if spec.type == "country":
        return checker.country(key, value, required=required)
    day = checker.day(key, value, required=required)
    return day.isoformat() if day else None


def validate_details(
    checker: Checker,
    fields: Iterable[KindField] | Iterable[Mapping[str, Any]],
    details: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Validate an activity's kind-specific fields against its kind's declaration."""
    declared = [f if isinstance(f, KindField) else parse_fields([f])[0] for f in fields]
    values = dict(details or {})
    for unknown in sorted(set(values) - {f.name for f in declared}):
        checker.fail(f"details.{unknown}", "error.unknown_field")
    clean: dict[str, Any] = {}
    for spec in declared:
        out = check_value(checker, spec, values.get(spec.name))
        if out is not None:
            clean[spec.name] = out
    return clean
