"""Korean (default) and English message catalogues and a tiny `t(key, lang, **values)`.

`ko.py` and `en.py` hold the shared messages; each feature may add a module here (for example
`reports.py`) that defines `KO` and `EN` dicts, merged in at import."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, NamedTuple

from crm.i18n.en import MESSAGES as EN
from crm.i18n.ko import MESSAGES as KO
from crm.i18n.particles import fit_particles

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
CATALOGUES: dict[str, dict[str, str]] = {"ko": dict(KO), "en": dict(EN)}

for _module in pkgutil.iter_modules(__path__):
    if _module.name in ("ko", "en", "particles"):
        continue
    _feature = importlib.import_module(f"{__name__}.{_module.name}")
    CATALOGUES["ko"].update(getattr(_feature, "KO", {}))
    CATALOGUES["en"].update(getattr(_feature, "EN", {}))


class InEachLanguage(NamedTuple):
    """A message value that is itself a name in each language (a kind's label, say): `t` puts
    in the one of the message's language, so both catalogues use the same placeholder."""

    ko: str
    en: str

    def of(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


def t(key: str, lang: str | None = None, /, **values: Any) -> str:
    """The message for `key` in `lang`; a missing key shows itself so it is noticed, not hidden."""
    shown = lang or DEFAULT_LANGUAGE
    catalogue = CATALOGUES.get(shown, CATALOGUES["ko"])
    template = catalogue.get(key) or CATALOGUES["en"].get(key)
    if template is None:
        return key
    values = {k: v.of(shown) if isinstance(v, InEachLanguage) else v for k, v in values.items()}
    try:
        text = template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
    return fit_particles(text) if shown == "ko" else text
