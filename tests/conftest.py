"""Fixtures: an `engine` parametrised over SQLite and PostgreSQL, actors for each role, and
small builders that go through the same services the app uses."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from crm.db import make_engine
from crm.migrate import upgrade
from crm.models import Company, Programme, Role
from crm.services import companies as company_service
from crm.services import programmes as programme_service
from crm.services import users as user_service
from crm.services.actor import Actor, actor_from_user, system_actor
from crm.services.reference import ensure_builtin_kinds
from tests import activity_writes
from tests.support import (
    IN_CI,
    create_pg_database,
    drop_pg_database,
    new_session,
    postgres_available,
    truncate_all,
)


@pytest.fixture(autouse=True)
def _activity_writes_touch_only_activities() -> Iterator[None]:
    """Every commit a test makes keeps the rule of crm.analytics.versions (see
    tests/activity_writes.py)."""
    activity_writes.take_breaches()
    yield
    breaches = activity_writes.take_breaches()
    if breaches:
        pytest.fail("; ".join(breaches), pytrace=False)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    reason = postgres_available()
    if reason is not None:
        message = f"PostgreSQL is not reachable ({reason})"
        if IN_CI:
            pytest.fail(message + " and CI=true requires it", pytrace=False)
        pytest.skip(message)
    name = f"crm_test_{_worker()}_{os.getpid()}"
    url = create_pg_database(name)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_factory(request: pytest.FixtureRequest):  # noqa: ANN201
    """Yields (url, cleanup) for one empty database of the parametrised engine."""

    def factory(tmp_path: Path) -> Iterator[tuple[str, object]]:
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}", lambda: None
            return
        request.getfixturevalue("pg_engine")  # skip or fail as the other PostgreSQL tests do
        name = f"crm_fresh_{_worker()}_{os.getpid()}"
        yield create_pg_database(name), lambda: drop_pg_database(name)

    return factory


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "crm.sqlite3"
        shutil.copy(template, path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        truncate_all(eng)
        with Session(eng) as s:
            ensure_builtin_kinds(s)
        yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with new_session(engine) as s:
        yield s


@pytest.fixture
def system(session: Session) -> Actor:
    return system_actor(session)


def make_user(session: Session, system: Actor, username: str, role: Role) -> Actor:
    user = user_service.create_user(
        session,
        system,
        username=username,
        display_name=f"{username.title()} 테스트",
        role=role,
        password="correct horse battery",
    )
    return actor_from_user(user)


@pytest.fixture
def admin(session: Session, system: Actor) -> Actor:
    return make_user(session, system, "admin1", Role.ADMIN)


@pytest.fixture
def officer(session: Session, system: Actor) -> Actor:
    return make_user(session, system, "officer1", Role.OFFICER)


@pytest.fixture
def officer2(session: Session, system: Actor) -> Actor:
    return make_user(session, system, "officer2", Role.OFFICER)


@pytest.fixture
def manager(session: Session, system: Actor) -> Actor:
    return make_user(session, system, "manager1", Role.MANAGER)


@pytest.fixture
def analyst(session: Session, system: Actor) -> Actor:
    return make_user(session, system, "analyst1", Role.ANALYST)


@pytest.fixture
def programmes(session: Session, system: Actor) -> dict[str, Programme]:
    """One 2022 programme per built-in kind."""
    out = {}
    for kind, budget in (
        ("mentoring", 100_000_000),
        ("prototyping", 500_000_000),
        ("investment", 2_000_000_000),
        ("overseas", 300_000_000),
    ):
        out[kind] = programme_service.create_programme(
            session,
            system,
            name=f"2022 {kind}",
            year=2022,
            kind=kind,
            budget_krw=budget,
            target_companies=10,
        )
    return out


VALID_BRN = "220-81-62517"


def new_company(**overrides: object) -> company_service.NewCompany:
    values: dict[str, object] = {
        "name_ko": "테스트에이아이",
        "industry": "healthcare",
        "cohort_year": 2022,
        "stage": "startup",
        "stage_since": date(2022, 1, 10),
        "founded_on": date(2020, 5, 1),
        "brn": VALID_BRN,
        "representative": "홍길동",
        "email": "ceo@example.com",
        "phone": "010-1234-5678",
    }
    values.update(overrides)
    return company_service.NewCompany(**values)  # type: ignore[arg-type]


@pytest.fixture
def company(session: Session, officer: Actor) -> Company:
    return company_service.create_company(session, officer, new_company())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name both engines in the report: how many database tests passed on each."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for engine_name in ("sqlite", "postgresql"):
                if f"[{engine_name}" in nodeid or f"-{engine_name}]" in nodeid:
                    bucket = counts.setdefault(engine_name, {})
                    bucket[outcome] = bucket.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("database engines")
        for engine_name, by_outcome in sorted(counts.items()):
            parts = ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items()))
            terminalreporter.write_line(f"{engine_name}: {parts}")
