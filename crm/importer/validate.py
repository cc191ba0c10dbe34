"""The services' own rules, run without writing, so the preview reports exactly what saving
would refuse. Field checks are the services' validators themselves; the few rules the services
write inline (stage, archive, closed quarter, uniqueness) are repeated here with the same
messages, and tests/db/test_importer_validation.py holds each one equal to its service.

New companies are checked column by column (check_new_profiles): each field's rule once per
distinct value, and set-wise where a whole column is already in stored form (stored_form). Those
set-wise checks only ever accept a value the rule would return unchanged without an error, and
the tests hold them to that; anything else goes to the rule itself."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
from sqlmodel import Session

from crm.errors import FieldError
from crm.models import Activity, ActivityStatus, Company, OutcomeReport, Stage
from crm.quarters import Quarter
from crm.services import activities as activity_service
from crm.services import companies as company_service
from crm.services import outcomes as outcome_service
from crm.services.closing import check_open
from crm.services.companies import NewCompany, TextRule
from crm.validation import BRN_WEIGHTS, EMAIL_RE, Checker

Closed = set[tuple[int, int]]
_STAGES = [s.value for s in Stage]


def _open(check: Checker, session: Session, field: str, closed: Closed, day: date) -> None:
    """check_open, asked only when the quarter is among the closed ones loaded up front."""
    if (day.year, Quarter.of(day).number) in closed:
        check_open(check, session, field, day=day)


def check_new_company(
    session: Session, new: NewCompany, brn_owner: dict[str, str]
) -> tuple[dict[str, Any], list[FieldError]]:
    """add_company's checks; `brn_owner` maps registration numbers already taken to names."""
    return check_new_profile(session, new.profile(), new.stage, new.stage_since, brn_owner)


def check_new_profile(
    session: Session,
    profile: dict[str, Any],
    stage_value: Any,
    stage_since: Any,
    brn_owner: dict[str, str],
) -> tuple[dict[str, Any], list[FieldError]]:
    """check_new_company on a NewCompany's profile() dict, stage and stage date (an import
    builds the dict directly instead of one NewCompany per row)."""
    check = Checker()
    clean = company_service.validate_profile(session, check, profile, partial=False)
    stage = check.choice("stage", stage_value, _STAGES)
    check.day("stage_since", stage_since, required=True)
    _new_company_rules(check, clean, stage, profile.get("founded_on"), brn_owner)
    return clean, check.errors


def _new_company_rules(
    check: Checker,
    clean: dict[str, Any],
    stage: str | None,
    founded: Any,
    brn_owner: dict[str, str],
) -> None:
    """add_company's rules across fields (stage against founding date and number, and a
    number another company already has), on the checked profile."""
    if stage == Stage.PRE_STARTUP:
        if clean.get("brn"):
            check.fail("brn", "error.brn_pre_startup")
        if clean.get("founded_on"):
            check.fail("founded_on", "error.founded_pre_startup")
    elif stage is not None and clean.get("founded_on") is None and founded in (None, ""):
        check.fail("founded_on", "error.founded_required")
    brn = clean.get("brn")
    if brn and brn in brn_owner:
        check.fail("brn", "error.brn_duplicate", name=brn_owner[brn])


def check_new_profiles(
    session: Session,
    profiles: dict[str, list[Any]],
    stage_values: list[Any],
    stage_sinces: list[Any],
    brn_owner: dict[str, str],
) -> list[tuple[dict[str, Any], list[FieldError]]]:
    """check_new_profile for many rows, with the same answers, checked column by column
    (`profiles`: each profile field's values, one per row, as columns need no dict per row).

    Each field's rule (the service's own, PROFILE_RULES) runs once per distinct value of its
    column (industries, dates, places repeat); a column whose values are all already in their
    stored form (texts, registration and phone numbers) is accepted set-wise (stored_form). A
    row whose every value passed only has its cross-field rules checked; a row with any error
    is checked again as a whole by check_new_profile, so its messages are exactly the
    service's, in the service's order."""
    rules = company_service.PROFILE_RULES
    count = len(stage_values)
    missing = [None] * count
    # a field the rules do not know is an error of its own: then every row is checked alone
    failed = set(range(count)) if not profiles.keys() <= rules.keys() else set()
    columns = []
    for name, rule in rules.items():
        values = profiles.get(name, missing)
        columns.append(checked_column(session, rule, values, stored_form(rule, values), failed))
    stages = checked_column(session, _stage_rule, stage_values, None, failed)
    checked_column(session, _since_rule, stage_sinces, None, failed)
    names = tuple(rules)
    founded = profiles.get("founded_on", missing)
    out: list[tuple[dict[str, Any], list[FieldError]]] = []
    check = Checker()  # collects the cross-field errors of every row: only the count is read
    for i, row in enumerate(zip(*columns, strict=True)):
        if i not in failed:
            # one value per name (columns are built so): a strict zip costs here
            clean = dict(zip(names, row, strict=False))
            before = len(check.errors)
            _new_company_rules(check, clean, stages[i], founded[i], brn_owner)
            if len(check.errors) == before:
                out.append((clean, []))
                continue
        profile = {name: values[i] for name, values in profiles.items()}
        out.append(check_new_profile(session, profile, stage_values[i], stage_sinces[i], brn_owner))
    return out


def _stage_rule(session: Session, check: Checker, value: Any) -> Any:
    return check.choice("stage", value, _STAGES)


def _since_rule(session: Session, check: Checker, value: Any) -> Any:
    return check.day("stage_since", value, required=True)


ASK = object()  # a value set-wise checks cannot answer for: ask the rule
_FAILED = object()
# A phone number as Checker.phone writes it: what it returns unchanged.
_STORED_PHONE = re.compile(r"(?:02-[0-9]{3,4}|0[13-9][0-9]-[0-9]{3,4})-[0-9]{4}")
_EMAIL_TEXT = TextRule("email", 254)  # the text Checker.email accepts before its pattern


def stored_texts(rule: TextRule, values: list[Any]) -> list[Any] | None:
    """Checker.text's answer for a whole column of one-line text when every cell is text as
    it would be stored: no surrounding spaces, not empty, within the limit and printable (so
    no control character), all returned unchanged; an empty cell of an optional field is None.
    None when any cell is otherwise (then each distinct value is asked)."""
    if rule.multiline:
        return None
    texts = [v for v in values if v is not None]
    if len(texts) < len(values) and rule.required:
        return None
    if texts and not (
        all(type(v) is str for v in texts)
        and all(texts)
        and max(map(len, texts)) <= rule.max_len
        and "".join(texts).isprintable()
        and texts == list(map(str.strip, texts))
    ):
        return None
    return list(values)


def stored_brns(values: list[Any]) -> list[Any]:
    """Checker.brn's answer for each value that is ten ASCII digits (as the parser leaves a
    registration number) with a right check digit, the check digits of the whole column
    computed at once (brn_check_digit, vectorised); ASK for every other value."""
    out: list[Any] = [ASK] * len(values)
    picked = [
        i
        for i, v in enumerate(values)
        if type(v) is str and len(v) == 10 and v.isascii() and v.isdigit()
    ]
    if not picked:
        return out
    text = "".join(values[i] for i in picked).encode("ascii")
    digits = (np.frombuffer(text, dtype=np.uint8).reshape(-1, 10) - 48).astype(np.int64)
    total = digits[:, :9] @ np.array(BRN_WEIGHTS, dtype=np.int64) + (digits[:, 8] * 5) // 10
    valid = ((10 - total % 10) % 10 == digits[:, 9]).tolist()
    for i, ok in zip(picked, valid, strict=True):
        if ok:
            v = values[i]
            out[i] = f"{v[:3]}-{v[3:5]}-{v[5:]}"  # format_brn
    return out


def stored_phones(values: list[Any]) -> list[Any]:
    """Each phone number already written as Checker.phone stores it (010-1234-5678,
    02-123-4567), which it returns unchanged; ASK for every other value."""
    return [v if type(v) is str and _STORED_PHONE.fullmatch(v) else ASK for v in values]


def stored_emails(values: list[Any]) -> list[Any] | None:
    """Checker.email's answer for a whole column of addresses already stored as it stores
    them (text as stored_texts accepts it, within its 254 characters, and matching
    EMAIL_RE), all returned unchanged; None when any address is otherwise."""
    texts = stored_texts(_EMAIL_TEXT, values)
    if texts is None or not all(EMAIL_RE.match(v) for v in texts if v is not None):
        return None
    return texts


def stored_form(rule: company_service.ProfileRule, values: list[Any]) -> list[Any] | None:
    """What the set-wise checks above can answer for a column of `rule`'s field (ASK where
    they cannot), or None if they cannot help."""
    if isinstance(rule, TextRule):
        return stored_texts(rule, values)
    if rule is company_service.PROFILE_RULES["brn"]:
        return stored_brns(values)
    if rule is company_service.PROFILE_RULES["phone"]:
        return stored_phones(values)
    if rule is company_service.PROFILE_RULES["email"]:
        return stored_emails(values)
    return None


def checked_column(
    session: Session,
    rule: company_service.ProfileRule,
    values: list[Any],
    known: list[Any] | None,
    failed: set[int],
) -> list[Any]:
    """`rule`'s clean value for each of `values` (a column), asked once per distinct value
    except where `known` already holds it (not ASK); adds the positions whose value the rule
    refuses to `failed`."""
    if known is not None and ASK not in known:
        return known
    asked = range(len(values)) if known is None else [i for i, a in enumerate(known) if a is ASK]
    wanted = values if known is None else [values[i] for i in asked]
    # (type, value): True, 1 and 1.0 are equal keys but are checked differently
    keys = list(zip(map(type, wanted), wanted, strict=True))
    try:
        answers = {key: _check_one(session, rule, key[1]) for key in dict.fromkeys(keys)}
        results = [answers[key] for key in keys]
    except TypeError:  # an unhashable value: ask for each one
        results = [_check_one(session, rule, value) for value in wanted]
    if known is None:
        out = results
    else:
        out = known
        for i, result in zip(asked, results, strict=True):
            out[i] = result
    if any(result is _FAILED for result in results):
        failed.update(i for i, result in enumerate(out) if result is _FAILED)
    return out


def _check_one(session: Session, rule: company_service.ProfileRule, value: Any) -> Any:
    check = Checker()
    clean = rule(session, check, value)
    return _FAILED if check.errors else clean


def check_company_changes(
    session: Session,
    company: Company,
    changes: dict[str, Any],
    stage_after: str,
    brn_owner: dict[str, tuple[int, str]],
) -> tuple[dict[str, Any], list[FieldError]]:
    """update_company's checks on the fields a row changes (stage_after: the stage the company
    will be at once the row's stage change, if any, is saved)."""
    check = Checker()
    clean = company_service.validate_profile(session, check, changes, partial=True)
    if check.errors:
        return clean, check.errors
    if company.archived:
        check.fail("company", "error.company_archived")
    merged = {f: clean.get(f, getattr(company, f)) for f in company_service.PROFILE_FIELDS}
    if stage_after == Stage.PRE_STARTUP:
        if clean.get("brn"):
            check.fail("brn", "error.brn_pre_startup")
        if clean.get("founded_on"):
            check.fail("founded_on", "error.founded_pre_startup")
    elif "founded_on" in clean and merged["founded_on"] is None:
        check.fail("founded_on", "error.founded_required")
    brn = clean.get("brn")
    if brn and brn in brn_owner and brn_owner[brn][0] != company.id:
        check.fail("brn", "error.brn_duplicate", name=brn_owner[brn][1])
    return clean, check.errors


def check_stage_change(
    company: Company,
    last: tuple[str, date],
    target: Stage,
    day: date,
    founded_on: date | None,
    today: date,
) -> list[FieldError]:
    """change_stage's checks for a stage a row moves a company to (an import gives no reason,
    so moving back is refused as it is without one)."""
    check = Checker()
    last_stage, last_day = Stage(last[0]), last[1]
    if company.archived:
        check.fail("company", "error.company_archived")
    if day < last_day:
        check.fail("stage_since", "error.stage_date_order", last=last_day.isoformat())
    if day > today:
        check.fail("stage_since", "error.date_future")
    if target.rank < last_stage.rank:
        check.fail("stage", "error.stage_backward_reason")
    leaving_pre = last_stage == Stage.PRE_STARTUP and target != Stage.PRE_STARTUP
    if leaving_pre and founded_on is None:
        check.fail("founded_on", "error.founded_required")
    return check.errors


def check_new_activity(
    session: Session, new: activity_service.NewActivity, archived: bool, closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """add_activity's checks (`archived`: the company's state; a company being created is not)."""
    check = Checker()
    data = {f: getattr(new, f) for f in activity_service.EDITABLE_FIELDS}
    clean = activity_service.validate_changes(session, check, data, partial=False, current=None)
    if archived:
        check.fail("company_id", "error.company_archived")
    if clean.get("start_on"):
        _open(check, session, "start_on", closed, clean["start_on"])
    return clean, check.errors


def check_activity_changes(
    session: Session, activity: Activity, changes: dict[str, Any], closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """update_activity's checks."""
    check = Checker()
    if activity.status == ActivityStatus.CANCELLED:
        check.fail("status", "error.activity_cancelled")
        return {}, check.errors
    clean = activity_service.validate_changes(
        session, check, changes, partial=True, current=activity
    )
    _open(check, session, "start_on", closed, activity.start_on)
    if clean.get("start_on"):
        _open(check, session, "start_on", closed, clean["start_on"])
    return clean, check.errors


def check_new_outcome(
    session: Session, year: int | None, quarter: int | None, figures: dict[str, Any], closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """add_outcome_report's checks (the company exists and has no report for the quarter)."""
    check = Checker()
    y = check.integer("year", year, required=True, minimum=2000, maximum=2100)
    q = check.integer("quarter", quarter, required=True, minimum=1, maximum=4)
    clean = outcome_service.validate_figures(check, figures, partial=False)
    outcome_service.cross_checks(check, clean)
    if y and q and (y, q) in closed:
        check_open(check, session, "quarter", year=y, quarter=q)
    return clean, check.errors


def check_outcome_changes(
    session: Session, report: OutcomeReport, changes: dict[str, Any], closed: Closed
) -> tuple[dict[str, Any], list[FieldError]]:
    """update_outcome_report's checks."""
    check = Checker()
    clean = outcome_service.validate_figures(check, changes, partial=True)
    merged = {f: clean.get(f, getattr(report, f)) for f in outcome_service.FIGURE_FIELDS}
    outcome_service.cross_checks(check, merged)
    if (report.year, report.quarter) in closed:
        check_open(check, session, "quarter", year=report.year, quarter=report.quarter)
    return clean, check.errors
