"""The funnel's two data versions (crm.analytics.versions) and the check that keeps them honest
(tests/activity_writes.py), on both engines."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from crm.analytics.versions import FrameVersions, frame_versions
from crm.analytics.versions import data_version as version_key
from crm.models import AuditAction, Company, Programme, Stage
from crm.services import activities as activity_service
from crm.services import audit
from crm.services import companies as company_service
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.stages import change_stage
from tests import activity_writes
from tests.support import new_session

MENTORING = {"mentor": "멘토 김", "topic": "IR 준비", "hours": 2}


def versions(engine: Engine) -> FrameVersions:
    with engine.connect() as conn:
        return frame_versions(conn)


def test_an_activity_moves_only_the_version_of_everything(
    engine: Engine,
    session: Session,
    officer: Actor,
    company: Company,
    programmes: dict[str, Programme],
) -> None:
    start = versions(engine)
    assert 0 < start.besides_activities == start.everything  # the setup wrote no activity
    activity = activity_service.log_activity(
        session,
        officer,
        NewActivity(company.id, programmes["mentoring"].id, date(2022, 4, 5), details=MENTORING),
    )
    logged = versions(engine)
    assert logged.everything > start.everything
    assert logged.besides_activities == start.besides_activities
    activity_service.update_activity(
        session, officer, activity.id, version=activity.version, changes={"amount_krw": 50_000}
    )
    edited = versions(engine)
    assert edited.everything > logged.everything
    assert edited.besides_activities == start.besides_activities

    # Anything else moves both: a stage move, a profile edit.
    change_stage(
        session,
        officer,
        company.id,
        stage=Stage.GROWTH,
        entered_on=date(2022, 6, 1),
        founded_on=date(2022, 6, 1),
    )
    moved = versions(engine)
    assert moved.besides_activities > edited.everything
    assert moved.everything == moved.besides_activities
    fresh = session.get(Company, company.id, populate_existing=True)
    assert fresh is not None
    company_service.update_company(
        session, officer, company.id, version=fresh.version, changes={"location": "광주 북구"}
    )
    assert versions(engine).besides_activities > moved.everything


def test_an_empty_database_is_version_zero(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry")
    found = versions(engine)
    assert (found.everything, found.besides_activities) == (0, 0)


def test_a_write_in_flight_unsettles_the_versions(
    engine: Engine, system: Actor, company: Company
) -> None:
    """On PostgreSQL an open write may still commit ids below the latest: while one is open the
    versions are unsettled and the data version is new on every read, so nothing read then is
    kept. SQLite serialises its writers, so its ids always follow commits."""
    with new_session(engine) as writer:
        audit.record(writer, system, AuditAction.UPDATE, "company", company.id, field="location")
        writer.flush()  # the id is taken, the transaction still open
        with engine.connect() as conn:
            during = frame_versions(conn)
            keys = {version_key(conn) for _ in range(3)}
        if engine.dialect.name == "postgresql":
            assert not during.settled
            assert len(keys) == 3 and all(k < 0 for k in keys)
        else:
            assert during.settled
            assert keys == {during.everything}
        writer.commit()
    after = versions(engine)
    assert after.besides_activities > during.besides_activities  # the open write, committed


@pytest.mark.parametrize("entity", ["activity", "company"])
def test_the_check_refuses_an_activity_write_that_changes_a_company(
    engine: Engine, system: Actor, company: Company, entity: str
) -> None:
    """A write audited only as activity must not touch the company table: the suite-wide check
    records it (and the autouse fixture would fail the test); audited as the company's it is
    fine."""
    activity_writes.take_breaches()
    with new_session(engine) as s:
        row = s.get(Company, company.id)
        assert row is not None
        row.location = "어딘가"
        audit.record(s, system, AuditAction.UPDATE, entity, company.id, field="location")
        s.commit()
    found = activity_writes.take_breaches()
    if entity == "activity":
        assert len(found) == 1 and "['company']" in found[0]
    else:
        assert found == []


def test_the_check_fails_closed_on_an_audit_row_it_cannot_read(
    engine: Engine, system: Actor, company: Company
) -> None:
    """An audit row written as text SQL has no readable entity: it counts as an activity's, so
    a company write beside it is reported rather than waved through."""
    activity_writes.take_breaches()
    with new_session(engine) as s:
        row = s.get(Company, company.id)
        assert row is not None
        row.location = "어딘가"
        s.flush()
        s.execute(
            text(
                "INSERT INTO audit_entry (at, actor_id, action, entity, entity_id) "
                "VALUES (CURRENT_TIMESTAMP, :actor, 'update', 'company', :id)"
            ),
            {"actor": system.id, "id": company.id},
        )
        s.commit()
    assert len(activity_writes.take_breaches()) == 1
