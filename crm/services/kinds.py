"""Kinds of support defined in the app: add and edit kinds and their fields (admins only).

Every write checks the permission, validates (unique codes, known types, labels in both
languages), refuses a stale save (the version the editor opened), writes audit entries in words
(crm/kinds/audit_text.py) and commits once. A field is never deleted: it is retired (hidden from
new entries; stored values stay and are still shown).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from crm.errors import ConflictError
from crm.kinds.spec import (
    FIELD_TYPES,
    NAME_RE,
    NUMBER_TYPES,
    Choice,
    KindField,
    dump_fields,
    kind_fields,
)
from crm.models import Activity, AuditAction, Programme, SupportKind
from crm.services import audit
from crm.services.actor import Actor
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.reference import get_kind
from crm.validation import Checker

ENTITY = "support_kind"
MAX_LABEL = 100
MAX_HELP = 500
MAX_UNIT = 20
KIND_FIELDS_EDITABLE = ("name_ko", "name_en", "sort_order")


def kind_entity_id(code: str) -> int:
    """The audit trail keys records by number; a kind's is a stable number from its code (the
    code itself is in the entry's context)."""
    return zlib.crc32(code.encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class FieldInput:
    """What an admin types for a field (add or edit); None means "not given" on an edit."""

    name: str
    type: str | None = None
    label_ko: str | None = None
    label_en: str | None = None
    required: bool | None = None
    min: float | None = None
    max: float | None = None
    # An edit sends min and max as they stand (None: no limit) when this is set; otherwise None
    # leaves a limit as it was.
    limits_given: bool = False
    max_len: int | None = None
    positive: bool | None = None
    unit_ko: str | None = None
    unit_en: str | None = None
    help_ko: str | None = None
    help_en: str | None = None
    # (code, ko, en) options: new ones are added, known codes relabelled.
    choices: tuple[tuple[str, str, str], ...] = ()
    retire_choices: tuple[str, ...] = ()
    restore_choices: tuple[str, ...] = ()


# -- audit --------------------------------------------------------------------------------------
def _audit(
    session: Session,
    actor: Actor,
    kind: SupportKind,
    action: AuditAction,
    *,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    audit.record(
        session,
        actor,
        action,
        ENTITY,
        kind_entity_id(kind.code),
        version=kind.version,
        field=field,
        old=old,
        new=new,
        context=kind.code,
    )


def _begin(session: Session, actor: Actor) -> None:
    begin_authorised_write(session, actor, Permission.MANAGE_KINDS)


def _fresh(session: Session, code: str, version: int | None) -> SupportKind:
    kind = get_kind(session, code)
    session.refresh(kind)
    if version is not None and kind.version != version:
        raise ConflictError([])
    return kind


def _save_fields(session: Session, kind: SupportKind, fields: list[KindField]) -> None:
    kind.fields = dump_fields(fields)  # a new list: the JSON column sees the change
    session.add(kind)
    session.flush()


# -- kinds --------------------------------------------------------------------------------------
def _kind_values(check: Checker, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in sorted(set(data) - set(KIND_FIELDS_EDITABLE)):
        check.fail(name, "error.unknown_field")
    for lang in ("ko", "en"):
        key = f"name_{lang}"
        if key in data or not partial:
            clean[key] = check.text(key, data.get(key), required=True, max_len=MAX_LABEL)
    if "sort_order" in data or not partial:
        order = data.get("sort_order")
        clean["sort_order"] = check.integer(
            "sort_order", 100 if order in (None, "") else order, minimum=0, maximum=10_000
        )
    return clean


def add_kind(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name_ko: str,
    name_en: str,
    sort_order: int | None = None,
) -> SupportKind:
    """A new kind of support, with no fields yet (add them with add_field)."""
    _begin(session, actor)
    check = Checker()
    clean_code = check.text("code", code, required=True, max_len=32)
    if clean_code is not None and not NAME_RE.fullmatch(clean_code):
        check.fail("code", "error.kind_code")
        clean_code = None
    if clean_code is not None and session.get(SupportKind, clean_code) is not None:
        check.fail("code", "error.kind_duplicate", code=clean_code)
    if sort_order is None:
        orders = session.exec(select(SupportKind.sort_order)).all()
        sort_order = max(orders, default=0) + 1
    clean = _kind_values(
        check, {"name_ko": name_ko, "name_en": name_en, "sort_order": sort_order}, partial=False
    )
    check.raise_if_errors()
    assert clean_code is not None
    kind = SupportKind(code=clean_code, fields=[], **clean)
    session.add(kind)
    session.flush()
    _audit(session, actor, kind, AuditAction.CREATE, new={"code": clean_code, **clean})
    session.commit()
    return kind


def edit_kind(
    session: Session, actor: Actor, code: str, *, version: int, changes: Mapping[str, Any]
) -> SupportKind:
    """Rename a kind or change its place in lists (name_ko, name_en, sort_order)."""
    _begin(session, actor)
    kind = _fresh(session, code, version)
    check = Checker()
    clean = _kind_values(check, changes, partial=True)
    check.raise_if_errors()
    diff = {f: (getattr(kind, f), v) for f, v in clean.items() if getattr(kind, f) != v}
    if not diff:
        session.rollback()
        return kind
    for name, (_, new) in diff.items():
        setattr(kind, name, new)
    session.add(kind)
    session.flush()
    for name, (old, new) in diff.items():
        _audit(session, actor, kind, AuditAction.UPDATE, field=name, old=old, new=new)
    session.commit()
    return kind


# -- fields -------------------------------------------------------------------------------------
def _choices(
    check: Checker, key: str, given: Iterable[tuple[str, str, str]], known: tuple[Choice, ...]
) -> tuple[Choice, ...]:
    """Known options relabelled, new ones appended (each code once, labels in both languages)."""
    out = {c.code: c for c in known}
    seen: set[str] = set()
    for code, ko, en in given:
        code = (code or "").strip()
        if not NAME_RE.fullmatch(code):
            check.fail(key, "error.choice_code", code=code)
            continue
        if code in seen:
            check.fail(key, "error.choice_duplicate", code=code)
            continue
        seen.add(code)
        label_ko = check.text(key, ko, required=True, max_len=MAX_LABEL)
        label_en = check.text(key, en, required=True, max_len=MAX_LABEL)
        if label_ko is None or label_en is None:
            continue
        old = out.get(code)
        out[code] = Choice(code, label_ko, label_en, retired=old.retired if old else False)
    return tuple(out.values())


def _retire_choices(
    check: Checker,
    key: str,
    choices: tuple[Choice, ...],
    retire: Iterable[str],
    restore: Iterable[str],
) -> tuple[Choice, ...]:
    codes = {c.code for c in choices}
    retire, restore = set(retire), set(restore)
    for code in sorted((retire | restore) - codes):
        check.fail(key, "error.choice_unknown", code=code)
    return tuple(
        Choice(
            c.code, c.ko, c.en, retired=(c.retired or c.code in retire) and c.code not in restore
        )
        for c in choices
    )


def _field_from_input(
    check: Checker, given: FieldInput, current: KindField | None
) -> KindField | None:
    """The declaration an add or edit produces, or None (with the refusals in `check`)."""
    type_ = given.type if given.type is not None else (current.type if current else None)
    if type_ not in FIELD_TYPES:
        check.fail("type", "error.field_type")
        return None
    labels: dict[str, str | None] = {}
    for lang in ("ko", "en"):
        key = f"label_{lang}"
        typed = getattr(given, key)
        value = typed if typed is not None else (getattr(current, key) if current else None)
        labels[key] = check.text(key, value, required=True, max_len=MAX_LABEL)
    optional: dict[str, str | None] = {}
    for key, limit in (
        ("unit_ko", MAX_UNIT),
        ("unit_en", MAX_UNIT),
        ("help_ko", MAX_HELP),
        ("help_en", MAX_HELP),
    ):
        typed = getattr(given, key)
        value = typed if typed is not None else (getattr(current, key) if current else None)
        optional[key] = check.text(key, value, max_len=limit)

    def pick(name: str, default: Any) -> Any:
        typed = getattr(given, name)
        if typed is not None:
            return typed
        return getattr(current, name) if current else default

    if given.limits_given:
        minimum, maximum = given.min, given.max
    else:
        minimum, maximum = pick("min", None), pick("max", None)
    max_len = pick("max_len", None)
    if type_ not in NUMBER_TYPES:
        # What only numbers have, typed for another type, is refused rather than dropped.
        for key, typed in (
            ("min", given.min),
            ("max", given.max),
            ("unit_ko", given.unit_ko),
            ("unit_en", given.unit_en),
        ):
            if typed not in (None, ""):
                check.fail(key, "error.number_types_only")
        if given.positive:
            check.fail("positive", "error.number_types_only")
        minimum = maximum = None
    if type_ != "text":
        if given.max_len is not None:
            check.fail("max_len", "error.text_type_only")
        max_len = None
    elif max_len is not None:
        max_len = check.integer("max_len", max_len, minimum=1, maximum=10_000)
    if minimum is not None and maximum is not None and float(minimum) > float(maximum):
        check.fail("max", "error.limits_order")
    choices: tuple[Choice, ...] = ()
    if type_ == "choice":
        known = current.choices if current and current.type == "choice" else ()
        choices = _choices(check, "choices", given.choices, known)
        choices = _retire_choices(
            check, "choices", choices, given.retire_choices, given.restore_choices
        )
        if not [c for c in choices if not c.retired]:
            check.fail("choices", "error.choices_needed")
    if any(v is None for v in labels.values()):
        return None
    return KindField(
        name=given.name,
        type=type_,  # type: ignore[arg-type]
        label_ko=str(labels["label_ko"]),
        label_en=str(labels["label_en"]),
        required=bool(pick("required", False)),
        min=minimum,
        max=maximum,
        max_len=max_len,
        positive=bool(pick("positive", False)) if type_ in NUMBER_TYPES else False,
        choices=choices,
        retired=current.retired if current else False,
        **optional,
        extra=current.extra if current else {},
    )


def field_has_values(session: Session, code: str, name: str) -> bool:
    """Whether any activity of the kind stores a value for the field."""
    details = session.exec(
        select(Activity.details)
        .join(Programme, col(Programme.id) == Activity.programme_id)
        .where(Programme.kind == code)
    ).all()
    return any(isinstance(d, dict) and d.get(name) not in (None, "") for d in details)


def add_field(
    session: Session, actor: Actor, code: str, *, version: int | None, field: FieldInput
) -> SupportKind:
    """A new field at the end of the kind's form (a code no field of the kind has had)."""
    _begin(session, actor)
    kind = _fresh(session, code, version)
    check = Checker()
    fields = kind_fields(kind, include_retired=True)
    if not NAME_RE.fullmatch(field.name or ""):
        check.fail("name", "error.field_code")
    elif any(f.name == field.name for f in fields):
        check.fail("name", "error.field_duplicate", name=field.name)
    declared = _field_from_input(check, field, None)
    check.raise_if_errors()
    assert declared is not None
    _save_fields(session, kind, [*fields, declared])
    _audit(
        session,
        actor,
        kind,
        AuditAction.CREATE,
        field=f"fields.{field.name}",
        new=declared.to_json(),
    )
    session.commit()
    return kind


def edit_field(
    session: Session, actor: Actor, code: str, *, version: int | None, field: FieldInput
) -> SupportKind:
    """Relabel a field, change its limits, required flag, unit, help or choices (add, relabel,
    retire, restore options). Its type changes only while no activity holds a value for it."""
    _begin(session, actor)
    kind = _fresh(session, code, version)
    check = Checker()
    fields = kind_fields(kind, include_retired=True)
    current = next((f for f in fields if f.name == field.name), None)
    if current is None:
        check.fail("name", "error.field_unknown", name=field.name)
        check.raise_if_errors()
    assert current is not None
    if (
        field.type is not None
        and field.type != current.type
        and field_has_values(session, code, field.name)
    ):
        check.fail("type", "error.field_type_in_use")
    declared = _field_from_input(check, field, current)
    check.raise_if_errors()
    assert declared is not None
    if declared == current:
        session.rollback()
        return kind
    _save_fields(session, kind, [declared if f.name == field.name else f for f in fields])
    _audit(
        session,
        actor,
        kind,
        AuditAction.UPDATE,
        field=f"fields.{field.name}",
        old=current.to_json(),
        new=declared.to_json(),
    )
    session.commit()
    return kind


def _set_retired(
    session: Session, actor: Actor, code: str, name: str, version: int | None, retired: bool
) -> SupportKind:
    _begin(session, actor)
    kind = _fresh(session, code, version)
    fields = kind_fields(kind, include_retired=True)
    current = next((f for f in fields if f.name == name), None)
    if current is None:
        check = Checker()
        check.fail("name", "error.field_unknown", name=name)
        check.raise_if_errors()
    assert current is not None
    if current.retired == retired:
        session.rollback()
        return kind
    _save_fields(
        session, kind, [f.with_changes(retired=retired) if f.name == name else f for f in fields]
    )
    _audit(
        session,
        actor,
        kind,
        AuditAction.ARCHIVE if retired else AuditAction.RESTORE,
        field=f"fields.{name}",
        new=current.to_json(),
    )
    session.commit()
    return kind


def retire_field(
    session: Session, actor: Actor, code: str, name: str, *, version: int | None
) -> SupportKind:
    """Hide a field from new entries; every stored value stays and is still shown."""
    return _set_retired(session, actor, code, name, version, True)


def restore_field(
    session: Session, actor: Actor, code: str, name: str, *, version: int | None
) -> SupportKind:
    """Offer a retired field again."""
    return _set_retired(session, actor, code, name, version, False)
