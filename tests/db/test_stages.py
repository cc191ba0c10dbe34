"""Stage history: the current stage is the latest entry, moves are validated and audited."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from crm.errors import ValidationError
from crm.models import AuditEntry, Company, Stage
from crm.services import companies as company_service
from crm.services import stages
from crm.services.actor import Actor
from crm.services.stats import companies_by_stage
from tests.conftest import new_company
from tests.support import snapshot

TODAY = date(2022, 12, 31)


def test_forward_moves_and_current_stage(session: Session, officer: Actor) -> None:
    company = company_service.create_company(
        session, officer, new_company(stage="pre_startup", brn=None, founded_on=None)
    )
    stages.change_stage(
        session,
        officer,
        company.id,
        stage="startup",
        entered_on=date(2022, 5, 1),
        founded_on=date(2022, 4, 20),
        today=TODAY,
    )
    stages.change_stage(
        session, officer, company.id, stage="growth", entered_on=date(2022, 9, 1), today=TODAY
    )
    assert stages.current_stage(session, company.id) == Stage.GROWTH
    assert [h.stage for h in stages.stage_history(session, company.id)] == [
        "pre_startup",
        "startup",
        "growth",
    ]
    assert session.get(Company, company.id).founded_on == date(2022, 4, 20)
    moves = session.exec(
        select(AuditEntry.new_value)
        .where(AuditEntry.action == "stage_change")
        .order_by(AuditEntry.id)
    ).all()
    assert moves == ["pre_startup@2022-01-10", "startup@2022-05-01", "growth@2022-09-01"]


@pytest.mark.parametrize(
    ("kwargs", "field", "key"),
    [
        ({"stage": "startup"}, "stage", "error.stage_same"),
        ({"stage": "pre_startup"}, "reason", "error.stage_backward_reason"),
        (
            {"stage": "growth", "entered_on": date(2021, 12, 1)},
            "entered_on",
            "error.stage_date_order",
        ),
        ({"stage": "growth", "entered_on": date(2023, 1, 5)}, "entered_on", "error.date_future"),
        ({"stage": "seed"}, "stage", "error.choice"),
    ],
)
def test_invalid_moves_change_nothing(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    kwargs: dict,
    field: str,
    key: str,
) -> None:
    before = snapshot(engine)
    args = {"entered_on": date(2022, 6, 1), "today": TODAY, **kwargs}
    with pytest.raises(ValidationError) as info:
        stages.change_stage(session, officer, company.id, **args)
    assert (field, key) in [(e.field, e.key) for e in info.value.errors]
    assert snapshot(engine) == before


def test_backward_move_with_reason(session: Session, officer: Actor, company: Company) -> None:
    stages.change_stage(
        session,
        officer,
        company.id,
        stage="pre_startup",
        entered_on=date(2022, 6, 1),
        reason="폐업 후 재창업 준비",
        today=TODAY,
    )
    assert stages.current_stage(session, company.id) == Stage.PRE_STARTUP


def test_leaving_pre_startup_needs_founding_date(
    engine: Engine, session: Session, officer: Actor
) -> None:
    company = company_service.create_company(
        session, officer, new_company(stage="pre_startup", brn=None, founded_on=None)
    )
    before = snapshot(engine)
    with pytest.raises(ValidationError) as info:
        stages.change_stage(
            session, officer, company.id, stage="startup", entered_on=date(2022, 5, 1), today=TODAY
        )
    assert info.value.errors[0].field == "founded_on"
    assert snapshot(engine) == before


def test_same_day_moves_resolve_by_order_and_counts_agree(
    engine: Engine, session: Session, officer: Actor
) -> None:
    """Current stage in SQL (the window query) agrees with the latest entry for every company."""
    ids = []
    for i, stage in enumerate(["pre_startup", "startup", "growth"]):
        kwargs = {"brn": None, "founded_on": None} if stage == "pre_startup" else {"brn": None}
        c = company_service.create_company(
            session, officer, new_company(name_ko=f"회사{i}", stage=stage, **kwargs)
        )
        ids.append(c.id)
    stages.change_stage(
        session, officer, ids[1], stage="growth", entered_on=date(2022, 1, 10), today=TODAY
    )
    assert companies_by_stage(session) == {"pre_startup": 1, "startup": 0, "growth": 2}
    current = stages.current_stage_subquery()
    with engine.connect() as conn:
        sql_current = dict(conn.execute(sa.select(current.c.company_id, current.c.stage)).all())
    assert sql_current == {cid: stages.current_stage(session, cid).value for cid in ids}
