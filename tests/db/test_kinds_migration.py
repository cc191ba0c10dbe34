"""Migration 0007: a database at 0006 keeps its kinds' stored values and activities, gains the
labels in its built-in kinds' declarations, a version column and the kinds hpc and equipment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crm.db import make_engine
from crm.kinds.spec import kind_fields
from crm.migrate import upgrade
from crm.services.reference import BUILTIN_KIND_ROWS

OLD_INVESTMENT = [
    {"name": "fund_name", "type": "text", "required": True, "max_len": 200},
    {
        "name": "round",
        "type": "choice",
        "required": True,
        "choices": ["seed", "pre_a", "series_a", "series_b", "series_c", "bridge", "other"],
    },
    {"name": "invested_amount", "type": "money", "required": True, "positive": True},
]
OLD_GPU = [{"name": "gpu_hours", "type": "int", "required": True}]


def _fields(engine: sa.Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as c:
        raw = c.execute(
            sa.text("SELECT fields FROM support_kind WHERE code = :c"), {"c": code}
        ).scalar_one()
    return json.loads(raw) if isinstance(raw, str) else raw


def test_upgrade_labels_builtin_kinds_and_adds_hpc_and_equipment(
    tmp_path: Path, empty_database_factory: Any
) -> None:
    for url, cleanup in empty_database_factory(tmp_path):
        engine = make_engine(url)
        upgrade(engine, "0006")
        with engine.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO support_kind (code, name_ko, name_en, fields, sort_order) VALUES "
                    "('investment', '투자펀드', 'Fund investment', :f, 3), "
                    "('gpu', 'GPU', 'GPU', :g, 9)"
                ),
                {"f": json.dumps(OLD_INVESTMENT), "g": json.dumps(OLD_GPU)},
            )
            c.execute(
                sa.text(
                    "INSERT INTO app_user (id, username, display_name, role, active, is_system, "
                    "language, failed_logins, created_at, updated_at, version) VALUES "
                    "(1, 'old', '옛 사용자', 'officer', true, false, 'ko', 0, '2022-01-01', "
                    "'2022-01-01', 1)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO company (id, name_ko, industry, cohort_year, archived, "
                    "created_at, updated_at, version) VALUES "
                    "(1, '옛 회사', 'energy', 2022, false, '2022-01-01', '2022-01-01', 1)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO programme (id, name, year, kind, budget_krw, target_companies, "
                    "created_at, updated_at, version) VALUES "
                    "(1, '2022 투자', 2022, 'investment', 1000, 5, '2022-01-01', '2022-01-01', 1)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO activity (id, company_id, programme_id, start_on, status, "
                    "amount_krw, details, created_at, updated_at, version) VALUES "
                    "(1, 1, 1, '2022-02-01', 'completed', 500, :d, '2022-02-01', '2022-02-01', 1)"
                ),
                {"d": json.dumps({"fund_name": "펀드", "round": "seed", "invested_amount": 500})},
            )
        with engine.connect() as c:
            activities_before = c.execute(sa.text("SELECT * FROM activity")).all()
        upgrade(engine)
        with engine.connect() as c:
            activities_after = c.execute(sa.text("SELECT * FROM activity")).all()
            versions = dict(c.execute(sa.text("SELECT code, version FROM support_kind")).all())
            codes = [
                r[0]
                for r in c.execute(sa.text("SELECT code FROM support_kind ORDER BY sort_order"))
            ]
        investment = kind_fields(_fields(engine, "investment"))
        assert [(f.name, f.label("ko"), f.label("en")) for f in investment] == [
            ("fund_name", "펀드명", "Fund"),
            ("round", "투자 단계", "Round"),
            ("invested_amount", "투자금액", "Invested amount"),
        ]
        assert investment[1].choice_label("pre_a", "ko") == "프리A"
        assert investment[1].choice_label("series_a", "en") == "Series A"
        # The migrated built-in declaration is the one fresh databases get.
        builtin = next(r for r in BUILTIN_KIND_ROWS if r["code"] == "investment")
        assert kind_fields(builtin) == investment
        assert _fields(engine, "gpu") == OLD_GPU  # not a built-in: untouched
        hpc = kind_fields(_fields(engine, "hpc"))
        assert [(f.name, f.type, f.required) for f in hpc] == [
            ("project_title", "text", True),
            ("resource", "text", True),
            ("allocated_gpu_hours", "hours", True),
            ("used_gpu_hours", "hours", False),
        ]
        equipment = kind_fields(_fields(engine, "equipment"))
        assert equipment[0].choice_codes() == [
            "av_virtual_rig",
            "ev_battery_tester",
            "medical_imaging_ai",
            "energy_storage_tester",
            "emc_chamber",
            "gpu_edge_bench",
        ]
        assert equipment[3].choice_label("no", "ko") == "미발급"
        for code in ("hpc", "equipment"):
            row = next(r for r in BUILTIN_KIND_ROWS if r["code"] == code)
            assert kind_fields(_fields(engine, code)) == kind_fields(row)
        assert set(versions.values()) == {1}
        # (the missing built-ins are added after the migrations, as on every upgrade)
        assert codes == [
            "mentoring",
            "prototyping",
            "investment",
            "overseas",
            "hpc",
            "equipment",
            "gpu",
        ]
        assert activities_after == activities_before
        engine.dispose()
        cleanup()


def test_downgrade_removes_unused_new_kinds_and_labels(
    tmp_path: Path, empty_database_factory: Any
) -> None:
    from alembic import command

    from crm.migrate import alembic_config

    for url, cleanup in empty_database_factory(tmp_path):
        engine = make_engine(url)
        upgrade(engine)
        cfg = alembic_config()
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0006")
        with engine.connect() as c:
            codes = {r[0] for r in c.execute(sa.text("SELECT code FROM support_kind"))}
            columns = {col["name"] for col in sa.inspect(c).get_columns("support_kind")}
        investment = _fields(engine, "investment")
        engine.dispose()
        cleanup()
        assert "hpc" not in codes and "equipment" not in codes and "mentoring" in codes
        assert "version" not in columns
        assert investment[1]["choices"][:2] == ["seed", "pre_a"]
        assert "label_ko" not in investment[0]
