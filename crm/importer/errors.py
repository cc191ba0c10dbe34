"""Errors an import raises: a refused file, a file with error rows, a refused undo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crm.errors import CRMError
from crm.i18n import t

if TYPE_CHECKING:
    from crm.importer.model import ImportPreview


class ImportRefused(CRMError):
    """The file (or the mapping) cannot be imported at all; `key` says why and what to do."""

    key = "importer.refused.generic"


class ImportHasErrors(CRMError):
    """Some rows are invalid and skip_invalid was not chosen: nothing was written."""

    key = "importer.refused.error_rows"

    def __init__(self, preview: ImportPreview) -> None:
        self.preview = preview
        super().__init__(self.key, count=len(preview.error_rows))


@dataclass(frozen=True)
class Reason:
    """One reason an undo cannot go ahead (an i18n key and its values)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "ko") -> str:
        return t(self.key, lang, **self.params)


class UndoRefused(CRMError):
    """An import cannot be undone as a whole; nothing was changed. `reasons` lists why."""

    key = "importer.undo.refused"

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(self.key, count=len(reasons))

    def message(self, lang: str = "ko") -> str:
        reasons = getattr(self, "reasons", [])
        head = t(self.key, lang, count=len(reasons))
        shown = "; ".join(r.message(lang) for r in reasons[:10])
        more = t("importer.more", lang, count=len(reasons) - 10) if len(reasons) > 10 else ""
        return " ".join(part for part in (head, shown, more) if part)
