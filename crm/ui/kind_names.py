"""Names of the kinds of support as the database holds them: a kind an admin adds or renames
shows its own name everywhere, with no catalogue entry written for it."""

from __future__ import annotations

from collections.abc import Mapping

from crm.services.reference import kind_label, list_kinds
from crm.ui.data import session
from crm.ui.state import language


def kind_names(lang: str | None = None) -> dict[str, str]:
    """code -> name in `lang` (the page's language by default) for every kind (a handful of
    rows: read once per call site and run)."""
    shown = lang or language()
    with session() as s:
        return {kind.code: kind_label(kind, shown) for kind in list_kinds(s)}


def name_of(names: Mapping[str, str], code: str) -> str:
    """A kind's name, or its code if the kind is unknown (never an empty cell)."""
    return names.get(code, code)
