"""Korean particles after a name put into a message: "'피칭 데이'를", "'장비'를", "'성장'을".

The catalogue writes both forms, "을(를)", because the name is not known until the message is
filled in; once it is, the particle that fits the name's last syllable is chosen (a syllable
ending in a consonant takes 을/이/은/과, one ending in a vowel 를/가/는/와). Quotes and closing
brackets after the name are looked through ("'광천데이터 (가상)'을"). A name that does not end
in Hangul (a code, a number, English) keeps both forms, which reads correctly either way."""

from __future__ import annotations

import re

# (after a consonant, after a vowel) for each written pair, either order.
_PAIRS = {"을": ("을", "를"), "를": ("을", "를"), "이": ("이", "가"), "가": ("이", "가")}
_PAIRS |= {"은": ("은", "는"), "는": ("은", "는"), "과": ("과", "와"), "와": ("과", "와")}
_BOTH = re.compile(
    r"([^\s'\"’”)\]」』]?)([\s'\"’”)\]」』]*)(을|를|이|가|은|는|과|와)\((을|를|이|가|은|는|과|와)\)"
)
_CLOSERS = "'\"’”)]」』"
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def _ends_in_consonant(char: str) -> bool | None:
    code = ord(char) if char else 0
    if not _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return None
    return (code - _HANGUL_FIRST) % 28 != 0


def _choose(match: re.Match[str]) -> str:
    last, closers, first, second = match.groups()
    pair = _PAIRS[first]
    if _PAIRS[second] != pair or not set(closers) <= set(_CLOSERS):
        return match.group(0)
    consonant = _ends_in_consonant(last)
    if consonant is None:
        return match.group(0)
    return f"{last}{closers}{pair[0] if consonant else pair[1]}"


def fit_particles(text: str) -> str:
    """Each "을(를)"-style pair in `text` reduced to the particle its preceding word takes."""
    if "(" not in text:
        return text
    return _BOTH.sub(_choose, text)
