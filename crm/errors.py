"""Typed errors the service layer raises; each carries i18n keys for the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm.i18n import t


def _shown(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Parameters as a user reads them: an entity by its name ("기업"), not its table's."""
    entity = params.get("entity")
    if isinstance(entity, str):
        label = t(f"entity.{entity}", lang)
        if label != f"entity.{entity}":
            return {**params, "entity": label}
    return params


class CRMError(Exception):
    """Base of every error a user may see; `message(lang)` renders it."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "ko") -> str:
        return t(self.key, lang, **_shown(self.params, lang))


@dataclass(frozen=True)
class FieldError:
    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "ko") -> str:
        return t(self.key, lang, **_shown(self.params, lang))


def _field_name(field: str, lang: str) -> str:
    """A field by its label where the catalogue has one ("field.comment"), else its name."""
    key = f"field.{field}"
    label = t(key, lang)
    return field if label == key else label


class ValidationError(CRMError):
    """One exception for all invalid input, with a message per field."""

    key = "error.validation"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(self.key, count=len(errors))

    def messages(self, lang: str = "ko") -> dict[str, str]:
        out: dict[str, str] = {}
        for err in self.errors:
            out.setdefault(err.field, err.message(lang))
        return out

    def message(self, lang: str = "ko") -> str:
        errors = getattr(self, "errors", [])
        details = "; ".join(f"{_field_name(e.field, lang)}: {e.message(lang)}" for e in errors)
        return f"{t(self.key, lang, count=len(errors))} {details}".strip()

    @property
    def fields(self) -> set[str]:
        return {e.field for e in self.errors}


class PermissionDenied(CRMError):
    key = "error.permission"


class NotFound(CRMError):
    key = "error.not_found"


@dataclass(frozen=True)
class Clash:
    """A field someone else saved since the record was opened, next to the value being saved."""

    field: str
    theirs: Any
    yours: Any
    by: str
    at: Any


class ConflictError(CRMError):
    """A save over a stale version that touches fields someone else changed meanwhile."""

    key = "error.conflict"

    def __init__(self, clashes: list[Clash]) -> None:
        self.clashes = clashes
        names = ", ".join(c.field for c in clashes) or "?"
        super().__init__(self.key, fields=names)


class AuthError(CRMError):
    key = "auth.failed"


class DatabaseBusy(CRMError):
    """Lock contention outlasted the busy timeout: nothing was saved; try again."""

    key = "error.database_busy"
