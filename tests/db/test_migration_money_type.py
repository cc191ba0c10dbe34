"""Migration 0006: stored built-in kinds get their KRW fields typed "money" (were "int")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crm.db import make_engine
from crm.migrate import upgrade

OLD_INVESTMENT = [
    {"name": "fund_name", "type": "text", "required": True, "max_len": 200},
    {"name": "invested_amount", "type": "int", "required": True, "positive": True},
]


def _types(engine: sa.Engine, code: str) -> dict[str, str]:
    with engine.connect() as c:
        raw = c.execute(
            sa.text("SELECT fields FROM support_kind WHERE code = :c"), {"c": code}
        ).scalar_one()
    fields = json.loads(raw) if isinstance(raw, str) else raw
    return {f["name"]: f["type"] for f in fields}


def test_upgrade_types_the_builtin_money_fields(
    tmp_path: Path, empty_database_factory: Any
) -> None:
    for url, cleanup in empty_database_factory(tmp_path):
        engine = make_engine(url)
        upgrade(engine, "0005")
        with engine.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO support_kind (code, name_ko, name_en, fields, sort_order) VALUES "
                    "('investment', '투자펀드', 'Fund investment', :f, 3), "
                    "('gpu', 'GPU', 'GPU', :g, 9)"
                ),
                {
                    "f": json.dumps(OLD_INVESTMENT),
                    "g": json.dumps([{"name": "invested_amount", "type": "int"}]),
                },
            )
        upgrade(engine)
        assert _types(engine, "investment") == {"fund_name": "text", "invested_amount": "money"}
        assert _types(engine, "gpu") == {"invested_amount": "int"}  # not a built-in: untouched
        assert _types(engine, "prototyping")["budget"] == "money"  # added at head
        engine.dispose()
        cleanup()
