"""Reference data every database has: the four built-in kinds of support and their field specs."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from crm.errors import NotFound
from crm.models import SupportKind
from crm.validation import MONEY_TYPE, is_money_field, is_money_spec

OVERSEAS_TYPES = ("exhibition", "market_research", "localisation", "export_contract")
INVESTMENT_ROUNDS = ("seed", "pre_a", "series_a", "series_b", "series_c", "bridge", "other")

BUILTIN_KIND_ROWS: list[dict[str, Any]] = [
    {
        "code": "mentoring",
        "name_ko": "멘토링",
        "name_en": "Mentoring",
        "sort_order": 1,
        "fields": [
            {"name": "mentor", "type": "text", "required": True, "max_len": 100},
            {"name": "topic", "type": "text", "required": True, "max_len": 200},
            {"name": "hours", "type": "decimal", "required": True, "positive": True, "max": 200},
        ],
    },
    {
        "code": "prototyping",
        "name_ko": "시제품 제작",
        "name_en": "Prototype production",
        "sort_order": 2,
        "fields": [
            {"name": "vendor", "type": "text", "required": True, "max_len": 200},
            {"name": "deliverable", "type": "text", "required": True, "max_len": 200},
            {"name": "budget", "type": MONEY_TYPE, "required": True, "min": 0},
        ],
    },
    {
        "code": "investment",
        "name_ko": "투자펀드",
        "name_en": "Fund investment",
        "sort_order": 3,
        "fields": [
            {"name": "fund_name", "type": "text", "required": True, "max_len": 200},
            {"name": "round", "type": "choice", "required": True, "choices": INVESTMENT_ROUNDS},
            {"name": "invested_amount", "type": MONEY_TYPE, "required": True, "positive": True},
        ],
    },
    {
        "code": "overseas",
        "name_ko": "해외진출",
        "name_en": "Overseas expansion",
        "sort_order": 4,
        "fields": [
            {"name": "country", "type": "country", "required": True},
            {
                "name": "programme_type",
                "type": "choice",
                "required": True,
                "choices": OVERSEAS_TYPES,
            },
            {"name": "partner", "type": "text", "required": False, "max_len": 200},
            {"name": "contract_amount", "type": MONEY_TYPE, "required": False, "min": 0},
        ],
    },
]


# Kind fields holding KRW, by name: for places that see a stored value without its kind's spec
# (the audit history of an activity's details).
MONEY_KIND_FIELDS = frozenset(
    f["name"] for row in BUILTIN_KIND_ROWS for f in row["fields"] if is_money_spec(f)
)


def is_money_name(name: str) -> bool:
    """`amount_krw`, `details.invested_amount`, `invested_amount`: KRW by the declarations."""
    bare = name.removeprefix("details.")
    return is_money_field(bare) or bare in MONEY_KIND_FIELDS


def ensure_builtin_kinds(session: Session) -> int:
    """Insert the built-in kinds that are missing (idempotent); returns how many were added."""
    existing = set(session.exec(select(SupportKind.code)).all())
    added = 0
    for row in BUILTIN_KIND_ROWS:
        if row["code"] not in existing:
            session.add(SupportKind(**row))
            added += 1
    session.commit()
    return added


def get_kind(session: Session, code: str) -> SupportKind:
    kind = session.get(SupportKind, code)
    if kind is None:
        raise NotFound(entity="support_kind", id=code)
    return kind


def list_kinds(session: Session) -> list[SupportKind]:
    return list(session.exec(select(SupportKind).order_by(SupportKind.sort_order)).all())


def kind_label(kind: SupportKind, lang: str) -> str:
    return kind.name_ko if lang == "ko" else kind.name_en
