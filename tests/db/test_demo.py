"""The 2022 demo cohort: deterministic, 99 fictional companies, every stage, kind and quarter."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crm import demo
from crm.db import make_engine
from crm.errors import CRMError
from crm.migrate import upgrade
from crm.models import Company, StageEntry
from crm.services import stages, stats
from crm.services.actor import system_actor
from crm.services.companies import PROFILE_FIELDS, validate_profile
from crm.validation import Checker
from tests.support import snapshot


def _without_system_user(snap: dict) -> dict:
    # The system user's own created_at is the wall clock; every demo row is fixed by the seed.
    return {k: v for k, v in snap.items() if k != "app_user"}


def test_demo_cohort_shape(engine: Engine, session: Session) -> None:
    result = demo.load(session)
    assert result.companies == 99
    assert demo.demo_company_count(session) == 99
    by_stage = stats.companies_by_stage(session)
    assert sum(by_stage.values()) == 99 and all(n > 0 for n in by_stage.values())
    kinds = stats.activities_by_kind(session, year=2022)
    assert set(kinds["kind"]) == {"mentoring", "prototyping", "investment", "overseas"}
    quarters = stats.activities_by_quarter(session)
    assert list(quarters["quarter"]) == [1, 2, 3, 4]
    moves = session.exec(select(StageEntry)).all()
    assert len(moves) > 99  # some companies moved stage during 2022
    assert all(m.entered_on.year == 2022 for m in moves)


def test_demo_rows_pass_the_same_validation_as_the_app(engine: Engine, session: Session) -> None:
    demo.load(session)
    for company in session.exec(select(Company)).all():
        check = Checker()
        validate_profile(
            session, check, {f: getattr(company, f) for f in PROFILE_FIELDS}, partial=False
        )
        assert check.errors == [], (company.name_ko, check.errors)
        stage = stages.current_stage(session, company.id)
        if stage.value != "pre_startup":
            assert company.founded_on is not None
        else:
            assert company.brn is None and company.founded_on is None
        assert "(가상)" in company.name_ko


def test_demo_load_is_deterministic(tmp_path: Path) -> None:
    snaps = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite3")
        upgrade(engine)
        with Session(engine) as s:
            demo.load(s, companies=150, seed=7)
        snaps.append(_without_system_user(snapshot(engine)))
        engine.dispose()
    assert snaps[0] == snaps[1]
    assert len(snaps[0]["company"]) == 150


def test_demo_refuses_a_database_with_data_unless_replace(engine: Engine, session: Session) -> None:
    demo.load(session, companies=20, seed=1)
    before = snapshot(engine)
    with pytest.raises(CRMError):
        demo.load(session, companies=20, seed=1)
    assert snapshot(engine) == before
    demo.load(session, companies=20, seed=1, replace=True)
    after = snapshot(engine)
    assert after["company"] == before["company"]
    assert after["activity"] == before["activity"]


def test_demo_only_for_admins(engine: Engine, session: Session, officer) -> None:  # noqa: ANN001
    system_actor(session)
    with pytest.raises(CRMError):
        demo.load(session, officer, companies=5)
    assert session.exec(select(col(Company.id))).all() == []
