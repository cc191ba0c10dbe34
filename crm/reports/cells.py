"""Cell text made safe for Excel, and how wide it shows (East Asian wide characters: two)."""

from __future__ import annotations

import re

# XML 1.0 forbids these (tab, LF and CR are allowed); lone surrogates cannot be encoded at all.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text starting with one of these would be a formula (or DDE) if typed into a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767
# East Asian Wide and Fullwidth blocks (Markus Kuhn's wcwidth ranges): Hangul, CJK, kana,
# full-width forms, emoji. A regex counts them at C speed, which matters over a million cells.
_WIDE = re.compile(
    "[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19"
    "\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\U0001f300-\U0001f64f\U0001f900-\U0001f9ff"
    "\U00020000-\U0002fffd\U00030000-\U0003fffd]"
)


def clean_text(value: str) -> str:
    """Remove the control characters Excel refuses; keep everything else as it is."""
    return _REFUSED.sub("", value)[:MAX_CELL_CHARS]


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def display_width(text: str) -> int:
    """Columns the text needs: wide and full-width characters (Hangul, CJK) take two."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def with_unit(label: str, unit: str) -> str:
    """'집행액 (분기)' + '천원' -> '집행액 (분기, 천원)'; 'Budget' + 'KRW' -> 'Budget (KRW)'."""
    if label.endswith(")"):
        return f"{label[:-1]}, {unit})"
    return f"{label} ({unit})"


MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, used: set[str]) -> str:
    """A valid sheet name, unique in `used` (compared without case, then added to it): no
    control characters or []:*?/\\, no apostrophe at either end, at most 31 characters."""
    cleaned = _ends_trimmed(_BAD_SHEET_CHARS.sub(" ", clean_text(name)))
    base = _ends_trimmed(cleaned[:MAX_SHEET_NAME]) or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = _ends_trimmed(base[: MAX_SHEET_NAME - len(suffix)]) + suffix, n + 1
    used.add(title.lower())
    return title


def _ends_trimmed(text: str) -> str:
    """Without spaces or apostrophes at either end (Excel refuses a name that starts or ends
    with an apostrophe); trimmed again after cutting to length, which can expose one."""
    return text.strip(" '")
