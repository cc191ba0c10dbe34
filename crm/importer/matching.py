"""What the database already holds, loaded once per import (no query per row): companies by
registration number and by normalised name, users, programmes, kinds, and the
records rows may update."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from crm.models import Activity, Company, OutcomeReport, Programme, SupportKind, User
from crm.services.reference import list_kinds
from crm.services.stages import current_stage_subquery
from crm.validation import brn_digits, normalise_name

CHUNK = 1000
T = TypeVar("T")


def chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class CompanyRef:
    id: int
    name_ko: str
    name_en: str | None
    brn: str | None
    archived: bool

    @property
    def label(self) -> str:
        return f"{self.name_ko} ({self.brn})" if self.brn else self.name_ko


@dataclass(frozen=True)
class CompanyLookup:
    """A company found for a row (ref), or why none could be (error key and values)."""

    ref: CompanyRef | None = None
    by: str | None = None
    error: str | None = None
    params: dict[str, Any] | None = None


_NOT_FOUND = CompanyLookup()  # frozen: one shared "no such company" answer


@lru_cache(maxsize=8192)  # asked several times for the same row while planning
def brn_key(raw: str | None) -> str | None:
    """The stored form of a registration number, if it has the right shape (checksum aside)."""
    if not raw:
        return None
    digits = brn_digits(raw)
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"  # format_brn, digits already found
    return None


class Catalog:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_brn: dict[str, CompanyRef] = {}
        self.by_name: dict[str, list[CompanyRef]] = defaultdict(list)
        rows = session.exec(
            select(Company.id, Company.name_ko, Company.name_en, Company.brn, Company.archived)
        ).all()
        for cid, name_ko, name_en, brn, archived in rows:
            ref = CompanyRef(cid, name_ko, name_en, brn, archived)
            if brn:
                self.by_brn[brn] = ref
            keys = {normalise_name(name_ko), normalise_name(name_en or "")} - {""}
            for key in keys:
                self.by_name[key].append(ref)
        self.users = list(session.exec(select(User)).all())
        self.programmes = list(session.exec(select(Programme)).all())
        self.kinds: list[SupportKind] = list_kinds(session)
        self.kind_codes = {k.code for k in self.kinds}

    # companies -----------------------------------------------------------------------------

    def find_company(self, brn: str | None, name: str | None) -> CompanyLookup:
        return self.find_by_keys(brn_key(brn), normalise_name(name) if name else "")

    def find_by_keys(self, key: str | None, name_key: str) -> CompanyLookup:
        """find_company with the row's keys already worked out (brn_key, normalise_name)."""
        if key and key in self.by_brn:
            return CompanyLookup(self.by_brn[key], "brn")
        found = self.by_name.get(name_key, []) if name_key else []
        if len(found) > 1:
            names = ", ".join(sorted(r.label for r in found))
            return CompanyLookup(error="importer.error.company_ambiguous", params={"names": names})
        if found:
            ref = found[0]
            if key and ref.brn and ref.brn != key:
                return CompanyLookup(
                    error="importer.error.brn_mismatch",
                    params={"name": ref.name_ko, "brn": ref.brn},
                )
            return CompanyLookup(ref, "name")
        return _NOT_FOUND

    def load_companies(self, ids: Iterable[int]) -> dict[int, Company]:
        wanted = sorted(set(ids))
        out: dict[int, Company] = {}
        for part in chunks(wanted):
            for company in self.session.exec(select(Company).where(col(Company.id).in_(part))):
                assert company.id is not None
                out[company.id] = company
        return out

    def last_stages(self, ids: Iterable[int]) -> dict[int, tuple[str, date]]:
        """Each company's current stage and the date it entered it."""
        current = current_stage_subquery()
        out: dict[int, tuple[str, date]] = {}
        for part in chunks(sorted(set(ids))):
            query = select(current.c.company_id, current.c.stage, current.c.entered_on).where(
                current.c.company_id.in_(part)
            )
            for cid, stage, entered in self.session.exec(query):  # type: ignore[call-overload]
                out[cid] = (stage, entered)
        return out

    def activities_of(self, company_ids: Iterable[int]) -> dict[tuple[int, int, date], list[Any]]:
        """Existing activities keyed by (company, programme, start date)."""
        out: dict[tuple[int, int, date], list[Activity]] = defaultdict(list)
        for part in chunks(sorted(set(company_ids))):
            query = select(Activity).where(col(Activity.company_id).in_(part))
            for activity in self.session.exec(query):
                out[(activity.company_id, activity.programme_id, activity.start_on)].append(
                    activity
                )
        return out

    def outcomes_of(self, company_ids: Iterable[int]) -> dict[tuple[int, int, int], OutcomeReport]:
        out: dict[tuple[int, int, int], OutcomeReport] = {}
        for part in chunks(sorted(set(company_ids))):
            query = select(OutcomeReport).where(col(OutcomeReport.company_id).in_(part))
            for report in self.session.exec(query):
                out[(report.company_id, report.year, report.quarter)] = report
        return out

    # people and programmes -------------------------------------------------------------------

    def officer_id(self, text: str) -> int | None:
        """A user by username, else by display name (case and spaces ignored)."""
        wanted = text.strip().lower()
        for user in self.users:
            if user.username.lower() == wanted:
                return user.id
        squashed = wanted.replace(" ", "")
        matches = [u for u in self.users if u.display_name.lower().replace(" ", "") == squashed]
        return matches[0].id if len(matches) == 1 else None

    def programme_by_name(self, name: str, year: int | None) -> tuple[int | None, str | None]:
        """(programme id, error key): same name (case and spaces ignored), the row's year
        deciding between years."""
        key = normalise_name(name)
        found = [p for p in self.programmes if normalise_name(p.name) == key]
        if len(found) > 1 and year is not None:
            found = [p for p in found if p.year == year] or found
        if not found:
            return None, "importer.error.programme_unknown"
        if len(found) > 1:
            return None, "importer.error.programme_ambiguous"
        return found[0].id, None

    def programme_for_kind(self, kind: str, year: int | None) -> tuple[int | None, str | None]:
        found = [p for p in self.programmes if p.kind == kind and p.year == year]
        if not found:
            return None, "importer.error.programme_for_kind"
        if len(found) > 1:
            return None, "importer.error.programme_kind_ambiguous"
        return found[0].id, None

    def programme(self, programme_id: int) -> Programme | None:
        return next((p for p in self.programmes if p.id == programme_id), None)
