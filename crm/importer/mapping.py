"""Column mapping: header label → target field, suggested from Korean and English names.

The mapping is a plain dict {label: field or None}; the page shows it for the user to correct
and the preview takes the corrected dict. `check_mapping` refuses one that cannot work."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from crm.importer.errors import ImportRefused
from crm.importer.fields import FieldSpec, field_label
from crm.importer.model import ImportKind
from crm.importer.parsing import USD

_BRACKETED = re.compile(r"[(\[{（［【<].*?[)\]}）］】>]")
UNIT_WORDS = {"원": 1, "천원": 10**3, "만원": 10**4, "백만원": 10**6, "억원": 10**8, "억": 10**8}
_UNIT_IN_LABEL = re.compile(r"(?:단위\s*[:：]?\s*)?(천원|만원|백만원|억원|억|원)\s*[)\]）]")
_UNIT_NOTE = re.compile(r"단위\s*[:：]?\s*(천원|만원|백만원|억원|원|usd|달러)", re.IGNORECASE)
_USD_IN_LABEL = re.compile(r"usd|us\$|\$|달러", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")
SEPARATOR = " / "  # between the names of a header block's rows: "대표자 연락처 / 전화"

# What a kind needs mapped before a preview makes sense (any one field of each group).
REQUIRED: dict[ImportKind, list[tuple[str, ...]]] = {
    ImportKind.COMPANIES: [("name_ko", "brn")],
    ImportKind.ACTIVITIES: [("company", "brn"), ("start_on",)],
    ImportKind.OUTCOMES: [("company", "brn"), ("quarter",)],
}


@lru_cache(maxsize=4096)  # header search asks for the same labels and aliases many times
def normalise_header(label: str, *, keep_brackets: bool = False) -> str:
    """A header reduced for matching: NFKC, lower case, no brackets (unless kept), no spaces,
    punctuation or required-field marks."""
    text = unicodedata.normalize("NFKC", label).lower()
    if not keep_brackets:
        text = _BRACKETED.sub("", text)
    return _NON_WORD.sub("", text)


@lru_cache(maxsize=1024)
def _alias_keys(spec: FieldSpec) -> frozenset[str]:
    return frozenset(normalise_header(a) for a in (spec.name, *spec.aliases))


def match_field(label: str, fields: Iterable[FieldSpec]) -> str | None:
    """The field whose alias equals the label (first with its brackets, then without); a
    label joined from a header block ("대표자 / 성명") is tried whole, then by its lower parts
    ("연락처" under "대표자 연락처" is the phone)."""
    specs = list(fields)
    parts = label.split(SEPARATOR)
    for start in range(len(parts)):
        if (found := _match_one(SEPARATOR.join(parts[start:]), specs)) is not None:
            return found
    return None


def _match_one(label: str, specs: list[FieldSpec]) -> str | None:
    for keep in (True, False):
        key = normalise_header(label, keep_brackets=keep)
        if not key:
            continue
        for spec in specs:
            if key in _alias_keys(spec):
                return spec.name
    return None


def suggest_mapping(labels: list[str], fields: Iterable[FieldSpec]) -> dict[str, str | None]:
    """Each label's field, each field at most once (the leftmost column wins)."""
    specs = list(fields)
    used: set[str] = set()
    mapping: dict[str, str | None] = {}
    for label in labels:
        name = match_field(label, specs)
        if name is not None and name not in used:
            used.add(name)
            mapping[label] = name
        else:
            mapping[label] = None
    return mapping


def column_unit(label: str, table_hint: str | None = None) -> int | str:
    """The unit of an amount column: from its header ("금액(만원)", "AmountInUSD"), else the
    table's "(단위: 천원)" note, else won."""
    if match := _UNIT_IN_LABEL.search(label):
        return UNIT_WORDS[match.group(1)]
    if _USD_IN_LABEL.search(label):
        return USD
    if table_hint:
        return unit_from_hint(table_hint)
    return 1


def unit_from_hint(hint: str) -> int | str:
    return USD if hint.lower() in ("usd", "달러") else UNIT_WORDS[hint]


def find_unit_note(texts: Iterable[str]) -> str | None:
    """A table-wide unit written above or beside the header, e.g. "(단위: 천원)"."""
    for text in texts:
        if match := _UNIT_NOTE.search(text):
            return match.group(1)
    return None


def check_mapping(
    mapping: dict[str, str | None],
    labels: list[str],
    kind: ImportKind,
    fields: Iterable[FieldSpec],
    lang: str = "ko",
) -> None:
    """Refuse a mapping that names unknown columns or fields, uses a field twice, or leaves a
    field the kind needs unmapped."""
    known = {spec.name for spec in fields}
    for label, name in mapping.items():
        if label not in labels:
            raise ImportRefused("importer.refused.mapping_column", column=label)
        if name is not None and name not in known:
            raise ImportRefused("importer.refused.mapping_field", column=label, field=name)
    seen: dict[str, str] = {}
    for label, name in mapping.items():
        if name is None:
            continue
        if name in seen:
            raise ImportRefused(
                "importer.refused.mapping_twice",
                field=field_label(name, lang),
                first=seen[name],
                second=label,
            )
        seen[name] = label
    for group in REQUIRED[kind]:
        if not any(name in seen for name in group):
            raise ImportRefused(
                "importer.refused.mapping_missing",
                fields=" / ".join(field_label(name, lang) for name in group),
            )
