"""The audit trail in words: one sentence per change, in the reader's language, with names for
ids, labels for codes, formatted money, dates and office-zone times. Pure (no Streamlit): the
entries and the names they mention come from crm/services/history.py."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pandas as pd

from crm import countries
from crm.i18n import t
from crm.kinds.audit_text import ENTITY as KIND_ENTITY
from crm.kinds.audit_text import kind_sentence
from crm.kinds.spec import KindField, kind_fields
from crm.services.audit import parse_stage_move, to_text
from crm.services.history import (
    Entry,
    History,
    Names,
    import_id,
    parse_period,
    restated_periods,
    restated_record,
    snapshot,
)
from crm.services.reference import BUILTIN_KIND_ROWS, is_money_name
from crm.ui import format as fmt

# The built-in kinds' declared fields, for entries read without the database's (pure callers).
BUILTIN_FIELDS: dict[str, KindField] = {
    f.name: f for row in BUILTIN_KIND_ROWS for f in kind_fields(row, include_retired=True)
}
CODED = {
    "industry": "industry",
    "status": "status",
    "stage": "stage",
    "role": "role",
    "provenance": "portal.provenance",
}
COUNT_FIELDS = frozenset(
    {"employees", "new_hires", "patents_filed", "patents_registered", "target_companies", "hours"}
)
BOOLEAN_FIELDS = frozenset({"archived", "active"})
# Keys a created record's sentence already names in its subject.
IN_SUBJECT = {
    "activity": {"company_id", "start_on"},
    "outcome_report": {"company_id", "year", "quarter"},
    "company": {"name_ko"},
    "programme": {"name"},
    "app_user": {"display_name"},
}


def field_label(name: str, lang: str) -> str:
    """A field's name as the sentence says it (the form's label without its unit)."""
    own = t(f"history.field.{name}", lang)
    if own != f"history.field.{name}":
        return own
    label = t(f"field.{name}", lang)
    return label if label != f"field.{name}" else name.replace("_", " ")


def period_text(period: tuple[int, int], lang: str) -> str:
    return t("history.period", lang, year=period[0], quarter=period[1])


def kind_text(code: str, names: Names, lang: str) -> str:
    """A kind's name as the database has it now (an admin may rename it), else the catalogue's."""
    if code in names.kinds:
        ko, en = names.kinds[code]
        return en if lang == "en" else ko
    shown = t(f"kind.{code}", lang)
    return code if shown == f"kind.{code}" else shown


def _country(code: str, lang: str) -> str:
    return countries.name(code, lang)


def _detail(name: str, value: Any, lang: str, names: Names | None = None) -> str:
    """One kind-field value: read through its declaration (choice labels, countries, money)."""
    declared = _declared(name, names)
    if declared is not None and value not in (None, ""):
        if declared.type == "choice":
            return declared.choice_label(value, lang)
        if declared.type == "country" and isinstance(value, str):
            return _country(value, lang)
        if declared.is_money:
            try:
                return fmt.krw(int(float(value)), lang)
            except (TypeError, ValueError):
                return str(value)
        if declared.is_number and not isinstance(value, bool):
            try:
                number = float(value)
            except (TypeError, ValueError):
                return str(value)
            return fmt.number(int(number)) if number.is_integer() else f"{number:,g}"
        return str(value)
    if isinstance(value, str):
        key = f"choice.{name}.{value}"
        shown = t(key, lang)
        if shown != key:
            return shown
        return _country(value, lang) if name == "country" else value
    return value_text(name, value, Names(), lang)


def _declared(name: str, names: Names | None) -> KindField | None:
    """A kind field's declaration: the database's (in `names`), else the built-in one."""
    found = (names or Names()).kind_fields.get(name)
    return found if found is not None else BUILTIN_FIELDS.get(name)


def detail_label(name: str, lang: str, names: Names | None = None) -> str:
    """A kind field's label from its declaration (the sentence's field name, without unit)."""
    declared = _declared(name, names)
    return declared.label(lang) if declared is not None else field_label(name, lang)


def details_text(value: Any, lang: str, names: Names | None = None) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if not isinstance(value, dict):
        return str(value)
    return t("history.values_join", lang).join(
        t(
            "history.pair",
            lang,
            field=detail_label(k, lang, names),
            value=_detail(k, v, lang, names),
        )
        for k, v in value.items()
        if v not in (None, "")
    )


def value_text(name: str, value: Any, names: Names, lang: str) -> str:
    """One stored value as the reader reads it ('' when there is none)."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if name == "details":
        return details_text(value, lang, names)
    if name.startswith("details.") and _declared(name.removeprefix("details."), names):
        return _detail(name.removeprefix("details."), value, lang, names)
    if name in ("company_id", "programme_id", "officer_id"):
        table = {
            "company_id": names.companies,
            "programme_id": names.programmes,
            "officer_id": names.users,
        }[name]
        try:
            return table.get(int(text), field_label(name, lang))
        except ValueError:
            return text
    if name in CODED:
        shown = t(f"{CODED[name]}.{text}", lang)
        return text if shown == f"{CODED[name]}.{text}" else shown
    if name == "kind":
        return kind_text(text, names, lang)
    if name == "ai_field":
        shown = t(f"ai_field.{text}", lang)
        return text if shown == f"ai_field.{text}" else shown
    if name in BOOLEAN_FIELDS or text in ("true", "false"):
        truthy = text in ("true", "True", "1")
        return t("history.yes" if truthy else "history.no", lang)
    if is_money_name(name):
        try:
            return fmt.krw(int(float(text)), lang)
        except ValueError:
            return text
    if name in COUNT_FIELDS:
        try:
            return fmt.number(int(float(text)))
        except ValueError:
            return text
    if name.endswith("_at"):
        try:
            return fmt.moment(datetime.fromisoformat(text), lang)
        except ValueError:
            return text
    if name.endswith("_on") or name == "stage_since":
        try:
            return fmt.day(date.fromisoformat(text[:10]), lang)
        except ValueError:
            return text
    if name == "country":
        return _country(text, lang)
    return text


# A created record's values read in this order (the rest after them, the kind's fields last).
READING_ORDER = (
    "name_ko",
    "name_en",
    "stage",
    "stage_since",
    "programme_id",
    "officer_id",
    "start_on",
    "end_on",
    "status",
    "amount_krw",
)


def _reading_key(item: tuple[int, str]) -> tuple[int, int]:
    position, name = item
    if name == "details":
        return (len(READING_ORDER) + 1, position)
    rank = READING_ORDER.index(name) if name in READING_ORDER else len(READING_ORDER)
    return (rank, position)


def values_text(
    values: dict[str, Any], names: Names, lang: str, skip: set[str] | frozenset[str] = frozenset()
) -> str:
    pairs = []
    ordered = [name for _, name in sorted(enumerate(values), key=_reading_key)]
    for name in ordered:
        raw = values[name]
        if name in skip:
            continue
        shown = value_text(name, raw, names, lang)
        if shown and name == "details":  # a kind's own fields read as fields of the record
            pairs.append(shown)
        elif shown:
            pairs.append(t("history.pair", lang, field=field_label(name, lang), value=shown))
    return t("history.values_join", lang).join(pairs)


def _company(company_id: int | None, names: Names, lang: str) -> str:
    if company_id is not None and company_id in names.companies:
        return names.companies[company_id]
    return t("history.subject.company_unknown", lang)


def subject(
    entity: str, entity_id: int, names: Names, lang: str, values: dict | None = None
) -> str:
    """Which record: its name, or what it is and whose (never its id)."""
    values = values or {}
    if entity == "company":
        if entity_id in names.companies:
            return names.companies[entity_id]
        return values.get("name_ko") or t("history.subject.company_unknown", lang)
    if entity == "activity":
        ref = names.activities.get(entity_id)
        if ref is not None:
            company_id, kind, day = ref.company_id, kind_text(ref.kind, names, lang), ref.start_on
        elif values.get("company_id") and values.get("start_on"):
            company_id, day = int(values["company_id"]), date.fromisoformat(values["start_on"])
            kind = t("history.subject.activity_unknown", lang)
        else:
            return t("history.subject.activity_unknown", lang)
        return t(
            "history.subject.activity",
            lang,
            company=_company(company_id, names, lang),
            kind=kind,
            day=fmt.day(day, lang),
        )
    if entity == "outcome_report":
        report = names.reports.get(entity_id)
        if report is not None:
            company_id, year, quarter = report.company_id, report.year, report.quarter
        elif values.get("company_id") and values.get("year") and values.get("quarter"):
            company_id, year, quarter = (
                int(values["company_id"]),
                int(values["year"]),
                int(values["quarter"]),
            )
        else:
            return t("history.subject.outcome_report_unknown", lang)
        return t(
            "history.subject.outcome_report",
            lang,
            company=_company(company_id, names, lang),
            period=period_text((year, quarter), lang),
        )
    if entity == "programme":
        name = names.programmes.get(entity_id) or values.get("name")
        if name:
            return t("history.subject.programme", lang, name=name)
        return t("history.subject.programme_unknown", lang)
    if entity == KIND_ENTITY:
        code = str(values.get("code", ""))
        return t("history.subject.kind", lang, name=kind_text(code, names, lang))
    if entity == "cohort":
        return t("history.subject.cohort", lang, year=entity_id)
    if entity == "app_user":
        name = names.users.get(entity_id) or values.get("display_name")
        if name:
            return t("history.subject.app_user", lang, name=name)
        return t("history.subject.app_user_unknown", lang)
    if entity == "user_session":
        return t("history.subject.user_session", lang)
    if entity == "report":
        return t("history.subject.report", lang)
    if entity == "stage_entry":
        if values.get("company_id"):
            company = _company(int(values["company_id"]), names, lang)
            return t("history.subject.stage_entry", lang, company=company)
        return t("history.subject.stage_entry_unknown", lang)
    shown = t(f"entity.{entity}", lang)
    return shown if shown != f"entity.{entity}" else t("history.subject.record", lang)


def _reason(text: str | None, lang: str) -> str:
    return t("history.reason", lang, reason=text) if text else ""


def _stage(value: str, lang: str) -> tuple[str, str]:
    """'startup@2022-11-01' -> ('창업/초기', '2022.11.01')."""
    code, day = parse_stage_move(value)
    return value_text("stage", code, Names(), lang), value_text(
        "entered_on", to_text(day), Names(), lang
    )


def _periods(periods: tuple[tuple[int, int], ...], lang: str) -> str:
    return t("history.periods_join", lang).join(period_text(p, lang) for p in periods)


def _free_text(context: str | None) -> str | None:
    """A context that is a person's words (a reason), not one the system wrote."""
    if not context or note(context, Names(), "en") != "":
        return None
    return context


def note(context: str | None, names: Names, lang: str) -> str:
    """Where a change came from, when the system recorded it: a demo load, an import, its undo,
    a restatement. '' for no context or a person's own words (those go into the sentence)."""
    if not context:
        return ""
    if context.startswith("demo load"):
        return t("history.note.demo", lang)
    batch = import_id(context)
    if batch is not None:
        undo = context.startswith("undo ")
        file = names.imports.get(batch) or context.partition(" ")[2].partition(" ")[2]
        if undo:
            file = names.imports.get(batch, "")
        key = "history.note.undo" if undo else "history.note.import"
        return t(key, lang, file=file) if file else t(f"{key}_unknown", lang)
    if context.startswith("data request #"):  # crm.portal: a company's answer, accepted
        return t("history.note.data_request", lang)
    if context.startswith("restatement"):
        periods = restated_periods(context)
        if periods:
            return t("history.note.restatement", lang, periods=_periods(periods, lang))
        return t("history.note.restatement_bare", lang)
    return ""


def _change(e: Entry, names: Names, lang: str, who: str) -> str:
    label = field_label(e.field or "", lang)
    old = value_text(e.field or "", e.old, names, lang)
    new = value_text(e.field or "", e.new, names, lang)
    if old and new:
        return t("history.update", lang, subject=who, field=label, old=old, new=new)
    if new:
        return t("history.set", lang, subject=who, field=label, new=new)
    return t("history.clear", lang, subject=who, field=label, old=old or "-")


def change_text(e: Entry, names: Names, lang: str) -> str:
    """What one entry changed, without naming its record (a table's other column does):
    'Amount ₩8,500,000 → ₩9,000,000', or a created record's values."""
    if e.action == "create":
        values = snapshot(e.new) or {}
        shown = values_text(values, names, lang, IN_SUBJECT.get(e.entity, set()))
        if shown:
            return t("restatement.change.added", lang, values=shown)
        return t("restatement.change.added_bare", lang)
    label = field_label(e.field or "", lang)
    old = value_text(e.field or "", e.old, names, lang)
    new = value_text(e.field or "", e.new, names, lang)
    if old and new:
        return t("restatement.change.update", lang, field=label, old=old, new=new)
    if new:
        return t("restatement.change.set", lang, field=label, new=new)
    return t("restatement.change.clear", lang, field=label, old=old or "-")


def describe(e: Entry, names: Names, lang: str, *, brief: bool = False) -> str:
    """One sentence for one audit entry. `brief` leaves out a created record's values (feed)."""
    if e.entity == KIND_ENTITY:
        name = kind_text(e.context or "", names, lang)
        return kind_sentence(e.action, e.field, e.old, e.new, name, lang)
    values = snapshot(e.new) or snapshot(e.old) or {}
    who = subject(e.entity, e.entity_id, names, lang, values)
    reason = _reason(e.reason or _free_text(e.context), lang)
    action = e.action
    if action == "stage_change":
        if e.new:
            stage, day = _stage(e.new, lang)
            return t("history.stage", lang, subject=who, stage=stage, day=day) + reason
        stage, day = _stage(e.old or "", lang)
        return t("history.stage_removed", lang, subject=who, stage=stage, day=day)
    if action == "create":
        shown = "" if brief else values_text(values, names, lang, IN_SUBJECT.get(e.entity, set()))
        sentence = (
            t("history.create", lang, subject=who, values=shown)
            if shown
            else t("history.create_bare", lang, subject=who)
        )
        if e.periods:
            period = _periods(e.periods, lang)
            return t("history.restated_add", lang, period=period, change=sentence) + _reason(
                e.reason, lang
            )
        return sentence
    if action in ("archive", "restore", "cancel"):
        return t(f"history.{action}", lang, subject=who) + reason
    if action == "password":
        return t("history.password", lang, subject=who)
    if e.entity == "user_session" and e.field == "revoked_at":
        return t("history.session_revoked", lang)
    if action == "delete":
        return t("history.delete", lang, subject=who)
    if action == "close":
        period = parse_period(e.new or "")
        return t("history.close", lang, period=period_text(period, lang) if period else e.new)
    if action == "export":
        return _export(e, lang)
    if action == "restate" and e.entity == "restatement":
        record = restated_record(e.context)
        target = subject(record[0], record[1], names, lang) if record else who
        period = period_text(record[2], lang) if record else ""
        return t("history.restate_reason", lang, period=period, subject=target, reason=e.new or "")
    if e.field:
        sentence = _change(e, names, lang, who)
        if action == "restate" or e.periods:
            return t(
                "history.restated", lang, period=_periods(e.periods, lang), change=sentence
            ) + _reason(e.reason, lang)
        return sentence + (reason if action == "update" else "")
    # Sign-ins, lock-outs, revoked sessions and any later kind of event: record and what happened.
    return t("history.account_event", lang, subject=who, action=action_label(action, lang))


def action_label(action: str, lang: str) -> str:
    """What an account event was; a kind added later reads as account activity, not its code."""
    for key in (f"history.action.{action}", f"audit.action.{action}"):
        shown = t(key, lang)
        if shown != key:
            return shown
    return t("history.action.other", lang)


def _export(e: Entry, lang: str) -> str:
    parts = dict(p.partition("=")[::2] for p in (e.context or "").split()[1:])
    period = parse_period((e.context or "").split(" ")[0]) if e.context else None
    unit = parts.get("unit", "")
    unit_text = t(f"report.unit.{unit}", lang) if unit else ""
    language = t(f"history.lang.{parts.get('lang', lang)}", lang)
    return t(
        "history.export",
        lang,
        period=period_text(period, lang) if period else "",
        unit=unit_text,
        language=language,
        file=e.new or "",
    )


def history_table(history: History, lang: str, *, brief: bool = False) -> pd.DataFrame:
    """When (office zone), who, what (one sentence) and where it came from, newest first."""
    entries, names = history.entries, history.names
    return pd.DataFrame(
        {
            t("col.when", lang): [fmt.moment(e.at, lang) for e in entries],
            t("col.who", lang): [
                t("history.system_user", lang) if e.by_system else e.who for e in entries
            ],
            t("history.col.what", lang): [describe(e, names, lang, brief=brief) for e in entries],
            t("history.col.note", lang): [note(e.context, names, lang) for e in entries],
        }
    )
