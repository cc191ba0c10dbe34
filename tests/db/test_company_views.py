"""The companies list in SQL on both engines: search, filters, sort, paging, support summary."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from crm.services import activities, companies, stages
from crm.services.activities import NewActivity
from crm.services.activity_views import ActivityFilters, budget_check, list_activities
from crm.services.actor import Actor
from crm.services.company_views import CompanyFilters, list_companies
from tests.conftest import new_company

MENTORING = {"mentor": "M", "topic": "T", "hours": 1}


def _cohort(session: Session, officer: Actor, programmes: dict) -> dict[str, int]:
    ids = {}
    for name, stage, industry in [
        ("가나다", "pre_startup", "energy"),
        ("라마바", "startup", "healthcare"),
        ("사아자", "growth", "energy"),
        ("차카타", "startup", "other"),
    ]:
        extra = {"brn": None, "founded_on": None} if stage == "pre_startup" else {"brn": None}
        ids[name] = companies.create_company(
            session, officer, new_company(name_ko=name, stage=stage, industry=industry, **extra)
        ).id
    for day, company in (
        (date(2022, 2, 1), "라마바"),
        (date(2022, 5, 1), "라마바"),
        (date(2022, 8, 1), "사아자"),
    ):
        activities.log_activity(
            session,
            officer,
            NewActivity(
                ids[company], programmes["mentoring"].id, day, amount_krw=100, details=MENTORING
            ),
        )
    companies.archive_company(session, officer, ids["차카타"])
    return ids


def test_filters_sort_and_paging(session: Session, officer: Actor, programmes: dict) -> None:
    ids = _cohort(session, officer, programmes)
    everything = list_companies(session, officer)
    assert list(everything.rows["name_ko"]) == ["가나다", "라마바", "사아자"]
    assert list(everything.rows["stage"]) == ["pre_startup", "startup", "growth"]
    assert list(everything.rows["activities"]) == [0, 2, 1]
    assert list(everything.rows["amount_krw"]) == [0, 200, 100]
    assert everything.rows["last_support"].iloc[1] == date(2022, 5, 1)
    assert list_companies(session, officer, CompanyFilters(stages=("startup",))).total == 1
    assert list_companies(session, officer, CompanyFilters(industries=("energy",))).total == 2
    assert list_companies(session, officer, CompanyFilters(archived=True)).total == 1
    assert list_companies(session, officer, CompanyFilters(archived=None)).total == 4
    q2 = list_companies(session, officer, CompanyFilters(quarter=(2022, 2), kinds=("mentoring",)))
    assert list(q2.rows["name_ko"]) == ["라마바"]
    by_stage = list_companies(session, officer, sort="stage", descending=True)
    assert list(by_stage.rows["name_ko"]) == [
        "라마바",
        "가나다",
        "사아자",
    ]  # text order of stage codes
    page2 = list_companies(session, officer, page=2, page_size=2)
    assert (page2.total, page2.pages, list(page2.rows["name_ko"])) == (3, 2, ["사아자"])
    assert list_companies(session, officer, CompanyFilters(search="라마")).rows["id"].tolist() == [
        ids["라마바"]
    ]
    stages.change_stage(
        session, officer, ids["라마바"], stage="growth", entered_on=date(2022, 9, 1)
    )
    assert list_companies(session, officer, CompanyFilters(stages=("growth",))).total == 2


def test_activity_list_totals_and_budget_check(
    session: Session, officer: Actor, programmes: dict
) -> None:
    _cohort(session, officer, programmes)
    page = list_activities(session, ActivityFilters(quarter=(2022, 2)))
    assert (page.total, page.total_krw) == (1, 100)
    everything = list_activities(session, ActivityFilters(kinds=("mentoring",)), page_size=2)
    assert (everything.total, everything.total_krw, len(everything.rows), everything.pages) == (
        3,
        300,
        2,
        2,
    )
    check = budget_check(session, programmes["mentoring"].id, 99_999_800)
    assert (check.executed_krw, check.after_krw, check.over_budget) == (300, 100_000_100, True)
    assert not budget_check(session, programmes["mentoring"].id, 1000).over_budget


def test_choices_signature_changes_with_the_pick_list_only(
    session: Session, officer: Actor, programmes: dict
) -> None:
    """The cached company pick list is read again after an add, a rename or an archive, and not
    after an activity is logged (the data version changes on every write)."""
    from crm.services.company_views import choices_signature, company_choices

    ids = _cohort(session, officer, programmes)
    seen = {choices_signature(session)}
    activities.log_activity(
        session,
        officer,
        NewActivity(ids["가나다"], programmes["mentoring"].id, date(2022, 9, 1), details=MENTORING),
    )
    assert choices_signature(session) in seen
    company = companies.get_company(session, ids["가나다"])
    companies.update_company(
        session, officer, company.id, version=company.version, changes={"name_ko": "가나다라"}
    )
    assert choices_signature(session) not in seen
    assert "가나다라" in company_choices(session).values()
    seen.add(choices_signature(session))
    companies.archive_company(session, officer, ids["라마바"])
    assert choices_signature(session) not in seen
    seen.add(choices_signature(session))
    companies.create_company(session, officer, new_company(name_ko="새회사", brn=None))
    assert choices_signature(session) not in seen
