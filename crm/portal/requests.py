"""Data requests, officer side: open a request, the review queue with its counts, one answer
next to the company's previous figures, and the review (accept, request changes, enter on the
company's behalf). Accepting writes the company's outcome report and its provenance in the
same transaction, audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm.errors import NotFound, ValidationError
from crm.models import AuditAction, Company, OutcomeReport, utcnow
from crm.portal import tally
from crm.portal.flags import EVIDENCE_FOR, Flag, flag_answer
from crm.portal.links import revoke_links
from crm.portal.models import (
    AskStatus,
    DataRequest,
    DataRequestCompany,
    Evidence,
    OutcomeProvenance,
    PatentClaim,
    Provenance,
)
from crm.services import audit, outcomes
from crm.services.actor import Actor
from crm.services.closing import check_open
from crm.services.company_views import CompanyFilters, _filtered
from crm.services.editing import apply_changes, check_stale
from crm.services.permissions import Permission, begin_authorised_write, check_permission
from crm.validation import Checker

OPEN_STATUSES = (AskStatus.NOT_STARTED, AskStatus.DRAFT, AskStatus.CHANGES_REQUESTED)
OVERDUE = "overdue"
QUEUE_STATUSES = (*[s.value for s in AskStatus], OVERDUE)


@dataclass(frozen=True)
class NewRequest:
    year: int
    quarter: int
    due_on: date
    company_ids: tuple[int, ...]
    fields: tuple[str, ...] = outcomes.FIGURE_FIELDS
    evidence: dict[str, str] | None = None
    note: str | None = None


@dataclass(frozen=True)
class RequestInfo:
    id: int
    year: int
    quarter: int
    due_on: date
    fields: tuple[str, ...]
    evidence: dict[str, str]
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class QueueRow:
    ask_id: int
    company_id: int
    name_ko: str
    name_en: str | None
    status: str
    overdue: bool
    submitted_at: datetime | None
    evidence_count: int


@dataclass(frozen=True)
class Queue:
    request: RequestInfo
    counts: dict[str, int]
    rows: list[QueueRow]
    total: int


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    figure: str
    filename: str
    kind: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class Answer:
    """One company's answer as the officer reviews it (never its link)."""

    ask_id: int
    version: int
    request: RequestInfo
    company_id: int
    name_ko: str
    name_en: str | None
    status: str
    overdue: bool
    figures: dict[str, Any]
    previous: dict[str, Any] | None
    previous_period: tuple[int, int] | None
    patents: list[str]
    evidence: list[EvidenceInfo]
    declared_name: str | None
    declared_on: date | None
    submitted_at: datetime | None
    review_comment: str | None
    flags: list[Flag] = field(default_factory=list)


def _info(request: DataRequest) -> RequestInfo:
    assert request.id is not None
    return RequestInfo(
        request.id,
        request.year,
        request.quarter,
        request.due_on,
        tuple(request.fields),
        dict(request.evidence),
        request.note,
        request.created_at,
    )


def company_ids_matching(session: Session, actor: Actor, filters: CompanyFilters) -> list[int]:
    """The companies the companies list shows for these filters (the same query)."""
    check_permission(session, actor, Permission.BUILD_REPORTS)
    query, _ = _filtered(actor, filters, with_stage=False)
    ids = [int(i) for i in session.exec(query.order_by(col(Company.id))).all()]
    session.rollback()
    return ids


def company_choices(session: Session, actor: Actor) -> list[tuple[int, str, str | None]]:
    """(id, Korean name, English name) of every company that may be asked (not archived)."""
    check_permission(session, actor, Permission.BUILD_REPORTS)
    rows = session.execute(
        select(Company.id, Company.name_ko, Company.name_en)
        .where(col(Company.archived).is_(False))
        .order_by(col(Company.name_ko), col(Company.id))
    ).all()
    session.rollback()
    return [(int(i), ko, en) for i, ko, en in rows]


def open_request(session: Session, actor: Actor, new: NewRequest) -> int:
    """A manager asks companies for a period's figures; returns the request's id."""
    begin_authorised_write(session, actor, Permission.BUILD_REPORTS)
    check = Checker()
    year = check.integer("year", new.year, required=True, minimum=2000, maximum=2100)
    quarter = check.integer("quarter", new.quarter, required=True, minimum=1, maximum=4)
    due_on = check.day("due_on", new.due_on, required=True)
    fields = [f for f in outcomes.FIGURE_FIELDS if f in set(new.fields)]
    if not fields or set(new.fields) - set(outcomes.FIGURE_FIELDS):
        check.fail("fields", "portal.error.fields")
    evidence = {f: (new.evidence or EVIDENCE_FOR).get(f, "none") for f in fields}
    note = check.text("note", new.note, max_len=1000, multiline=True)
    ids = sorted(set(new.company_ids))
    if not ids:
        check.fail("company_ids", "portal.error.no_companies")
    else:
        found = set(
            session.exec(
                select(Company.id).where(col(Company.id).in_(ids), col(Company.archived).is_(False))
            ).all()
        )
        if found != set(ids):
            check.fail("company_ids", "portal.error.unknown_companies", count=len(set(ids) - found))
    if year and quarter and due_on:
        from crm.quarters import Quarter

        if due_on < Quarter(year, quarter).bounds()[0]:
            check.fail("due_on", "portal.error.due_before_period")
    if check.errors:
        session.rollback()
        check.raise_if_errors()
    assert year is not None and quarter is not None and due_on is not None
    request = DataRequest(
        year=year,
        quarter=quarter,
        due_on=due_on,
        fields=fields,
        evidence=evidence,
        note=note,
        created_by_id=actor.id,
    )
    session.add(request)
    session.flush()
    assert request.id is not None
    session.execute(
        sa.insert(DataRequestCompany.__table__),  # type: ignore[attr-defined]
        [
            {
                "request_id": request.id,
                "company_id": cid,
                "status": AskStatus.NOT_STARTED.value,
                "figures": {},
                "version": 1,
                "updated_at": utcnow(),
            }
            for cid in ids
        ],
    )
    tally.start(session, request.id, len(ids))
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "data_request",
        request.id,
        new={
            "year": year,
            "quarter": quarter,
            "due_on": due_on,
            "fields": fields,
            "companies": len(ids),
        },
    )
    session.commit()
    return request.id


def get_request(session: Session, request_id: int) -> RequestInfo:
    request = session.get(DataRequest, request_id)
    if request is None:
        raise NotFound(entity="data_request", id=request_id)
    return _info(request)


def list_requests(session: Session, actor: Actor) -> list[RequestInfo]:
    check_permission(session, actor, Permission.EDIT_OUTCOMES)
    rows = session.exec(select(DataRequest).order_by(col(DataRequest.id).desc())).all()
    return [_info(r) for r in rows]


def _is_overdue(status: str, due_on: date, today: date) -> bool:
    return today > due_on and status in {s.value for s in OPEN_STATUSES}


def status_counts(session: Session, request: RequestInfo, today: date) -> dict[str, int]:
    """Companies per status (kept by crm.portal.tally), and how many of the open ones are past
    the due date."""
    counts: dict[str, int] = dict(tally.counts(session, request.id))
    counts["asked"] = sum(counts[s.value] for s in AskStatus)
    counts[OVERDUE] = sum(counts[s.value] for s in OPEN_STATUSES) if today > request.due_on else 0
    return counts


def _queue_rows(
    session: Session,
    request_id: int,
    statuses: list[str] | None,
    offset: int,
    limit: int,
    *,
    exclude: str | None = None,
) -> list[Any]:
    """One slice of a request's companies in company order: every filter walks the index
    (request_id, status, company_id), so a page costs the same at 99 or 10,000 companies."""
    ask = DataRequestCompany
    query = (
        select(
            ask.id, ask.company_id, Company.name_ko, Company.name_en, ask.status, ask.submitted_at
        )
        .join(Company, col(Company.id) == ask.company_id)
        .where(ask.request_id == request_id)
    )
    if statuses is not None:
        query = query.where(col(ask.status).in_(statuses))
    if exclude is not None:
        query = query.where(ask.status != exclude)
    return list(
        session.execute(query.order_by(col(ask.company_id)).offset(offset).limit(limit)).all()
    )


def review_queue(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    status: str | None = None,
    page: int = 1,
    page_size: int = 50,
    today: date | None = None,
) -> Queue:
    """One page of a request's companies (all: submitted ones first, awaiting review), with
    the counts per status."""
    check_permission(session, actor, Permission.EDIT_OUTCOMES)
    today = today or date.today()
    request = get_request(session, request_id)
    counts = status_counts(session, request, today)
    total = counts.get(status or "asked", 0)
    page_size = max(1, min(page_size, 500))
    offset = (max(1, page) - 1) * page_size
    submitted = AskStatus.SUBMITTED.value
    if status == OVERDUE:
        open_ = [s.value for s in OPEN_STATUSES]
        rows = _queue_rows(session, request_id, open_, offset, page_size) if total else []
    elif status:
        rows = _queue_rows(session, request_id, [status], offset, page_size)
    else:
        waiting = counts[submitted]
        rows = _queue_rows(session, request_id, [submitted], offset, page_size)
        if len(rows) < page_size:
            rest = max(0, offset - waiting)
            rows += _queue_rows(
                session, request_id, None, rest, page_size - len(rows), exclude=submitted
            )
    ask_ids = [int(r[0]) for r in rows]
    evidence_counts = dict(
        session.execute(
            select(Evidence.ask_id, func.count())
            .where(col(Evidence.ask_id).in_(ask_ids))
            .group_by(Evidence.ask_id)
        ).all()
    )
    session.rollback()
    out = [
        QueueRow(
            ask_id=int(r[0]),
            company_id=int(r[1]),
            name_ko=r[2],
            name_en=r[3],
            status=r[4],
            overdue=_is_overdue(r[4], request.due_on, today),
            submitted_at=r[5],
            evidence_count=int(evidence_counts.get(r[0], 0)),
        )
        for r in rows
    ]
    return Queue(request, counts, out, total)


def previous_figures(
    session: Session, company_id: int, year: int, quarter: int
) -> tuple[dict[str, Any] | None, tuple[int, int] | None]:
    """The company's latest outcome report before the period (its last accepted figures)."""
    report = session.exec(
        select(OutcomeReport)
        .where(
            OutcomeReport.company_id == company_id,
            (col(OutcomeReport.year) * 4 + col(OutcomeReport.quarter)) < year * 4 + quarter,
        )
        .order_by(col(OutcomeReport.year).desc(), col(OutcomeReport.quarter).desc())
        .limit(1)
    ).first()
    if report is None:
        return None, None
    return {f: getattr(report, f) for f in outcomes.FIGURE_FIELDS}, (report.year, report.quarter)


def evidence_of(session: Session, ask_id: int) -> list[EvidenceInfo]:
    rows = session.execute(
        select(
            Evidence.id,
            Evidence.figure,
            Evidence.filename,
            Evidence.kind,
            Evidence.size,
            Evidence.uploaded_at,
        )
        .where(Evidence.ask_id == ask_id)
        .order_by(col(Evidence.id))
    ).all()
    return [EvidenceInfo(*r) for r in rows]


def patents_of(session: Session, ask_id: int) -> list[str]:
    return list(
        session.exec(
            select(PatentClaim.number)
            .where(PatentClaim.ask_id == ask_id)
            .order_by(col(PatentClaim.id))
        ).all()
    )


def claimed_elsewhere(session: Session, company_id: int, numbers: list[str]) -> set[str]:
    if not numbers:
        return set()
    return set(
        session.exec(
            select(PatentClaim.number).where(
                col(PatentClaim.number).in_(numbers), PatentClaim.company_id != company_id
            )
        ).all()
    )


def load_answer(session: Session, ask_id: int, *, today: date | None = None) -> Answer:
    """An answer with its previous figures, evidence and flags (no permission check: callers
    check theirs)."""
    today = today or date.today()
    ask = session.get(DataRequestCompany, ask_id, populate_existing=True)
    if ask is None or ask.id is None:
        raise NotFound(entity="data_request_company", id=ask_id)
    request = get_request(session, ask.request_id)
    company = session.get(Company, ask.company_id)
    assert company is not None
    previous, period = previous_figures(session, ask.company_id, request.year, request.quarter)
    patents = patents_of(session, ask.id)
    evidence = evidence_of(session, ask.id)
    flags = flag_answer(
        ask.figures,
        previous,
        evidence=request.evidence,
        evidence_figures={e.figure for e in evidence},
        patents=patents,
        claimed_elsewhere=claimed_elsewhere(session, ask.company_id, patents),
    )
    return Answer(
        ask_id=ask.id,
        version=ask.version,
        request=request,
        company_id=ask.company_id,
        name_ko=company.name_ko,
        name_en=company.name_en,
        status=ask.status,
        overdue=_is_overdue(ask.status, request.due_on, today),
        figures=dict(ask.figures),
        previous=previous,
        previous_period=period,
        patents=patents,
        evidence=evidence,
        declared_name=ask.declared_name,
        declared_on=ask.declared_on,
        submitted_at=ask.submitted_at,
        review_comment=ask.review_comment,
        flags=flags,
    )


def answer_for_review(session: Session, actor: Actor, ask_id: int) -> Answer:
    check_permission(session, actor, Permission.EDIT_OUTCOMES)
    answer = load_answer(session, ask_id)
    session.rollback()
    return answer


def _ask_for_review(
    session: Session, actor: Actor, ask_id: int, version: int
) -> tuple[DataRequestCompany, DataRequest]:
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    ask = session.get(DataRequestCompany, ask_id, populate_existing=True)
    if ask is None:
        session.rollback()
        raise NotFound(entity="data_request_company", id=ask_id)
    if ask.version != version:
        session.rollback()
        raise ValidationError([_field_error("status", "portal.error.stale")])
    request = session.get(DataRequest, ask.request_id)
    assert request is not None
    return ask, request


def _field_error(name: str, key: str, **params: Any) -> Any:
    from crm.errors import FieldError

    return FieldError(name, key, params)


def set_status(
    session: Session,
    actor: Actor,
    ask: DataRequestCompany,
    changes: dict[str, Any],
    *,
    context: str | None = None,
) -> None:
    """Change an answer (audited) and keep the request's counts in step with its status."""
    before = ask.status
    apply_changes(session, actor, ask, "data_request_company", {**changes}, context=context)
    tally.move(session, ask.request_id, before, ask.status)


def _write_outcome(
    session: Session,
    actor: Actor,
    ask: DataRequestCompany,
    request: DataRequest,
    figures: dict[str, Any],
    source: Provenance,
) -> OutcomeReport:
    """The accepted figures become the company's outcome report for the period (created or
    corrected), with a provenance row; audited with the request named in the context."""
    assert ask.id is not None and request.id is not None
    context = f"data request #{request.id}: {source.value}"
    existing = session.exec(
        select(OutcomeReport).where(
            OutcomeReport.company_id == ask.company_id,
            OutcomeReport.year == request.year,
            OutcomeReport.quarter == request.quarter,
        )
    ).first()
    if existing is None:
        report = outcomes.add_outcome_report(
            session,
            actor,
            company_id=ask.company_id,
            year=request.year,
            quarter=request.quarter,
            figures=figures,
            context=context,
        )
    else:
        check = Checker()
        clean = outcomes.validate_figures(check, figures, partial=True)
        merged = {f: clean.get(f, getattr(existing, f)) for f in outcomes.FIGURE_FIELDS}
        outcomes.cross_checks(check, merged)
        check_open(check, session, "quarter", year=request.year, quarter=request.quarter)
        if check.errors:
            session.rollback()
            check.raise_if_errors()
        check_stale(session, existing, "outcome_report", existing.version, clean)
        apply_changes(session, actor, existing, "outcome_report", clean, context=context)
        report = existing
    assert report.id is not None
    provenance = session.get(OutcomeProvenance, report.id)
    now = utcnow()
    if provenance is None:
        provenance = OutcomeProvenance(
            outcome_report_id=report.id,
            source=source.value,
            ask_id=ask.id,
            accepted_by_id=actor.id,
            accepted_at=now,
        )
    else:
        provenance.source, provenance.ask_id = source.value, ask.id
        provenance.accepted_by_id, provenance.accepted_at = actor.id, now
    session.add(provenance)
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        "outcome_report",
        report.id,
        version=report.version,
        field="provenance",
        new=source.value,
        context=context,
    )
    return report


def accept(session: Session, actor: Actor, ask_id: int, *, version: int) -> int:
    """Accept a submitted answer: its figures become the company's outcome report."""
    ask, request = _ask_for_review(session, actor, ask_id, version)
    if ask.status != AskStatus.SUBMITTED.value:
        session.rollback()
        raise ValidationError([_field_error("status", "portal.error.not_submitted")])
    figures = {f: ask.figures.get(f, 0) for f in request.fields}
    report = _write_outcome(session, actor, ask, request, figures, Provenance.COMPANY)
    set_status(
        session,
        actor,
        ask,
        {
            "status": AskStatus.ACCEPTED.value,
            "reviewed_by_id": actor.id,
            "reviewed_at": utcnow(),
            "outcome_report_id": report.id,
        },
    )
    session.commit()
    assert report.id is not None
    return report.id


def request_changes(
    session: Session, actor: Actor, ask_id: int, *, version: int, comment: str
) -> None:
    """Send a submitted answer back with a comment the company sees on its link."""
    ask, _ = _ask_for_review(session, actor, ask_id, version)
    check = Checker()
    text = check.text("comment", comment, required=True, max_len=2000, multiline=True)
    if ask.status != AskStatus.SUBMITTED.value:
        check.fail("status", "portal.error.not_submitted")
    if check.errors:
        session.rollback()
        check.raise_if_errors()
    set_status(
        session,
        actor,
        ask,
        {
            "status": AskStatus.CHANGES_REQUESTED.value,
            "review_comment": text,
            "reviewed_by_id": actor.id,
            "reviewed_at": utcnow(),
        },
    )
    session.commit()


def enter_on_behalf(
    session: Session, actor: Actor, ask_id: int, *, version: int, figures: dict[str, Any]
) -> int:
    """An officer types the figures the company gave another way (phone, e-mail); accepted at
    once, with provenance 'entered by an officer'."""
    ask, request = _ask_for_review(session, actor, ask_id, version)
    check = Checker()
    clean = outcomes.validate_figures(
        check, {f: figures.get(f) for f in request.fields}, partial=False
    )
    outcomes.cross_checks(check, clean)
    if ask.status == AskStatus.ACCEPTED.value:
        check.fail("status", "portal.error.already_accepted")
    if check.errors:
        session.rollback()
        check.raise_if_errors()
    wanted = {f: clean[f] for f in request.fields}
    report = _write_outcome(session, actor, ask, request, wanted, Provenance.OFFICER)
    set_status(
        session,
        actor,
        ask,
        {
            "figures": wanted,
            "status": AskStatus.ACCEPTED.value,
            "reviewed_by_id": actor.id,
            "reviewed_at": utcnow(),
            "outcome_report_id": report.id,
        },
    )
    session.commit()
    assert report.id is not None
    return report.id


def evidence_file(session: Session, actor: Actor, evidence_id: int) -> tuple[str, str, bytes]:
    """(file name, type, bytes) of one evidence file: officers and managers only (analysts see
    that evidence exists, not the files)."""
    check_permission(session, actor, Permission.VIEW_PERSONAL_DATA)
    row = session.get(Evidence, evidence_id)
    if row is None:
        session.rollback()
        raise NotFound(entity="evidence", id=evidence_id)
    out = (row.filename, row.kind, bytes(row.content))
    session.rollback()
    return out


def revoke_link(session: Session, actor: Actor, ask_id: int) -> int:
    """End a company's link now (a leaked e-mail, say); a reminder sends a new one."""
    begin_authorised_write(session, actor, Permission.EDIT_OUTCOMES)
    if session.get(DataRequestCompany, ask_id) is None:
        session.rollback()
        raise NotFound(entity="data_request_company", id=ask_id)
    ended = revoke_links(session, ask_id)
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        "data_request_company",
        ask_id,
        field="link",
        new="revoked",
    )
    session.commit()
    return ended
