"""The schema comes from Alembic; the models and the migrations must agree on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from crm.migrate import current_revision


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_database_is_at_head(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from crm.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head


def test_upgrade_from_the_first_release_keeps_every_row(tmp_path, empty_database_factory) -> None:  # noqa: ANN001
    """A database built at migration 0001 (the first release) with data, upgraded to head."""
    import sqlalchemy as sa

    from crm.db import make_engine
    from crm.migrate import upgrade

    for url, cleanup in empty_database_factory(tmp_path):
        engine = make_engine(url)
        upgrade(engine, "0001")
        with engine.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO app_user (id, username, display_name, role, active, is_system, language, "
                    "failed_logins, created_at, updated_at, version) VALUES "
                    "(1, 'old', '옛 사용자', 'officer', true, false, 'ko', 0, '2022-01-01', '2022-01-01', 1)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO support_kind (code, name_ko, name_en, fields, sort_order) VALUES "
                    "('mentoring', '멘토링', 'Mentoring', '[]', 1)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO company (id, name_ko, industry, cohort_year, archived, created_at, updated_at, version) "
                    "VALUES (1, '옛 회사', 'energy', 2022, false, '2022-01-01', '2022-01-01', 3)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO stage_entry (id, company_id, stage, entered_on, recorded_by_id, recorded_at) "
                    "VALUES (1, 1, 'startup', '2022-01-05', 1, '2022-01-05')"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO programme (id, name, year, kind, budget_krw, target_companies, created_at, updated_at, version) "
                    "VALUES (1, '2022 멘토링', 2022, 'mentoring', 1000, 5, '2022-01-01', '2022-01-01', 1)"
                )
            )
            c.execute(
                sa.text(
                    "INSERT INTO activity (id, company_id, programme_id, start_on, status, amount_krw, details, created_at, updated_at, version) "
                    "VALUES (1, 1, 1, '2022-02-01', 'completed', 500, '{\"mentor\": \"M\"}', '2022-02-01', '2022-02-01', 1)"
                )
            )
        tables = ("app_user", "company", "stage_entry", "programme", "activity")
        with engine.connect() as c:
            before = {
                t: [tuple(r) for r in c.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in tables
            }
        upgrade(engine)
        with engine.connect() as c:
            after = {
                t: [tuple(r) for r in c.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in tables
            }
            new_tables = set(sa.inspect(engine).get_table_names())
        engine.dispose()
        cleanup()
        assert after == before
        assert {"quarter_close", "restatement", "import_batch"} <= new_tables
