"""The plain values an import passes around: the file as read, the table, the preview, results."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from crm.i18n import t


class ImportKind(StrEnum):
    COMPANIES = "companies"
    ACTIVITIES = "activities"
    OUTCOMES = "outcomes"


class RowStatus(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    ERROR = "error"


class SkipReason(StrEnum):
    TITLE = "title"
    BLANK = "blank"
    TOTALS = "totals"
    NOTE = "note"
    EXAMPLE = "example"


@dataclass(frozen=True)
class Note:
    """A message about the whole file (encoding, units, cleaned cells, ...)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "ko") -> str:
        return t(self.key, lang, **self.params)

    @property
    def warning(self) -> bool:
        """Part of the file was not read as written: shown as a warning, not a remark."""
        return self.key in WARNING_NOTES


WARNING_NOTES = frozenset({"importer.note.merged_malformed"})
Row = tuple[int, tuple[Any, ...]]  # (row number as the user sees it, cell values)


@dataclass(frozen=True)
class RawSheet:
    """Every non-empty row of one sheet or CSV, as read (no header found yet)."""

    filename: str
    sha256: str
    rows: list[Row]
    sheet_name: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    encoding: str | None = None
    notes: list[Note] = field(default_factory=list)
    formula_cells: frozenset[tuple[int, int]] = frozenset()  # (row number, 0-based column)
    # merged ranges as (first row, first column, last row, last column): rows numbered as the
    # user sees them, columns 0-based (a group name merged over the columns it heads)
    merged_ranges: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: SkipReason
    text: str = ""

    def message(self, lang: str = "ko") -> str:
        return t(f"importer.skip.{self.reason.value}", lang, text=self.text)


@dataclass
class SourceTable:
    """A sheet with its header found: labels, data rows, and the rows skipped with reasons.

    `mapping` is the suggested column → field mapping; pass a corrected copy to the preview."""

    filename: str
    sha256: str
    kind: ImportKind
    header_row: int
    labels: list[str]
    rows: list[Row]
    skipped: list[SkippedRow]
    notes: list[Note]
    mapping: dict[str, str | None]
    sheet_name: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    encoding: str | None = None
    formula_cells: frozenset[tuple[int, int]] = frozenset()
    unit_hint: str | None = None  # a table-wide unit such as "(단위: 천원)" above the header


@dataclass(frozen=True)
class CellIssue:
    """An error or warning about one cell (column None: about the row as a whole)."""

    row: int
    column: str | None
    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    value: str | None = None

    def message(self, lang: str = "ko") -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Match:
    """The existing record a row updates or equals, and how it was found."""

    entity: str
    id: int
    label: str
    by: str  # "brn", "name" or "key"


@dataclass
class RowPreview:
    row: int
    status: RowStatus
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellIssue] = field(default_factory=list)
    warnings: list[CellIssue] = field(default_factory=list)
    match: Match | None = None
    duplicate_of: int | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    creates_company: str | None = None
    plan: Any = field(default=None, repr=False, compare=False)  # what apply writes


@dataclass(frozen=True)
class ImportOptions:
    """Choices the user makes for the whole file (the page's widgets, the CLI's flags)."""

    default_stage: str | None = None  # for new companies without a stage
    stage_since: date | None = None  # their stage date when the file has none (default: today)
    cohort_year: int | None = None  # when the file has none (default: the stage date's year)
    default_industry: str | None = None  # for rows without an industry
    programme_id: int | None = None  # activities: the programme of rows without one
    default_kind: str | None = None  # activities: kind of rows without one (programme of its year)
    create_companies: bool = True  # activities: create companies that are not in the database
    date_order: str = "auto"  # "auto", "dmy" or "mdy": how to read 04/03/2022
    usd_krw_rate: float | None = None  # converts amounts in columns marked USD
    empty_clears: bool = False  # companies: an empty cell clears the stored optional value
    today: date | None = None  # fixed "today" for tests


@dataclass
class ImportPreview:
    kind: ImportKind
    filename: str
    sha256: str
    mapping: dict[str, str | None]
    options: ImportOptions
    rows: list[RowPreview]
    skipped: list[SkippedRow]
    notes: list[Note]
    ignored_columns: list[str]
    previous_imports: list[int] = field(default_factory=list)  # earlier imports of this file
    new_companies: int = 0  # activities: companies the import would create
    company_plans: list[Any] = field(default_factory=list, repr=False)  # what apply creates

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.status.value for r in self.rows)
        out = {s.value: found.get(s.value, 0) for s in RowStatus}
        out["skipped"] = len(self.skipped)
        return out

    @property
    def error_rows(self) -> list[RowPreview]:
        return [r for r in self.rows if r.status == RowStatus.ERROR]

    @property
    def to_write(self) -> list[RowPreview]:
        return [r for r in self.rows if r.status in (RowStatus.NEW, RowStatus.UPDATE)]


@dataclass(frozen=True)
class ImportResult:
    batch_id: int | None  # None when nothing needed writing (e.g. the same file again)
    created: int
    updated: int
    unchanged: int
    duplicates: int
    skipped_rows: list[int]  # error rows left out with skip_invalid, by row number
    companies_created: int
    preview: ImportPreview


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    deleted: dict[str, int]  # entity → rows removed
    restored: int  # fields put back to their value before the import
