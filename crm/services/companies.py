"""Company records: create, edit (field-merged), archive and restore."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm.errors import FieldError, NotFound, ValidationError
from crm.models import AuditAction, Company, Industry, Role, Stage, User
from crm.services import audit, stages
from crm.services.actor import Actor
from crm.services.editing import apply_changes, check_stale, flush_or_conflict
from crm.services.permissions import Permission, begin_authorised_write
from crm.validation import Checker, normalise_name

PROFILE_FIELDS = (
    "name_ko",
    "name_en",
    "brn",
    "representative",
    "founded_on",
    "industry",
    "ai_field",
    "location",
    "email",
    "phone",
    "officer_id",
    "cohort_year",
    "notes",
)
PERSONAL_FIELDS = ("representative", "email", "phone")


def _officer(session: Session, check: Checker, value: Any) -> int | None:
    officer_id = check.integer("officer_id", value, minimum=1)
    if officer_id is None:
        return None
    user = session.get(User, officer_id)
    if user is None or not user.active or user.role not in (Role.OFFICER, Role.MANAGER, Role.ADMIN):
        check.fail("officer_id", "error.officer")
        return None
    return officer_id


ProfileRule = Callable[[Session, Checker, Any], Any]
_INDUSTRIES = tuple(i.value for i in Industry)


@dataclass(frozen=True)
class TextRule:
    """check.text with one field's limits."""

    field: str
    max_len: int
    required: bool = False
    multiline: bool = False

    def __call__(self, session: Session, check: Checker, value: Any) -> str | None:
        return check.text(
            self.field,
            value,
            required=self.required,
            max_len=self.max_len,
            multiline=self.multiline,
        )


# Each profile field's check, in the order its errors are reported. Built once (not per call),
# and shared with the bulk form (crm/services/bulk.py), which asks once per distinct value.
PROFILE_RULES: dict[str, ProfileRule] = {
    "name_ko": TextRule("name_ko", 200, required=True),
    "name_en": TextRule("name_en", 200),
    "brn": lambda s, check, v: check.brn("brn", v),
    "representative": TextRule("representative", 100),
    "founded_on": lambda s, check, v: check.day("founded_on", v),
    "industry": lambda s, check, v: check.choice("industry", v, _INDUSTRIES),
    "ai_field": TextRule("ai_field", 100),
    "location": TextRule("location", 100),
    "email": lambda s, check, v: check.email("email", v),
    "phone": lambda s, check, v: check.phone("phone", v),
    "officer_id": _officer,
    "cohort_year": lambda s, check, v: check.integer(
        "cohort_year", v, required=True, minimum=2000, maximum=2100
    ),
    "notes": TextRule("notes", 10_000, multiline=True),
}


def validate_profile(
    session: Session, check: Checker, data: dict[str, Any], *, partial: bool
) -> dict[str, Any]:
    """Validate the given profile fields; with partial=False, required ones must be present."""
    clean: dict[str, Any] = {}
    for field in sorted(data.keys() - PROFILE_RULES.keys()):
        check.fail(field, "error.unknown_field")
    for field, rule in PROFILE_RULES.items():
        if field in data or not partial:
            clean[field] = rule(session, check, data.get(field))
    return clean


STAGES = [s.value for s in Stage]
# add_company's checks of the stage a new company starts at, and since when.
NEW_STAGE_RULES: dict[str, ProfileRule] = {
    "stage": lambda s, check, v: check.choice("stage", v, STAGES),
    "stage_since": lambda s, check, v: check.day("stage_since", v, required=True),
}


def brn_owner(session: Session, brn: str | None, exclude_id: int | None) -> str | None:
    """The name of the company (other than `exclude_id`) that already has registration number
    `brn`, or None."""
    if not brn:
        return None
    other = session.exec(select(Company).where(Company.brn == brn)).first()
    if other is not None and other.id != exclude_id:
        return other.name_ko
    return None


def new_company_rules(
    check: Checker,
    clean: dict[str, Any],
    stage: str | None,
    founded_given: Any,
    taken_by: str | None,
) -> None:
    """add_company's rules across fields, on the checked profile: a pre-startup has no
    registration number or founding date, a founded stage needs the date, and a registration
    number belongs to one company (`taken_by`: who has it already)."""
    if stage == Stage.PRE_STARTUP:
        if clean.get("brn"):
            check.fail("brn", "error.brn_pre_startup")
        if clean.get("founded_on"):
            check.fail("founded_on", "error.founded_pre_startup")
    elif stage is not None and clean.get("founded_on") is None and founded_given in (None, ""):
        check.fail("founded_on", "error.founded_required")
    if clean.get("brn") and taken_by is not None:
        check.fail("brn", "error.brn_duplicate", name=taken_by)


def changed_profile_rules(
    check: Checker,
    company: Company,
    clean: dict[str, Any],
    stage: str,
    taken_by: str | None,
) -> None:
    """update_company's rules on the checked changes of `company`, which is at `stage` (after
    any stage move saved with them)."""
    if company.archived:
        check.fail("company", "error.company_archived")
    merged = {f: clean.get(f, getattr(company, f)) for f in PROFILE_FIELDS}
    if stage == Stage.PRE_STARTUP:
        if clean.get("brn"):
            check.fail("brn", "error.brn_pre_startup")
        if clean.get("founded_on"):
            check.fail("founded_on", "error.founded_pre_startup")
    elif "founded_on" in clean and merged["founded_on"] is None:
        check.fail("founded_on", "error.founded_required")
    if clean.get("brn") and taken_by is not None:
        check.fail("brn", "error.brn_duplicate", name=taken_by)


@dataclass(frozen=True)
class NewCompany:
    """What a user enters to create a company (stage and the date it entered the programme)."""

    name_ko: str
    industry: str
    cohort_year: int
    stage: str
    stage_since: date | str
    name_en: str | None = None
    brn: str | None = None
    representative: str | None = None
    founded_on: date | str | None = None
    ai_field: str | None = None
    location: str | None = None
    email: str | None = None
    phone: str | None = None
    officer_id: int | None = None
    notes: str | None = None

    def profile(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in PROFILE_FIELDS}


def create_company(
    session: Session, actor: Actor, new: NewCompany, *, context: str | None = None
) -> Company:
    begin_authorised_write(session, actor, Permission.EDIT_COMPANIES)
    company = add_company(session, actor, new, context=context)
    session.commit()
    return company


def add_company(
    session: Session, actor: Actor, new: NewCompany, *, context: str | None = None
) -> Company:
    """Validate and add a company with its first stage entry; the caller commits."""
    check = Checker()
    clean = validate_profile(session, check, new.profile(), partial=False)
    stage = NEW_STAGE_RULES["stage"](session, check, new.stage)
    since = NEW_STAGE_RULES["stage_since"](session, check, new.stage_since)
    new_company_rules(
        check, clean, stage, new.founded_on, brn_owner(session, clean.get("brn"), None)
    )
    check.raise_if_errors()
    assert stage is not None and since is not None
    company = Company(**clean)
    session.add(company)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent insert of the same BRN
        session.rollback()
        raise ValidationError(_brn_taken(new.brn)) from exc
    assert company.id is not None
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "company",
        company.id,
        version=company.version,
        new={f: audit.to_text(getattr(company, f)) for f in PROFILE_FIELDS},
        context=context,
    )
    stages.add_entry(session, actor, company.id, Stage(stage), since, None, context=context)
    return company


def _brn_taken(brn: str | None) -> list[FieldError]:
    return [FieldError("brn", "error.brn_duplicate", {"name": brn or ""})]


def get_company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id, populate_existing=True)
    if company is None:
        raise NotFound(entity="company", id=company_id)
    return company


def update_company(
    session: Session,
    actor: Actor,
    company_id: int,
    *,
    version: int,
    changes: dict[str, Any],
    context: str | None = None,
) -> Company:
    """Save the fields a user changed since opening `version`. Fields someone else saved in the
    meantime are kept (merged) unless they are the same fields: then ConflictError."""
    begin_authorised_write(session, actor, Permission.EDIT_COMPANIES)
    company = get_company(session, company_id)
    check = Checker()
    clean = validate_profile(session, check, changes, partial=True)
    check.raise_if_errors()
    check_stale(session, company, "company", version, clean)
    if company.archived:
        check.fail("company", "error.company_archived")
    taken_by = brn_owner(session, clean.get("brn"), company_id)
    changed_profile_rules(
        check, company, clean, stages.current_stage(session, company_id), taken_by
    )
    check.raise_if_errors()
    try:
        apply_changes(session, actor, company, "company", clean, context=context)
    except IntegrityError as exc:
        session.rollback()
        raise ValidationError(_brn_taken(clean.get("brn"))) from exc
    session.commit()
    return company


def _set_archived(
    session: Session, actor: Actor, company_id: int, archived: bool, version: int | None
) -> Company:
    begin_authorised_write(session, actor, Permission.EDIT_COMPANIES)
    company = get_company(session, company_id)
    if version is not None:
        check_stale(session, company, "company", version, {"archived": archived})
    if company.archived == archived:
        return company
    company.archived = archived
    session.add(company)
    flush_or_conflict(session)
    audit.record(
        session,
        actor,
        AuditAction.ARCHIVE if archived else AuditAction.RESTORE,
        "company",
        company_id,
        version=company.version,
        field="archived",
        old=not archived,
        new=archived,
    )
    session.commit()
    return company


def archive_company(
    session: Session, actor: Actor, company_id: int, *, version: int | None = None
) -> Company:
    return _set_archived(session, actor, company_id, True, version)


def restore_company(
    session: Session, actor: Actor, company_id: int, *, version: int | None = None
) -> Company:
    return _set_archived(session, actor, company_id, False, version)


def find_similar(
    session: Session, name: str, *, exclude_id: int | None = None, limit: int = 5
) -> list[Company]:
    """Companies whose normalised name equals or contains the given one (duplicate warning)."""
    key = normalise_name(name)
    if len(key) < 2:
        return []
    out: list[Company] = []
    for company in session.exec(select(Company)).all():
        if company.id == exclude_id:
            continue
        other = normalise_name(company.name_ko)
        other_en = normalise_name(company.name_en or "")
        if key in (other, other_en) or (len(key) >= 3 and (key in other or other in key)):
            out.append(company)
            if len(out) >= limit:
                break
    return out
