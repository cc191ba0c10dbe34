"""A form's table: one row per company supported in the period (or per activity of the quarter),
its fields picked by the mapping, sorted and filtered.

The rows are the quarterly workbook's Companies sheet rows (crm.reports.rows.company_rows: stage at
quarter end, per-kind counts and KRW not cancelled), joined with the company's own fields and
its outcome sums for the year (crm.reports.rows.outcome_rows). Only the programme filter is a
query of this package (which companies had live activities in that programme in the period); the
amounts stay the company's per-kind or all-kinds figures. Personal contact fields are masked for
roles that may not see them, as the company pages mask them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from crm.i18n import t
from crm.models import Activity, ActivityStatus, Company, Industry, Programme, Stage
from crm.reports import rows as report_rows
from crm.reports.details import report_kinds
from crm.reports.options import Period
from crm.reports.sql import in_ytd
from crm.services.actor import Actor
from crm.services.company_views import mask_value, may_see_personal

COMPANY_FIELDS = (
    "seq",
    "name",
    "name_en",
    "brn",
    "representative",
    "phone",
    "email",
    "founded_on",
    "location",
    "industry",
    "stage_end",
    "officer",
    "kinds",
    "activities_q",
    "krw_q",
    "activities_ytd",
    "krw_ytd",
    "last_support",
    "new_hires_ytd",
    "patents_filed_ytd",
    "patents_registered_ytd",
    "investment_ytd",
    "exports_ytd",
)
MONEY_FIELDS = frozenset({"krw_q", "krw_ytd", "investment_ytd", "exports_ytd"})
PERSONAL_FIELDS = ("representative", "phone", "email")
ACTIVITY_FIELDS = (
    "seq",
    "start_on",
    "end_on",
    "name",
    "brn",
    "representative",
    "programme",
    "kind",
    "status",
    "amount",
    "officer",
    "notes",
)
ACTIVITY_MONEY = frozenset({"amount"})
SORTS = ("name", "krw_desc", "registered")
SCOPES = ("quarter", "ytd")
ROW_KINDS = ("companies", "activities")
CHUNK = 900  # ids per IN (...): well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class TableQuery:
    fields: tuple[str, ...]
    scope: str = "ytd"
    sort: str = "name"
    kind: str | None = None
    programme_id: int | None = None
    rows: str = "companies"


def fields_for(rows: str) -> tuple[str, ...]:
    return ACTIVITY_FIELDS if rows == "activities" else COMPANY_FIELDS


def field_label(name: str, lang: str) -> str:
    return t(f"funder.field.{name}", lang)


def _company_details(session: Session, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        statement = select(
            Company.id,
            Company.name_en,
            Company.brn,
            Company.representative,
            Company.phone,
            Company.email,
            Company.founded_on,
            Company.location,
        ).where(col(Company.id).in_(chunk))
        for row in session.execute(statement):
            found[int(row[0])] = tuple(row[1:])
    return found


def _in_programme(session: Session, period: Period, programme_id: int, quarter: bool) -> set[int]:
    statement = select(Activity.company_id).where(
        in_ytd(period), Activity.programme_id == programme_id
    )
    if quarter:
        statement = statement.where(col(Activity.start_on) >= period.start)
    return {int(c) for c in session.execute(statement.distinct()).scalars()}


def company_table(
    session: Session, actor: Actor, period: Period, query: TableQuery, lang: str, divisor: int
) -> list[list[Any]]:
    """The table's rows, values in the order of `query.fields`, money in the unit (`divisor`)."""
    kinds = report_kinds(session, lang)
    codes = [k.code for k in kinds]
    kind_names = {k.code: k.name for k in kinds}
    stages = {s.value: t(f"stage.{s.value}", lang) for s in Stage}
    industries = {i.value: t(f"industry.{i.value}", lang) for i in Industry}
    in_quarter = query.scope == "quarter"
    picked = _in_programme(session, period, query.programme_id, in_quarter) if (
        query.programme_id is not None
    ) else None  # fmt: skip
    raw: list[dict[str, Any]] = []
    for r in report_rows.company_rows(session, period, codes, lang):
        per_kind = list(r[5:])
        received = [
            code for i, code in enumerate(codes) if per_kind[4 * i + (0 if in_quarter else 2)]
        ]
        # The kind's own four figures when filtered by kind, else the all-kinds four.
        at = 4 * codes.index(query.kind) if query.kind in codes else 4 * len(codes)
        count_q, krw_q, count_ytd, krw_ytd = (int(v or 0) for v in per_kind[at : at + 4])
        if (count_q if in_quarter else count_ytd) == 0:
            continue
        if picked is not None and int(r[0]) not in picked:
            continue
        raw.append(
            {
                "id": int(r[0]),
                "name": r[1],
                "stage_end": stages.get(r[2], r[2] or ""),
                "industry": industries.get(r[3], r[3]),
                "officer": r[4],
                "kinds": ", ".join(kind_names[c] for c in received),
                "activities_q": count_q,
                "krw_q": krw_q,
                "activities_ytd": count_ytd,
                "krw_ytd": krw_ytd,
                "last_support": per_kind[-1],
            }
        )
    ids = [row["id"] for row in raw]
    details = _company_details(session, ids)
    outcomes = {
        int(o[0]): o[9:] for o in report_rows.outcome_rows(session, period, lang) if o[0] in details
    }
    masked = not may_see_personal(actor)
    for row in raw:
        name_en, brn, representative, phone, email, founded, location = details[row["id"]]
        row.update(
            name_en=name_en,
            brn=brn,
            representative=representative,
            phone=phone,
            email=email,
            founded_on=founded,
            location=location,
        )
        if masked:
            for name in PERSONAL_FIELDS:
                row[name] = mask_value(name, row[name])
        hires, filed, registered, investment, exports = (
            int(v or 0) for v in outcomes.get(row["id"], (0, 0, 0, 0, 0))
        )
        row.update(
            new_hires_ytd=hires,
            patents_filed_ytd=filed,
            patents_registered_ytd=registered,
            investment_ytd=investment,
            exports_ytd=exports,
        )
    _sort(raw, query.sort)
    out: list[list[Any]] = []
    for n, row in enumerate(raw, start=1):
        row["seq"] = n
        out.append([_in_unit(f, row.get(f), divisor) for f in query.fields])
    return out


def activity_table(
    session: Session, actor: Actor, period: Period, query: TableQuery, lang: str, divisor: int
) -> list[list[Any]]:
    """One row per live activity of the quarter: the kind sheets' rows (crm.reports.rows.
    kind_activity_rows), of every kind or the filtered one, with the company's BRN and
    representative (masked as the company pages mask it)."""
    kinds = [k for k in report_kinds(session, lang) if query.kind in (None, k.code)]
    statuses = {s.value: t(f"status.{s.value}", lang) for s in ActivityStatus}
    programme: Programme | None = None
    programme_name: str | None = None
    if query.programme_id is not None:
        programme = session.get(Programme, query.programme_id)
        programme_name = programme.name if programme is not None else ""
    raw: list[dict[str, Any]] = []
    for kind in kinds:
        if programme_name is not None and programme is not None and programme.kind != kind.code:
            continue
        for r in report_rows.kind_activity_rows(session, period, kind.code, lang):
            if programme_name is not None and r[5] != programme_name:
                continue
            raw.append(
                {
                    "id": int(r[0]),
                    "start_on": r[1],
                    "end_on": r[2],
                    "company_id": int(r[3]),
                    "name": r[4],
                    "programme": r[5],
                    "kind": kind.name,
                    "status": statuses.get(r[6], r[6]),
                    "amount": int(r[7] or 0),
                    "officer": r[8],
                    "notes": r[9],
                }
            )
    details = _company_details(session, sorted({row["company_id"] for row in raw}))
    masked = not may_see_personal(actor)
    for row in raw:
        _, brn, representative, *_ = details[row["company_id"]]
        row["brn"] = brn
        row["representative"] = (
            mask_value("representative", representative) if masked else representative
        )
    if query.sort == "krw_desc":
        raw.sort(key=lambda r: (-r["amount"], r["start_on"], r["id"]))
    elif query.sort == "name":
        raw.sort(key=lambda r: (r["name"], r["start_on"], r["id"]))
    else:
        raw.sort(key=lambda r: (r["start_on"], r["id"]))
    out: list[list[Any]] = []
    for n, row in enumerate(raw, start=1):
        row["seq"] = n
        out.append([_in_unit(f, row.get(f), divisor) for f in query.fields])
    return out


def _in_unit(field: str, value: Any, divisor: int) -> Any:
    if field in MONEY_FIELDS | ACTIVITY_MONEY and isinstance(value, int) and divisor != 1:
        return value / divisor
    return value


def _sort(rows: list[dict[str, Any]], sort: str) -> None:
    if sort == "krw_desc":
        rows.sort(key=lambda r: (-r["krw_ytd"], r["name"], r["id"]))
    elif sort == "registered":
        rows.sort(key=lambda r: r["id"])
    else:
        rows.sort(key=lambda r: (r["name"], r["id"]))


def validate_fields(fields: Sequence[str], rows: str = "companies") -> list[str]:
    """The fields that are not in the catalogue of this kind of table."""
    return [f for f in fields if f not in fields_for(rows)]
