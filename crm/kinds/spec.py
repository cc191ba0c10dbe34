"""One typed declaration of a kind's fields: parsed from and written to `support_kind.fields`.

Everything that shows, reads or checks an activity's kind fields (the activity form, quick entry,
the importer's mapping and template, the report's per-kind sheets, history, validation) asks these
objects; no code is written per kind or per field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast, get_args

FieldType = Literal["text", "integer", "decimal", "money", "date", "choice", "country", "hours"]
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)
# Stored types written before the declaration had its own names.
LEGACY_TYPES: dict[str, FieldType] = {"int": "integer"}
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
NUMBER_TYPES = frozenset({"integer", "decimal", "money", "hours"})
WHOLE_TYPES = frozenset({"integer", "money"})
# Default upper limits when a field declares none (money: a thousand trillion won).
DEFAULT_MAX: dict[str, float] = {
    "integer": 10**15,
    "money": 10**15,
    "decimal": 10_000,
    "hours": 1_000_000,
}
DEFAULT_MAX_LEN = 200
MONEY_UNIT = {"ko": "원", "en": "KRW"}


@dataclass(frozen=True)
class Choice:
    """One option of a choice field, with its labels; a retired option is kept for old values."""

    code: str
    ko: str
    en: str
    retired: bool = False

    def label(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "ko": self.ko, "en": self.en}
        if self.retired:
            out["retired"] = True
        return out

    @classmethod
    def from_json(cls, raw: Any) -> Choice:
        if isinstance(raw, str):  # stored before choices had labels
            return cls(code=raw, ko=raw, en=raw)
        return cls(
            code=str(raw["code"]),
            ko=str(raw.get("ko") or raw["code"]),
            en=str(raw.get("en") or raw["code"]),
            retired=bool(raw.get("retired", False)),
        )


@dataclass(frozen=True)
class KindField:
    """A field an activity of a kind carries: its code, type, labels, limits and choices."""

    name: str
    type: FieldType
    label_ko: str
    label_en: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_len: int | None = None
    positive: bool = False
    choices: tuple[Choice, ...] = ()
    unit_ko: str | None = None
    unit_en: str | None = None
    help_ko: str | None = None
    help_en: str | None = None
    retired: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    # -- labels -------------------------------------------------------------------------------
    def label(self, lang: str) -> str:
        return self.label_ko if lang == "ko" else self.label_en

    def unit(self, lang: str) -> str | None:
        """The declared unit; money fields are in won unless they say otherwise."""
        declared = self.unit_ko if lang == "ko" else self.unit_en
        if declared:
            return declared
        return MONEY_UNIT[lang if lang in MONEY_UNIT else "en"] if self.is_money else None

    def heading(self, lang: str) -> str:
        """The label with its unit, for form inputs and column headers: "제작 예산 (원)"."""
        unit = self.unit(lang)
        return f"{self.label(lang)} ({unit})" if unit else self.label(lang)

    def help(self, lang: str) -> str | None:
        return self.help_ko if lang == "ko" else self.help_en

    def choice_label(self, code: Any, lang: str) -> str:
        """The label of a stored choice (retired ones too); an unknown code is shown as stored."""
        for choice in self.choices:
            if choice.code == str(code):
                return choice.label(lang)
        return str(code)

    def choice_codes(self, *, include_retired: bool = False) -> list[str]:
        return [c.code for c in self.choices if include_retired or not c.retired]

    # -- kinds of value -----------------------------------------------------------------------
    @property
    def is_money(self) -> bool:
        return self.type == "money"

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @property
    def is_whole(self) -> bool:
        return self.type in WHOLE_TYPES

    @property
    def limit_max(self) -> float:
        return self.max if self.max is not None else DEFAULT_MAX.get(self.type, 10**15)

    @property
    def limit_min(self) -> float:
        return self.min if self.min is not None else 0

    @property
    def text_max_len(self) -> int:
        return self.max_len if self.max_len is not None else DEFAULT_MAX_LEN

    def display(self, value: Any, lang: str) -> Any:
        """A stored value as a person reads it (choice labels; numbers and text unchanged)."""
        if value is None or value == "":
            return value
        if self.type == "choice":
            return self.choice_label(value, lang)
        return value

    # -- JSON ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        out.update({"name": self.name, "type": self.type})
        out["label_ko"], out["label_en"] = self.label_ko, self.label_en
        out["required"] = self.required
        for key in ("min", "max"):
            value = getattr(self, key)
            if value is not None:
                out[key] = int(value) if float(value).is_integer() else value
        if self.max_len is not None:
            out["max_len"] = self.max_len
        if self.positive:
            out["positive"] = True
        if self.type == "choice":
            out["choices"] = [c.to_json() for c in self.choices]
        for key in ("unit_ko", "unit_en", "help_ko", "help_en"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.retired:
            out["retired"] = True
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> KindField:
        """A stored field dict; one stored without labels is labelled by its name (kinds stored
        before migration 0007 carried no labels)."""
        name = str(raw["name"])
        stored_type = str(raw.get("type", "text"))
        kind_type = LEGACY_TYPES.get(stored_type, stored_type)
        if kind_type not in FIELD_TYPES:
            raise ValueError(f"Unknown field type {stored_type!r} in kind spec")
        known = {
            "name", "type", "label_ko", "label_en", "required", "min", "max", "max_len",
            "positive", "choices", "unit_ko", "unit_en", "help_ko", "help_en", "retired", "unit",
        }  # fmt: skip
        unit = raw.get("unit")
        return cls(
            name=name,
            type=cast(FieldType, kind_type),
            label_ko=str(raw.get("label_ko") or name),
            label_en=str(raw.get("label_en") or name),
            required=bool(raw.get("required", False)),
            min=raw.get("min"),
            max=raw.get("max"),
            max_len=raw.get("max_len"),
            positive=bool(raw.get("positive", False)),
            choices=tuple(Choice.from_json(c) for c in raw.get("choices") or ()),
            unit_ko=raw.get("unit_ko") or unit,
            unit_en=raw.get("unit_en") or unit,
            help_ko=raw.get("help_ko"),
            help_en=raw.get("help_en"),
            retired=bool(raw.get("retired", False)),
            extra={k: v for k, v in raw.items() if k not in known},
        )

    def with_changes(self, **changes: Any) -> KindField:
        return replace(self, **changes)


def parse_choice_line(text: str) -> tuple[str, str, str]:
    """A choice typed as 'code = 한국어 / English' (the CLI's --choice, the page's lines)."""
    code, sep, labels = text.partition("=")
    ko, slash, en = labels.partition("/")
    if not sep or not slash:
        raise ValueError(f"cannot read the choice '{text}': write it as code=한국어/English")
    return code.strip(), ko.strip(), en.strip()


def parse_fields(raw: Iterable[Mapping[str, Any]] | None) -> list[KindField]:
    return [KindField.from_json(f) for f in raw or ()]


def dump_fields(fields: Iterable[KindField]) -> list[dict[str, Any]]:
    return [f.to_json() for f in fields]


def kind_fields(kind: Any, *, include_retired: bool = False) -> list[KindField]:
    """The declared fields of a kind (a SupportKind row, a dict with "fields", or the stored list);
    retired fields only when asked (history, reports, editing an old activity)."""
    if isinstance(kind, Mapping):
        raw = kind.get("fields")
    elif isinstance(kind, list | tuple):
        raw = kind
    else:
        raw = getattr(kind, "fields", None)
    fields = parse_fields(raw)
    return fields if include_retired else [f for f in fields if not f.retired]


def find_field(kind: Any, name: str) -> KindField | None:
    return next((f for f in kind_fields(kind, include_retired=True) if f.name == name), None)


def is_money(spec: KindField | Mapping[str, Any]) -> bool:
    """A kind field holding whole won (declared type "money")."""
    if isinstance(spec, KindField):
        return spec.is_money
    return spec.get("type") == "money"
