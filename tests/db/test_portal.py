"""Data requests at the service layer, on SQLite and PostgreSQL: links and every refusal,
throttling, one company's link never reaching another's data, review, provenance in the audit
trail."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, func, select

from crm.errors import NotFound, PermissionDenied, ValidationError
from crm.models import AuditEntry, Company, OutcomeReport, utcnow
from crm.portal import answers, reminders, requests, tally
from crm.portal.links import PortalRefused, resolve
from crm.portal.models import (
    AskStatus,
    DataRequestCompany,
    Evidence,
    OutcomeProvenance,
    PortalLink,
    PortalThrottle,
)
from crm.services import companies as company_service
from crm.services import outcomes
from crm.services.actor import Actor
from crm.services.sessions import hash_secret
from tests.conftest import new_company

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIGURES = {
    "employees": 10,
    "new_hires": 2,
    "revenue_krw": 120_000_000,
    "patents_filed": 1,
    "patents_registered": 0,
    "investment_krw": 0,
    "exports_krw": 5_000_000,
}


def _companies(session: Session, officer: Actor, n: int) -> list[Company]:
    return [
        company_service.create_company(
            session, officer, new_company(name_ko=f"포털기업{i}", brn=None, email=f"c{i}@ex.kr")
        )
        for i in range(n)
    ]


def _open(session: Session, manager: Actor, companies: list[Company]) -> int:
    return requests.open_request(
        session,
        manager,
        requests.NewRequest(
            year=2022,
            quarter=4,
            due_on=date.today() + timedelta(days=10),
            company_ids=tuple(c.id for c in companies),
        ),
    )


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


def _links(session: Session, actor: Actor, request_id: int) -> dict[int, str]:
    return {r.company_id: _token(r.link) for r in reminders.issue_links(session, actor, request_id)}


@pytest.fixture
def setup(session: Session, manager: Actor, officer: Actor) -> tuple[int, list[Company], dict]:
    companies = _companies(session, officer, 2)
    request_id = _open(session, manager, companies)
    return request_id, companies, _links(session, manager, request_id)


def test_open_request_counts_and_permissions(
    session: Session, manager: Actor, officer: Actor, analyst: Actor
) -> None:
    companies = _companies(session, officer, 3)
    with pytest.raises(PermissionDenied):
        _open(session, officer, companies)
    request_id = _open(session, manager, companies)
    queue = requests.review_queue(session, officer, request_id)
    assert queue.counts["asked"] == 3
    assert queue.counts["not_started"] == 3
    assert queue.counts["overdue"] == 0
    late = requests.review_queue(
        session, officer, request_id, today=date.today() + timedelta(days=11)
    )
    assert late.counts["overdue"] == 3
    assert all(r.overdue for r in late.rows)
    with pytest.raises(PermissionDenied):
        requests.review_queue(session, analyst, request_id)


def test_open_request_refuses_bad_input(session: Session, manager: Actor, officer: Actor) -> None:
    companies = _companies(session, officer, 1)
    with pytest.raises(ValidationError) as err:
        requests.open_request(
            session,
            manager,
            requests.NewRequest(
                year=2022, quarter=4, due_on=date(2022, 1, 1), company_ids=(), fields=("salary",)
            ),
        )
    assert err.value.fields == {"company_ids", "fields", "due_on"}
    assert session.exec(select(DataRequestCompany)).all() == []
    assert companies


def test_token_is_long_random_and_stored_only_hashed(session: Session, setup) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    token = tokens[companies[0].id]
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    stored = session.exec(select(PortalLink.token_hash)).all()
    assert hash_secret(token) in stored
    assert token not in stored
    texts = [
        f"{e.old_value} {e.new_value} {e.context}" for e in session.exec(select(AuditEntry)).all()
    ]
    assert not any(token in t for t in texts)
    access = resolve(session, token, "1.2.3.4")
    assert (access.company_id, access.request_id) == (companies[0].id, request_id)


def test_wrong_expired_revoked_tokens_get_one_refusal(
    session: Session, setup, manager: Actor
) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    old = tokens[companies[0].id]
    fresh = _links(session, manager, request_id)[companies[0].id]
    messages = set()
    for bad in ("nope", old, ""):
        with pytest.raises(PortalRefused) as err:
            answers.view(session, bad, "5.5.5.5")
        messages.add(err.value.message("ko"))
    with pytest.raises(PortalRefused) as err:
        resolve(session, fresh, "5.5.5.6", now=utcnow() + timedelta(days=60))
    messages.add(err.value.message("ko"))
    assert len(messages) == 1
    assert answers.view(session, fresh, "5.5.5.7").company_id == companies[0].id


def test_failed_attempts_are_throttled_per_client(
    session: Session, setup, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    monkeypatch.setenv("CRM_PORTAL_MAX_FAILURES", "3")
    _, companies, tokens = setup
    good = tokens[companies[0].id]
    for _ in range(3):
        with pytest.raises(PortalRefused):
            resolve(session, "guess", "9.9.9.9")
    with pytest.raises(PortalRefused):  # locked: even the right token is refused
        resolve(session, good, "9.9.9.9")
    assert resolve(session, good, "8.8.8.8").company_id == companies[0].id
    row = session.get(PortalThrottle, hash_secret("9.9.9.9"))
    assert row is not None and row.locked_until is not None
    later = utcnow() + timedelta(minutes=16)
    assert resolve(session, good, "9.9.9.9", now=later).company_id == companies[0].id


def test_a_link_reaches_only_its_own_company(session: Session, setup) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    a, b = companies
    answers.save(session, tokens[b.id], "c", figures=FIGURES, patents=[])
    evidence_b = answers.add_evidence(
        session, tokens[b.id], "c", figure="new_hires", filename="b.pdf", data=PDF
    )
    view_a = answers.view(session, tokens[a.id], "c")
    assert view_a.company_id == a.id
    assert view_a.figures == {}
    assert view_a.evidence == []
    with pytest.raises(NotFound):
        answers.remove_evidence(session, tokens[a.id], "c", evidence_b)
    assert session.get(Evidence, evidence_b) is not None
    answers.save(session, tokens[a.id], "c", figures={**FIGURES, "employees": 99}, patents=[])
    assert answers.view(session, tokens[b.id], "c").figures["employees"] == 10
    assert request_id


def _submit(session: Session, token: str, figures: dict | None = None) -> str:
    return answers.save(
        session,
        token,
        "c",
        figures=figures or FIGURES,
        patents=["10-2022-0123456"],
        declared_name="김대표",
        declared_on=date(2023, 1, 10),
        submit=True,
    )


def test_submit_review_accept_with_provenance(session: Session, setup, officer: Actor) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    token = tokens[companies[0].id]
    assert answers.save(session, token, "c", figures={"employees": 10}, patents=[]) == "draft"
    answers.add_evidence(
        session, token, "c", figure="new_hires", filename="../../etc/x.pdf", data=PDF
    )
    assert _submit(session, token) == AskStatus.SUBMITTED.value
    with pytest.raises(ValidationError) as err:  # submitted: locked for the company
        answers.save(session, token, "c", figures=FIGURES, patents=[])
    assert err.value.fields == {"status"}
    queue = requests.review_queue(session, officer, request_id)
    assert queue.counts["submitted"] == 1
    assert queue.rows[0].status == "submitted" and queue.rows[0].evidence_count == 1
    answer = requests.answer_for_review(session, officer, queue.rows[0].ask_id)
    assert answer.evidence[0].filename == "x.pdf"
    # The declaration is the name the company typed (a loop over the figures once overwrote it).
    assert (answer.declared_name, answer.declared_on) == ("김대표", date(2023, 1, 10))
    requests.request_changes(
        session, officer, answer.ask_id, version=answer.version, comment="매출 증빙을 올려 주세요"
    )
    seen = answers.view(session, token, "c")
    assert (seen.status, seen.review_comment) == ("changes_requested", "매출 증빙을 올려 주세요")
    _submit(session, token, {**FIGURES, "revenue_krw": 130_000_000})
    answer = requests.answer_for_review(session, officer, answer.ask_id)
    report_id = requests.accept(session, officer, answer.ask_id, version=answer.version)
    report = session.get(OutcomeReport, report_id)
    assert report is not None and report.revenue_krw == 130_000_000 and report.year == 2022
    provenance = session.get(OutcomeProvenance, report_id)
    assert provenance is not None
    assert (provenance.source, provenance.accepted_by_id) == ("company", officer.id)
    trail = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "outcome_report",
            AuditEntry.entity_id == report_id,
            AuditEntry.field == "provenance",
        )
    ).one()
    assert trail.new_value == "company"
    assert trail.context == f"data request #{request_id}: company"
    assert trail.actor_id == officer.id
    counts = requests.review_queue(session, officer, request_id).counts
    assert (counts["accepted"], counts["submitted"]) == (1, 0)
    # The kept counts agree with counting the answers themselves.
    direct = dict(
        session.exec(
            select(DataRequestCompany.status, func.count())
            .where(DataRequestCompany.request_id == request_id)
            .group_by(DataRequestCompany.status)
        ).all()
    )
    assert {k: v for k, v in tally.counts(session, request_id).items() if v} == direct


def test_an_officers_later_edit_makes_the_figures_the_officers(
    session: Session,
    setup,
    officer: Actor,
    officer2: Actor,  # noqa: ANN001
) -> None:
    """Accepted from the company, then corrected on the company page: the source says whose the
    figures are now (the audit trail keeps who changed what)."""
    request_id, companies, tokens = setup
    _submit(session, tokens[companies[0].id])
    ask_id = requests.review_queue(session, officer, request_id).rows[0].ask_id
    answer = requests.answer_for_review(session, officer, ask_id)
    report_id = requests.accept(session, officer, ask_id, version=answer.version)
    report = session.get(OutcomeReport, report_id)
    assert report is not None
    outcomes.update_outcome_report(
        session, officer2, report_id, version=report.version, changes={}
    )  # nothing changed: still the company's
    assert session.get(OutcomeProvenance, report_id).source == "company"
    outcomes.update_outcome_report(
        session, officer2, report_id, version=report.version, changes={"employees": 12}
    )
    provenance = session.get(OutcomeProvenance, report_id)
    session.refresh(provenance)
    assert (provenance.source, provenance.accepted_by_id) == ("officer", officer2.id)


def test_accept_needs_a_submission_and_a_fresh_version(
    session: Session, setup, officer: Actor, analyst: Actor
) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    ask_id = requests.review_queue(session, officer, request_id).rows[0].ask_id
    with pytest.raises(ValidationError):
        requests.accept(session, officer, ask_id, version=1)
    with pytest.raises(PermissionDenied):
        requests.accept(session, analyst, ask_id, version=1)
    assert session.exec(select(OutcomeReport)).all() == []
    assert tokens


def test_enter_on_behalf_marks_officer_provenance(session: Session, setup, officer: Actor) -> None:  # noqa: ANN001
    request_id, companies, _ = setup
    ask = session.exec(
        select(DataRequestCompany).where(DataRequestCompany.company_id == companies[1].id)
    ).one()
    report_id = requests.enter_on_behalf(
        session, officer, ask.id, version=ask.version, figures=FIGURES
    )
    assert session.get(OutcomeProvenance, report_id).source == "officer"
    assert outcomes.reports_for_company(session, companies[1].id)[0].employees == 10
    assert request_id


def test_flags_previous_figures_and_claimed_patents(
    session: Session, setup, officer: Actor
) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    a, b = companies
    outcomes.create_outcome_report(
        session, officer, company_id=a.id, year=2022, quarter=3, figures={**FIGURES, "employees": 3}
    )
    _submit(session, tokens[b.id])
    _submit(session, tokens[a.id], {**FIGURES, "employees": 9})
    ask_a = session.exec(
        select(DataRequestCompany).where(DataRequestCompany.company_id == a.id)
    ).one()
    answer = requests.answer_for_review(session, officer, ask_a.id)
    assert answer.previous is not None and answer.previous["employees"] == 3
    assert answer.previous_period == (2022, 3)
    keys = {f.key for f in answer.flags}
    assert "portal.flag.employees_tripled" in keys
    assert "portal.flag.patent_claimed" in keys
    assert "portal.flag.evidence_missing" in keys
    assert request_id


def test_submit_refuses_bad_figures_and_changes_nothing(session: Session, setup) -> None:  # noqa: ANN001
    _, companies, tokens = setup
    token = tokens[companies[0].id]
    with pytest.raises(ValidationError) as err:
        answers.save(
            session,
            token,
            "c",
            figures={**FIGURES, "new_hires": 20, "revenue_krw": -5},
            patents=["ABC"],
            submit=True,
        )
    assert {
        "new_hires",
        "revenue_krw",
        "patents",
        "declared_name",
        "declared_on",
    } <= err.value.fields
    assert answers.view(session, token, "c").status == "not_started"
    with pytest.raises(ValidationError) as err:  # a blank figure is not a zero
        answers.save(
            session,
            token,
            "c",
            figures={**FIGURES, "exports_krw": None},
            patents=[],
            declared_name="대표",
            declared_on=date(2023, 1, 5),
            submit=True,
        )
    assert err.value.fields == {"exports_krw"}


def test_evidence_download_is_for_officers_only(
    session: Session, setup, officer: Actor, analyst: Actor
) -> None:  # noqa: ANN001
    _, companies, tokens = setup
    evidence_id = answers.add_evidence(
        session, tokens[companies[0].id], "c", figure="new_hires", filename="명부.pdf", data=PDF
    )
    name, kind, data = requests.evidence_file(session, officer, evidence_id)
    assert (name, kind, data) == ("명부.pdf", "pdf", PDF)
    with pytest.raises(PermissionDenied):
        requests.evidence_file(session, analyst, evidence_id)


def test_reminders_never_go_to_companies_that_submitted(
    session: Session, setup, manager: Actor
) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    _submit(session, tokens[companies[0].id])
    again = reminders.issue_links(session, manager, request_id)
    assert [r.company_id for r in again] == [companies[1].id]
    sending = reminders.sendings(session, request_id)[0]
    assert sending.company_ids == [companies[1].id] and sending.actor_id == manager.id


def test_an_officer_revokes_a_link(session: Session, setup, officer: Actor) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    ask = session.exec(
        select(DataRequestCompany).where(DataRequestCompany.company_id == companies[0].id)
    ).one()
    assert requests.revoke_link(session, officer, ask.id) == 1
    with pytest.raises(PortalRefused):
        answers.view(session, tokens[companies[0].id], "c")
    assert answers.view(session, tokens[companies[1].id], "c").company_id == companies[1].id
    assert request_id


def test_company_history_reads_the_provenance(session: Session, setup, officer: Actor) -> None:  # noqa: ANN001
    from crm.services import history
    from crm.ui.history import history_table

    request_id, companies, tokens = setup
    _submit(session, tokens[companies[0].id])
    ask = session.exec(
        select(DataRequestCompany).where(DataRequestCompany.company_id == companies[0].id)
    ).one()
    requests.accept(session, officer, ask.id, version=ask.version)
    said = history_table(history.company_history(session, officer, companies[0].id), "ko")
    text = " | ".join(str(v) for v in said.to_numpy().ravel())
    assert "출처" in text and "기업 제출·승인" in text
    assert "자료 요청으로 받은 수치" in text
    assert "data request" not in text and "company" not in text
    assert request_id


def test_a_stale_review_is_refused_and_writes_nothing(
    session: Session, setup, officer: Actor
) -> None:  # noqa: ANN001
    request_id, companies, tokens = setup
    _submit(session, tokens[companies[0].id])
    ask = session.exec(
        select(DataRequestCompany).where(DataRequestCompany.company_id == companies[0].id)
    ).one()
    opened = ask.version
    requests.request_changes(session, officer, ask.id, version=opened, comment="다시")
    _submit(session, tokens[companies[0].id])
    with pytest.raises(ValidationError) as err:  # opened before the company resubmitted
        requests.accept(session, officer, ask.id, version=opened)
    assert err.value.fields == {"status"}
    assert session.exec(select(OutcomeReport)).all() == []
    assert request_id
