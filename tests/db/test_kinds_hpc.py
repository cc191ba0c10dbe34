"""HPC utilisation (crm/kinds/hpc.py) on both engines: used / allocated per allocation, and the
allocations to reclaim (under the threshold, ending within 30 days or past)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from crm.config import SettingsError, get_settings
from crm.kinds import hpc
from crm.models import Company
from crm.services import activities as activity_service
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.companies import create_company
from crm.services.programmes import create_programme
from tests.conftest import new_company

TODAY = date(2022, 11, 20)


def _allocate(
    session: Session,
    officer: Actor,
    company: Company,
    programme_id: int,
    allocated: float,
    used: float | None,
    end_on: date | None,
    *,
    resource: str = "H100 x8",
) -> int:
    details = {
        "project_title": "비전 모델 학습",
        "resource": resource,
        "allocated_gpu_hours": allocated,
    }
    if used is not None:
        details["used_gpu_hours"] = used
    activity = activity_service.log_activity(
        session,
        officer,
        NewActivity(company.id, programme_id, date(2022, 6, 1), end_on=end_on, details=details),
    )
    assert activity.id is not None
    return activity.id


def test_utilisation_and_allocations_to_reclaim(
    session: Session, system: Actor, officer: Actor, company: Company
) -> None:
    second = create_company(session, officer, new_company(name_ko="엣지랩", brn=None))
    programme = create_programme(
        session, system, name="2022 HPC", year=2022, kind="hpc", budget_krw=0, target_companies=100
    )
    assert programme.id is not None
    pid = programme.id
    idle_soon = _allocate(session, officer, company, pid, 1000, 300, date(2022, 12, 10))
    busy_soon = _allocate(session, officer, company, pid, 1000, 800, date(2022, 12, 1))
    idle_later = _allocate(session, officer, second, pid, 2000, 100, date(2023, 3, 31))
    idle_past = _allocate(session, officer, second, pid, 500, None, date(2022, 10, 31))
    exactly_half = _allocate(session, officer, second, pid, 400, 200, date(2022, 12, 20))
    no_end = _allocate(session, officer, second, pid, 100, 0, None)
    cancelled = _allocate(session, officer, company, pid, 900, 0, date(2022, 11, 30))
    activity_service.cancel_activity(session, officer, cancelled, version=1, reason="중복")

    found = hpc.allocations(session, year=2022)
    by_id = {a.activity_id: a for a in found}
    assert cancelled not in by_id and len(found) == 6
    assert by_id[idle_soon].utilisation == pytest.approx(0.3)
    assert by_id[busy_soon].utilisation == pytest.approx(0.8)
    assert by_id[idle_later].utilisation == pytest.approx(0.05)
    assert by_id[idle_past].utilisation == 0.0  # nothing used yet
    assert by_id[idle_soon].resource == "H100 x8" and by_id[idle_later].company == "엣지랩"
    # 300 + 800 + 100 + 0 + 200 + 0 used of 1000 + 1000 + 2000 + 500 + 400 + 100 allocated
    assert hpc.overall(found) == pytest.approx(1400 / 5000)

    flagged = hpc.to_reclaim(found, TODAY, 0.5)
    assert [a.activity_id for a in flagged] == [idle_past, idle_soon]  # by end date
    assert exactly_half not in [a.activity_id for a in flagged]  # 50% is not under 50%
    assert {a.activity_id for a in hpc.to_reclaim(found, TODAY, 0.51)} == {
        idle_past,
        idle_soon,
        exactly_half,
    }
    assert hpc.to_reclaim(found, date(2023, 3, 5), 0.5)[-1].activity_id == idle_later
    assert no_end not in [a.activity_id for a in hpc.to_reclaim(found, date(2030, 1, 1), 0.5)]
    assert [a.activity_id for a in hpc.allocations(session, company_id=second.id)][0] == idle_past


def test_threshold_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_settings().hpc_idle_threshold == 0.5
    monkeypatch.setenv("CRM_HPC_IDLE_THRESHOLD", "0.25")
    assert get_settings().hpc_idle_threshold == 0.25
    monkeypatch.setenv("CRM_HPC_IDLE_THRESHOLD", "1.5")
    with pytest.raises(SettingsError) as refused:
        get_settings()
    assert "CRM_HPC_IDLE_THRESHOLD" in str(refused.value)


def test_utilisation_of_stored_details() -> None:
    assert hpc.utilisation({"allocated_gpu_hours": 200, "used_gpu_hours": 50}) == 0.25
    assert hpc.utilisation({"allocated_gpu_hours": 200}) == 0.0
    assert hpc.utilisation({"mentor": "x"}) is None
