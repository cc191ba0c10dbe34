"""Preview an import: every row classified as new, update (with the match and the changes),
unchanged, duplicate (of an earlier row) or error (a reason per cell). Nothing is written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from crm.errors import FieldError
from crm.i18n import InEachLanguage
from crm.importer.clearing import COLUMN_OF, cleared_values
from crm.importer.fields import AMOUNT_TWINS, fields_for
from crm.importer.mapping import check_mapping
from crm.importer.matching import Catalog, CompanyLookup, CompanyRef, brn_key
from crm.importer.model import (
    CellIssue,
    ImportKind,
    ImportOptions,
    ImportPreview,
    Match,
    RowPreview,
    RowStatus,
    SourceTable,
)
from crm.importer.rows import ParsedRow, RowParser, Vocabulary
from crm.models import Activity, ActivityStatus, Company, ImportBatch, Stage
from crm.services import bulk
from crm.services import companies as company_service
from crm.services.activities import NewActivity
from crm.services.actor import Actor
from crm.services.audit import stage_move_text, to_text
from crm.services.bulk import CompanyUpdate, NewOutcomeReport
from crm.services.companies import PROFILE_FIELDS, NewCompany
from crm.services.outcomes import FIGURE_FIELDS
from crm.services.permissions import Permission, check_permission
from crm.services.reference import kind_label
from crm.validation import Checker, normalise_name

# Validator field names that come from a differently named column (a stage move's missing
# reason: an import gives none, so moving back is refused on the stage).
FIELD_COLUMNS = {
    "officer_id": "officer",
    "programme_id": "programme",
    "company_id": "company",
    "reason": "stage",
}
# A cell that cannot be read also explains errors on these fields (resolved from it).
FOLLOW_ON = {"kind": ("programme",), "programme": ("kind",), "quarter": ("year",)}
COMPANY_VALUE_FIELDS = [f for f in PROFILE_FIELDS if f != "officer_id"]
ACTIVITY_ROW_FIELDS = ("end_on", "status", "amount_krw", "notes")
_NOTHING: frozenset[str] = frozenset()


@dataclass
class NewCompanyPlan:
    key: str
    new: NewCompany
    rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CompanyUpdatePlan:
    company_id: int
    changes: dict[str, Any]
    stage: tuple[Stage, date] | None


@dataclass(frozen=True)
class ActivityNewPlan:
    clean: dict[str, Any]
    company_id: int | None
    company_key: str | None  # a company this import creates


@dataclass(frozen=True)
class ActivityUpdatePlan:
    activity_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class OutcomeNewPlan:
    company_id: int
    year: int
    quarter: int
    clean: dict[str, Any]


@dataclass(frozen=True)
class OutcomeUpdatePlan:
    report_id: int
    changes: dict[str, Any]


def _row_preview(row: ParsedRow) -> RowPreview:
    """A row's preview before planning: an error until a plan says otherwise, with the values,
    errors and warnings parsing found (copies: planning adds to them)."""
    return RowPreview(
        row.number, RowStatus.ERROR, dict(row.values), list(row.errors), list(row.warnings)
    )


def _same(a: Any, b: Any) -> bool:
    return to_text(a) == to_text(b)


def _stored_as_is(value: Any, stored: Any) -> bool:
    """The value is the stored one, of the same type (1 is not True, "1" is not 1)."""
    return type(value) is type(stored) and value == stored


def _activity_matches(activity: Activity, stated: dict[str, Any]) -> bool:
    """True if the activity already has every value a row states (details merged over its own,
    so a row that leaves out an optional kind field still matches)."""
    for name, value in stated.items():
        if name == "details":
            value = {**activity.details, **value}
        if not _same(getattr(activity, name), value):
            return False
    return True


def _drop_follow_on_errors(preview: RowPreview, row: ParsedRow) -> None:
    """A cell that could not be read reports why; the checks that then miss its value (e.g.
    "required") would only repeat it. Identical messages are shown once."""
    if not preview.errors:
        return
    unreadable = {issue.field for issue in row.errors}
    unreadable |= {also for name in unreadable for also in FOLLOW_ON.get(name, ())}
    kept: list[CellIssue] = list(row.errors)
    for issue in preview.errors[len(row.errors) :]:
        if issue.field not in unreadable and issue not in kept:
            kept.append(issue)
    preview.errors = kept


def _merge_name_groups(groups: dict[str, list[tuple[RowPreview, ParsedRow]]]) -> dict[str, str]:
    """Rows naming a new company without its registration number join the rows that give one
    (when exactly one number goes with that name), so one company is created, not two."""
    numbered: dict[str, list[str]] = defaultdict(list)
    for key, members in groups.items():
        if key.startswith("brn:"):
            numbered[normalise_name(members[0][1].values["company"])].append(key)
    aliases: dict[str, str] = {}
    for key in [k for k in groups if k.startswith("name:")]:
        targets = numbered.get(key.removeprefix("name:"), [])
        if len(targets) == 1:
            groups[targets[0]].extend(groups.pop(key))
            aliases[key] = targets[0]
    return aliases


class Planner:
    def __init__(
        self,
        session: Session,
        table: SourceTable,
        mapping: dict[str, str | None],
        options: ImportOptions,
    ) -> None:
        self.session = session
        self.table = table
        self.options = options
        self.today = options.today or date.today()
        self.catalog = Catalog(session)
        self.closed = bulk.ClosedQuarters(session)
        self.fields = fields_for(table.kind, self.catalog.kinds)
        check_mapping(mapping, table.labels, table.kind, self.fields)
        self.mapping = mapping
        self.mapped = {name for name in mapping.values() if name}
        self.parser = RowParser(
            table, mapping, self.fields, options, Vocabulary.build(self.catalog.kinds)
        )
        self.labels = self.parser.labels

    # shared helpers ----------------------------------------------------------------------------

    def issue(
        self, row: int, field_name: str, key: str, params: dict[str, Any] | None = None
    ) -> CellIssue:
        return CellIssue(row, self.labels.get(field_name), field_name, key, params or {})

    def issues_from(
        self, row: ParsedRow, errors: list[FieldError], prefix: str = ""
    ) -> list[CellIssue]:
        """Validator errors as cell issues, leaving out fields whose cell could not be read."""
        unreadable = {issue.field for issue in row.errors}
        out = []
        for error in errors:
            name = FIELD_COLUMNS.get(error.field, error.field)
            if prefix and name == "name_ko":
                name = "company"
            if name in unreadable:
                continue
            value = row.values.get(name)
            out.append(
                CellIssue(
                    row.number,
                    self.labels.get(name),
                    f"{prefix}{name}" if prefix and name != "company" else name,
                    error.key,
                    dict(error.params),
                    None if value is None else str(value)[:100],
                )
            )
        return out

    def officer(self, row: ParsedRow, errors: list[CellIssue]) -> int | None:
        text = row.values.get("officer")
        if text is None:
            return None
        officer_id = self.catalog.officer_id(text)
        if officer_id is None:
            errors.append(
                self.issue(row.number, "officer", "importer.error.officer_unknown", {"value": text})
            )
        return officer_id

    def twin_on_amount(self, issues: list[CellIssue], twin: str | None) -> list[CellIssue]:
        """An error on a kind field filled from the amount column belongs to that column."""
        name = f"details.{twin}"
        if twin is None or name in self.labels or "amount_krw" not in self.labels:
            return issues
        return [
            CellIssue(i.row, self.labels["amount_krw"], "amount_krw", i.key, i.params, i.value)
            if i.field == name
            else i
            for i in issues
        ]

    def lookup_issue(self, row: ParsedRow, lookup: CompanyLookup, name_field: str) -> CellIssue:
        assert lookup.error is not None
        target = "brn" if lookup.error == "importer.error.brn_mismatch" else name_field
        return self.issue(row.number, target, lookup.error, lookup.params)

    def brn_owners(self) -> dict[str, tuple[int, str]]:
        return {brn: (ref.id, ref.name_ko) for brn, ref in self.catalog.by_brn.items()}

    def plan(self) -> ImportPreview:
        parsed = self.parser.parse()
        planners: dict[
            ImportKind, Callable[[list[ParsedRow]], tuple[list[RowPreview], list[Any]]]
        ] = {
            ImportKind.COMPANIES: self.plan_companies,
            ImportKind.ACTIVITIES: self.plan_activities,
            ImportKind.OUTCOMES: self.plan_outcomes,
        }
        rows, company_plans = planners[self.table.kind](parsed)
        for preview, row in zip(rows, parsed, strict=True):
            _drop_follow_on_errors(preview, row)
        previous = self.session.exec(
            select(ImportBatch.id).where(
                ImportBatch.sha256 == self.table.sha256, col(ImportBatch.undone_at).is_(None)
            )
        ).all()
        return ImportPreview(
            kind=self.table.kind,
            filename=self.table.filename,
            sha256=self.table.sha256,
            mapping=dict(self.mapping),
            options=self.options,
            rows=rows,
            skipped=list(self.table.skipped),
            notes=[*self.table.notes, *self.parser.notes],
            ignored_columns=[label for label in self.table.labels if not self.mapping.get(label)],
            previous_imports=[i for i in previous if i is not None],
            new_companies=len(company_plans),
            company_plans=company_plans,
        )

    # companies -----------------------------------------------------------------------------------

    def plan_companies(self, parsed: list[ParsedRow]) -> tuple[list[RowPreview], list[Any]]:
        previews: list[RowPreview] = []
        pending: list[tuple[RowPreview, ParsedRow, CompanyLookup, str]] = []
        seen_brn: dict[str, int] = {}
        seen_name: dict[str, tuple[int, str | None]] = {}
        claimed: dict[int, int] = {}
        find = self.catalog.find_by_keys
        for row in parsed:
            values = row.values
            preview = _row_preview(row)
            previews.append(preview)
            name, brn = values.get("name_ko"), brn_key(values.get("brn"))
            name_key = normalise_name(name) if name else ""
            lookup = find(brn, name_key)
            ref = lookup.ref
            earlier = None
            if row.errors:  # checked for every reason, but never the first of duplicates
                pass
            elif brn and brn in seen_brn:
                earlier = seen_brn[brn]
            elif name_key in seen_name and (not brn or seen_name[name_key][1] in (None, brn)):
                earlier = seen_name[name_key][0]
            elif ref is not None and ref.id in claimed:
                earlier = claimed[ref.id]
            if earlier is not None:
                preview.status, preview.duplicate_of = RowStatus.DUPLICATE, earlier
                continue
            if not row.errors:
                if brn:
                    seen_brn[brn] = row.number
                if name_key:
                    seen_name.setdefault(name_key, (row.number, brn))
            if lookup.error:
                preview.errors.append(self.lookup_issue(row, lookup, "name_ko"))
                continue
            if ref is not None and not row.errors:
                claimed[ref.id] = row.number
            pending.append((preview, row, lookup, brn or name_key))
        matched = [lookup.ref.id for _, _, lookup, _ in pending if lookup.ref is not None]
        companies = self.catalog.load_companies(matched)
        stages = self.catalog.last_stages(matched)
        owners = self.brn_owners()
        new: list[tuple[RowPreview, ParsedRow, str]] = []
        for preview, row, lookup, key in pending:
            ref = lookup.ref
            if ref is None:
                new.append((preview, row, key))
                continue
            preview.match = Match("company", ref.id, ref.label, lookup.by or "name")
            self.update_company_row(preview, row, companies[ref.id], stages[ref.id], owners)
        self.new_company_rows(new)
        return previews, []

    def new_company_rows(self, rows: list[tuple[RowPreview, ParsedRow, str]]) -> None:
        """Rows that create a company (each with its key: registration number, else normalised
        name): the options' defaults filled in, then add_company's checks for all of them at
        once (bulk.check_new_companies)."""
        options = self.options
        handled: list[frozenset[str]] = []  # per row, fields whose missing default is explained
        news: list[NewCompany] = []
        for preview, row, _ in rows:
            values, errors = row.values, preview.errors
            stage = values.get("stage") or options.default_stage
            industry = values.get("industry") or options.default_industry
            since = values.get("stage_since") or options.stage_since or self.today
            cohort = values.get("cohort_year") or options.cohort_year or since.year
            explained = _NOTHING
            if stage is None or industry is None:
                explained = self.missing_defaults(row.number, stage, industry, errors)
            officer = self.officer(row, errors) if "officer" in values else None
            preview.values.update(
                stage=stage, stage_since=since, cohort_year=cohort, industry=industry
            )
            handled.append(explained)
            profile = {f: values.get(f) for f in PROFILE_FIELDS}
            profile.update(industry=industry, cohort_year=cohort, officer_id=officer)
            news.append(NewCompany(stage=stage, stage_since=since, **profile))
        checked = bulk.check_new_companies(self.session, news)
        for (preview, row, key), explained, (_, found), new in zip(
            rows, handled, checked, news, strict=True
        ):
            if found:
                preview.errors += [
                    e for e in self.issues_from(row, found) if e.field not in explained
                ]
            if preview.errors:
                continue
            preview.status = RowStatus.NEW
            preview.plan = NewCompanyPlan(key, new, [row.number])

    def missing_defaults(
        self, number: int, stage: Any, industry: Any, errors: list[CellIssue]
    ) -> frozenset[str]:
        """A new company's stage or industry that neither the row nor the options give: one
        error each, and those fields, whose "required" from the checks would only repeat it."""
        explained: set[str] = set()
        if stage is None:
            errors.append(self.issue(number, "stage", "importer.error.default_stage_needed"))
            explained.add("stage")
        if industry is None:
            errors.append(self.issue(number, "industry", "importer.error.default_industry_needed"))
            explained.add("industry")
        return frozenset(explained)

    def update_company_row(
        self,
        preview: RowPreview,
        row: ParsedRow,
        company: Company,
        last: tuple[str, date],
        owners: dict[str, tuple[int, str]],
    ) -> None:
        values = row.values
        errors: list[CellIssue] = []
        # a cell holding exactly the stored value changes nothing, so it is not a change to
        # check (as a form sends only the fields a user changed)
        candidates = {
            f: values[f]
            for f in COMPANY_VALUE_FIELDS
            if f in values and not _stored_as_is(values[f], getattr(company, f))
        }
        for name_field in ("name_ko", "name_en"):
            # "(주)X" in the file for "X 주식회사" in the database is the same name, not a change
            same = normalise_name(candidates.get(name_field) or "") == normalise_name(
                getattr(company, name_field) or ""
            )
            if name_field in candidates and same:
                del candidates[name_field]
        officer_id = self.officer(row, errors)
        if officer_id is not None:
            candidates["officer_id"] = officer_id
        pre = Checker()
        clean = company_service.validate_profile(self.session, pre, candidates, partial=True)
        errors += self.issues_from(row, pre.errors)
        diff = {
            f: v
            for f, v in clean.items()
            if v is not None
            and f not in {e.field for e in pre.errors}
            and not _same(getattr(company, f), v)
        }
        if self.options.empty_clears:
            errors += self.clear_empty(preview, row, company, diff)
        stage_change: tuple[Stage, date] | None = None
        target = values.get("stage")
        if target and target != last[0]:
            day = values.get("stage_since") or self.options.stage_since or self.today
            stage_change = (Stage(target), day)
        if diff or stage_change:
            assert company.id is not None
            owner = owners.get(diff.get("brn") or "")
            _, found = bulk.check_company_update(
                self.session,
                company,
                last,
                CompanyUpdate(company.id, diff, stage_change),
                taken_by=owner[1] if owner and owner[0] != company.id else None,
                today=self.today,
            )
            errors += self.issues_from(row, found)
        preview.errors += errors
        preview.changes = {f: (getattr(company, f), v) for f, v in diff.items()}
        if stage_change:
            preview.changes["stage"] = (
                last[0],
                stage_move_text(stage_change[0].value, stage_change[1]),
            )
        if preview.errors:
            return
        if not diff and stage_change is None:
            preview.status = RowStatus.UNCHANGED
            return
        preview.status = RowStatus.UPDATE
        assert company.id is not None
        preview.plan = CompanyUpdatePlan(company.id, diff, stage_change)

    def clear_empty(
        self, preview: RowPreview, row: ParsedRow, company: Company, diff: dict[str, Any]
    ) -> list[CellIssue]:
        """ "Empty cells clear values": the row's empty optional cells join its changes (each
        noted with the value it clears); an empty required cell is refused."""
        unreadable = {issue.field for issue in row.errors}
        clears, refused = cleared_values(row.values, unreadable, company, self.mapped)
        for name in clears:
            column = COLUMN_OF.get(name, name)
            old = to_text(getattr(company, name))
            preview.warnings.append(
                self.issue(row.number, column, "importer.warning.cleared", {"old": old})
            )
        diff.update(clears)
        return [self.issue(row.number, column, "importer.error.cannot_clear") for column in refused]

    # activities ----------------------------------------------------------------------------------

    def kind_labels(self, code: str) -> dict[str, InEachLanguage]:
        """A kind's label in each language (`{kind}`), for messages in either."""
        kind = next((k for k in self.catalog.kinds if k.code == code), None)
        if kind is None:
            return {"kind": InEachLanguage(code, code)}
        return {"kind": InEachLanguage(kind_label(kind, "ko"), kind_label(kind, "en"))}

    def resolve_programme(self, row: ParsedRow, errors: list[CellIssue]) -> int | None:
        values = row.values
        start: date | None = values.get("start_on")
        year = start.year if start else None
        kind = values.get("kind") or self.options.default_kind
        if values.get("programme"):
            pid, error = self.catalog.programme_by_name(values["programme"], year)
            if error:
                errors.append(
                    self.issue(row.number, "programme", error, {"value": values["programme"]})
                )
                return None
            programme = self.catalog.programme(pid)  # type: ignore[arg-type]
            if values.get("kind") and programme is not None and programme.kind != values["kind"]:
                errors.append(
                    self.issue(
                        row.number,
                        "kind",
                        "importer.error.kind_mismatch",
                        {"programme": programme.name, **self.kind_labels(programme.kind)},
                    )
                )
            return pid
        if kind:
            if kind not in self.catalog.kind_codes:
                errors.append(self.issue(row.number, "kind", "error.kind_unknown"))
                return None
            if self.options.programme_id is not None:
                programme = self.catalog.programme(self.options.programme_id)
                if programme is not None and programme.kind == kind:
                    return programme.id
            if year is None:
                errors.append(self.issue(row.number, "start_on", "error.required"))
                return None
            pid, error = self.catalog.programme_for_kind(kind, year)
            if error:
                errors.append(
                    self.issue(row.number, "kind", error, {**self.kind_labels(kind), "year": year})
                )
            return pid
        if self.options.programme_id is not None:
            if self.catalog.programme(self.options.programme_id) is None:
                errors.append(self.issue(row.number, "programme", "error.programme_unknown"))
                return None
            return self.options.programme_id
        errors.append(self.issue(row.number, "programme", "importer.error.programme_needed"))
        return None

    def plan_activities(self, parsed: list[ParsedRow]) -> tuple[list[RowPreview], list[Any]]:
        previews: list[RowPreview] = []
        valid: list[
            tuple[RowPreview, ParsedRow, CompanyRef | None, str | None, dict[str, Any]]
        ] = []
        groups: dict[str, list[tuple[RowPreview, ParsedRow]]] = defaultdict(list)
        for row in parsed:
            preview = _row_preview(row)
            previews.append(preview)
            values = row.values
            lookup = self.catalog.find_company(values.get("brn"), values.get("company"))
            if lookup.error:
                preview.errors.append(self.lookup_issue(row, lookup, "company"))
                continue
            ref, group = lookup.ref, None
            if ref is None:
                name = values.get("company")
                if not self.options.create_companies:
                    preview.errors.append(
                        self.issue(
                            row.number,
                            "company",
                            "importer.error.company_unknown",
                            {"value": name or values.get("brn")},
                        )
                    )
                    continue
                if not name:
                    preview.errors.append(self.issue(row.number, "company", "error.required"))
                    continue
                brn = brn_key(values.get("brn"))
                group = f"brn:{brn}" if brn else f"name:{normalise_name(name)}"
                preview.creates_company = name
            else:
                preview.match = Match("company", ref.id, ref.label, lookup.by or "name")
            errors: list[CellIssue] = []
            pid = self.resolve_programme(row, errors)
            officer_id = self.officer(row, errors)
            clean: dict[str, Any] = {}
            if pid is not None:
                programme = self.catalog.programme(pid)
                assert programme is not None
                details = {
                    k.removeprefix("details."): v
                    for k, v in values.items()
                    if k.startswith("details.")
                }
                amount = values.get("amount_krw")
                twin = AMOUNT_TWINS.get(programme.kind)
                if twin and twin not in details and amount is not None:
                    details[twin] = amount
                if twin and amount is None and details.get(twin) is not None:
                    amount = details[twin]
                new = NewActivity(
                    company_id=ref.id if ref else 0,
                    programme_id=pid,
                    start_on=values.get("start_on"),  # type: ignore[arg-type]
                    status=values.get("status") or ActivityStatus.COMPLETED.value,
                    amount_krw=amount,
                    end_on=values.get("end_on"),
                    officer_id=officer_id,
                    notes=values.get("notes"),
                    details=details,
                )
                clean, found = bulk.check_new_activity_row(
                    self.session, new, bool(ref and ref.archived), self.closed
                )
                errors += self.twin_on_amount(self.issues_from(row, found), twin)
            elif not errors:
                errors.append(
                    self.issue(row.number, "programme", "importer.error.programme_needed")
                )
            preview.errors += errors
            if preview.errors:
                continue
            valid.append((preview, row, ref, group, clean))
            if group is not None:
                groups[group].append((preview, row))
        aliases = _merge_name_groups(groups)
        valid = [(p, r, ref, aliases.get(g, g) if g else g, c) for p, r, ref, g, c in valid]
        company_plans = self.plan_new_companies(groups)
        existing = self.catalog.activities_of(
            {ref.id for _, _, ref, _, _ in valid if ref is not None}
        )
        self.classify_activities(valid, existing, company_plans)
        return previews, list(company_plans.values())

    def plan_new_companies(
        self, groups: dict[str, list[tuple[RowPreview, ParsedRow]]]
    ) -> dict[str, NewCompanyPlan]:
        """One company per name (or registration number) the database does not have, entering
        the programme on the date of its first activity in the file."""
        plans: dict[str, NewCompanyPlan] = {}
        for key, members in groups.items():
            _, first = members[0]

            def first_value(name: str, rows: list[tuple[RowPreview, ParsedRow]] = members) -> Any:
                return next(
                    (r.values[name] for _, r in rows if r.values.get(name) is not None), None
                )

            since = min(r.values["start_on"] for _, r in members)
            stage = self.options.default_stage
            industry = first_value("industry") or self.options.default_industry
            errors: list[CellIssue] = []
            if stage is None:
                errors.append(
                    self.issue(first.number, "company", "importer.error.default_stage_needed")
                )
            if industry is None:
                errors.append(
                    self.issue(first.number, "industry", "importer.error.default_industry_needed")
                )
            new = NewCompany(
                name_ko=first.values["company"],
                industry=industry,
                cohort_year=self.options.cohort_year or since.year,
                stage=stage,  # type: ignore[arg-type]
                stage_since=since,
                brn=first_value("brn"),
                founded_on=first_value("founded_on"),
                location=first_value("location"),
            )
            [(_, found)] = bulk.check_new_companies(self.session, [new])
            handled = ({"stage"} if stage is None else set()) | (
                {"industry"} if industry is None else set()
            )
            errors += [
                e
                for e in self.issues_from(first, found, prefix="company.")
                if e.field.removeprefix("company.") not in handled
            ]
            if errors:
                for preview, row in members:
                    preview.errors += [
                        CellIssue(row.number, e.column, e.field, e.key, e.params, e.value)
                        for e in errors
                    ]
                continue
            plans[key] = NewCompanyPlan(key, new, [r.number for _, r in members])
        return plans

    def classify_activities(
        self,
        valid: list[tuple[RowPreview, ParsedRow, CompanyRef | None, str | None, dict[str, Any]]],
        existing: dict[tuple[int, int, date], list[Activity]],
        company_plans: dict[str, NewCompanyPlan],
    ) -> None:
        per_key: dict[tuple[Any, int, date], int] = defaultdict(int)
        for preview, _row, ref, group, clean in valid:
            if not preview.errors:
                per_key[(ref.id if ref else group, clean["programme_id"], clean["start_on"])] += 1
        seen: dict[tuple[Any, ...], int] = {}
        for preview, row, ref, group, clean in valid:
            if preview.errors:
                continue
            if group is not None and group not in company_plans:
                continue  # its company cannot be created: the rows already carry the reason
            owner = ref.id if ref else group
            compared = self.activity_fields(row, clean)
            signature = (owner, clean["programme_id"], clean["start_on"], to_text(compared))
            if signature in seen:
                preview.status, preview.duplicate_of = RowStatus.DUPLICATE, seen[signature]
                continue
            seen[signature] = row.number
            if ref is None:
                preview.status = RowStatus.NEW
                preview.plan = ActivityNewPlan(clean, None, group)
                continue
            key = (ref.id, clean["programme_id"], clean["start_on"])
            candidates = existing.get(key, [])
            equal = [a for a in candidates if _activity_matches(a, compared)]
            if equal:
                preview.status = RowStatus.UNCHANGED
                preview.match = Match("activity", equal[0].id or 0, f"#{equal[0].id}", "key")
            elif len(candidates) == 1 and per_key[key] == 1:
                self.update_activity_row(preview, row, candidates[0], compared)
            else:
                preview.status = RowStatus.NEW
                preview.plan = ActivityNewPlan(clean, ref.id, None)

    def activity_fields(self, row: ParsedRow, clean: dict[str, Any]) -> dict[str, Any]:
        """The activity fields this row actually states (what a match is compared on)."""
        out = {f: clean[f] for f in ACTIVITY_ROW_FIELDS if f in row.values}
        if "officer" in row.values:
            out["officer_id"] = clean["officer_id"]
        if any(k.startswith("details.") for k in row.values) or "amount_krw" in row.values:
            out["details"] = clean.get("details", {})
            out["amount_krw"] = clean["amount_krw"]
        return out

    def update_activity_row(
        self, preview: RowPreview, row: ParsedRow, activity: Activity, compared: dict[str, Any]
    ) -> None:
        if "details" in compared:
            compared = {**compared, "details": {**activity.details, **compared["details"]}}
        diff = {f: v for f, v in compared.items() if not _same(getattr(activity, f), v)}
        assert activity.id is not None
        preview.match = Match("activity", activity.id, f"#{activity.id}", "key")
        preview.changes = {f: (getattr(activity, f), v) for f, v in diff.items()}
        if not diff:
            preview.status = RowStatus.UNCHANGED
            return
        clean, found = bulk.check_activity_changes(self.session, activity, diff, self.closed)
        preview.errors += self.issues_from(row, found)
        if preview.errors:
            preview.status = RowStatus.ERROR
            return
        preview.status = RowStatus.UPDATE
        preview.plan = ActivityUpdatePlan(
            activity.id, {f: clean.get(f, v) for f, v in diff.items()}
        )

    # outcomes ------------------------------------------------------------------------------------

    def plan_outcomes(self, parsed: list[ParsedRow]) -> tuple[list[RowPreview], list[Any]]:
        previews: list[RowPreview] = []
        pending: list[tuple[RowPreview, ParsedRow, CompanyRef, int | None, int | None]] = []
        for row in parsed:
            preview = _row_preview(row)
            previews.append(preview)
            values = row.values
            lookup = self.catalog.find_company(values.get("brn"), values.get("company"))
            if lookup.error:
                preview.errors.append(self.lookup_issue(row, lookup, "company"))
                continue
            if lookup.ref is None:
                shown = values.get("company") or values.get("brn")
                preview.errors.append(
                    self.issue(
                        row.number, "company", "importer.error.company_unknown", {"value": shown}
                    )
                )
                continue
            preview.match = Match("company", lookup.ref.id, lookup.ref.label, lookup.by or "name")
            year = values.get("year") or values.get("quarter_year")
            if (
                values.get("year")
                and values.get("quarter_year")
                and values["year"] != values["quarter_year"]
            ):
                preview.errors.append(
                    self.issue(row.number, "quarter", "importer.error.quarter_year_mismatch")
                )
                continue
            if not preview.errors:
                pending.append((preview, row, lookup.ref, year, values.get("quarter")))
        existing = self.catalog.outcomes_of({ref.id for _, _, ref, _, _ in pending})
        seen: dict[tuple[int, int | None, int | None], int] = {}
        for preview, row, ref, year, quarter in pending:
            key = (ref.id, year, quarter)
            if key in seen:
                preview.status, preview.duplicate_of = RowStatus.DUPLICATE, seen[key]
                continue
            seen[key] = row.number
            figures = {f: row.values[f] for f in (*FIGURE_FIELDS, "notes") if f in row.values}
            report = existing.get(key)  # type: ignore[arg-type]
            if report is None:
                checked, found = bulk.check_new_outcome(
                    NewOutcomeReport(ref.id, year, quarter, figures), self.closed, set()
                )
                clean = {
                    f: v for f, v in checked.items() if f not in ("company_id", "year", "quarter")
                }
                if year is None:
                    found = [e for e in found if e.field != "year"]
                    preview.errors.append(
                        self.issue(row.number, "year", "importer.error.year_needed")
                    )
                preview.errors += self.issues_from(row, found)
                if not preview.errors:
                    preview.status = RowStatus.NEW
                    preview.plan = OutcomeNewPlan(ref.id, year, quarter, clean)  # type: ignore[arg-type]
                continue
            assert report.id is not None
            preview.match = Match(
                "outcome_report", report.id, f"{ref.name_ko} {year} Q{quarter}", "key"
            )
            diff = {f: v for f, v in figures.items() if not _same(getattr(report, f), v)}
            preview.changes = {f: (getattr(report, f), v) for f, v in diff.items()}
            if not diff:
                preview.status = RowStatus.UNCHANGED
                continue
            clean, found = bulk.check_outcome_changes(report, diff, self.closed)
            preview.errors += self.issues_from(row, found)
            if not preview.errors:
                preview.status = RowStatus.UPDATE
                preview.plan = OutcomeUpdatePlan(
                    report.id, {f: clean.get(f, v) for f, v in diff.items()}
                )
        return previews, []


def plan_import(
    session: Session,
    table: SourceTable,
    *,
    mapping: dict[str, str | None] | None = None,
    options: ImportOptions | None = None,
) -> ImportPreview:
    """The preview, without a permission check (apply_import runs it inside its transaction)."""
    return Planner(
        session, table, table.mapping if mapping is None else mapping, options or ImportOptions()
    ).plan()


def preview_import(
    session: Session,
    actor: Actor,
    table: SourceTable,
    *,
    mapping: dict[str, str | None] | None = None,
    options: ImportOptions | None = None,
) -> ImportPreview:
    """Classify every row of `table` under `mapping` (default: the suggested one); nothing is
    written, and the session is left as it was found (rolled back)."""
    check_permission(session, actor, Permission.IMPORT_DATA)
    try:
        return plan_import(session, table, mapping=mapping, options=options)
    finally:
        session.rollback()
