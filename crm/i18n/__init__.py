"""Korean (default) and English message catalogues and a tiny `t(key, lang, **values)`."""

from __future__ import annotations

from typing import Any

from crm.i18n.en import MESSAGES as EN
from crm.i18n.ko import MESSAGES as KO

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
CATALOGUES: dict[str, dict[str, str]] = {"ko": KO, "en": EN}


def t(key: str, lang: str | None = None, /, **values: Any) -> str:
    """The message for `key` in `lang`; a missing key shows itself so it is noticed, not hidden."""
    catalogue = CATALOGUES.get(lang or DEFAULT_LANGUAGE, KO)
    template = catalogue.get(key) or EN.get(key)
    if template is None:
        return key
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
