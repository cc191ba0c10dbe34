"""Turn a table's rows into typed field values, with an issue per cell that cannot be read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from crm.i18n import CATALOGUES
from crm.importer.fields import FieldSpec, kind_rows
from crm.importer.mapping import column_unit
from crm.importer.model import CellIssue, ImportOptions, Note, SourceTable
from crm.importer.parsing import (
    USD,
    ParseFailure,
    choice_key,
    clean_column,
    parse_brn,
    parse_choice,
    parse_country,
    parse_date,
    parse_decimal,
    parse_industry,
    parse_int,
    parse_krw,
    parse_quarter,
    parse_round,
    parse_year,
    read_slash_dates,
    slash_order_evidence,
)
from crm.models import ActivityStatus, Industry, Stage
from crm.services.reference import OVERSEAS_TYPES

EXTRA_SYNONYMS: dict[str, dict[str, str]] = {
    "stage": {
        "예비": "pre_startup", "예비창업자": "pre_startup", "prestartup": "pre_startup",
        "창업": "startup", "초기": "startup", "창업초기": "startup", "초기창업": "startup",
        "early": "startup", "earlystage": "startup", "성장": "growth", "도약": "growth",
        "scaleup": "growth",
    },
    "status": {
        "완료": "completed", "종료": "completed", "done": "completed", "진행": "in_progress",
        "진행중": "in_progress", "inprogress": "in_progress", "ongoing": "in_progress",
        "예정": "planned", "계획": "planned", "취소": "cancelled", "canceled": "cancelled",
    },
    "kind": {
        "멘토": "mentoring", "mentor": "mentoring", "시제품": "prototyping",
        "prototype": "prototyping", "투자": "investment", "투자유치": "investment",
        "fund": "investment", "funding": "investment", "해외": "overseas",
        "overseasexpansion": "overseas", "export": "overseas",
    },
    "industry": {"기타": "other", "etc": "other"},
    "programme_type": {
        "전시회": "exhibition", "박람회": "exhibition", "tradeshow": "exhibition",
        "시장조사": "market_research", "marketresearch": "market_research",
        "현지화": "localisation", "localization": "localisation", "수출계약": "export_contract",
        "exportcontract": "export_contract",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    """Synonyms → stored value for each choice, from the catalogues' labels in both languages."""

    choices: dict[str, dict[str, str]]
    allowed: dict[str, list[str]]

    @classmethod
    def build(cls, kinds: Iterable[Any] | None = None) -> Vocabulary:
        rows = kind_rows(kinds)
        values = {
            "stage": [s.value for s in Stage],
            "status": [s.value for s in ActivityStatus],
            "industry": [i.value for i in Industry],
            "kind": [k["code"] for k in rows],
            "programme_type": list(OVERSEAS_TYPES),
        }
        labelled = ("stage", "status", "industry", "kind")  # names with catalogue labels
        choices: dict[str, dict[str, str]] = {}
        for name, allowed in values.items():
            table: dict[str, str] = {}
            for value in allowed:
                table[choice_key(value)] = value
                for lang in ("ko", "en"):
                    label = CATALOGUES[lang].get(f"{name}.{value}") if name in labelled else None
                    if label:
                        table[choice_key(label)] = value
            for synonym, value in EXTRA_SYNONYMS.get(name, {}).items():
                if value in allowed:
                    table[choice_key(synonym)] = value
            choices[name] = table
        for kind in rows:
            for label in (kind.get("name_ko"), kind.get("name_en")):
                if label:
                    choices["kind"][choice_key(label)] = kind["code"]
        return cls(choices, values)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellIssue] = field(default_factory=list)
    warnings: list[CellIssue] = field(default_factory=list)


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)[:100]


def _memo(parse: Callable[[Any], Any]) -> Callable[[ParsedRow, Any], Any]:
    """A pure cell parser remembered per column: dates, amounts and choices repeat down a
    column. Keyed by type too (True, 1 and 1.0 are equal keys but read differently); cells
    that fail are parsed again each time, so every one raises its own ParseFailure."""
    seen: dict[tuple[type, Any], Any] = {}

    def read(row: ParsedRow, raw: Any) -> Any:
        key = (type(raw), raw)
        try:
            return seen[key]
        except KeyError:
            value = seen[key] = parse(raw)
            return value
        except TypeError:  # an unhashable cell
            return parse(raw)

    return read


class RowParser:
    """Parses one table's rows with its mapping; column-wide decisions are made once."""

    def __init__(
        self,
        table: SourceTable,
        mapping: dict[str, str | None],
        fields: Iterable[FieldSpec],
        options: ImportOptions,
        vocabulary: Vocabulary,
    ) -> None:
        self.table = table
        self.options = options
        self.vocabulary = vocabulary
        self.notes: list[Note] = []
        specs = {spec.name: spec for spec in fields}
        self.columns: list[tuple[int, str, FieldSpec]] = [
            (index, label, specs[name])
            for index, label in enumerate(table.labels)
            if (name := mapping.get(label)) is not None and name in specs
        ]
        self.labels = {spec.name: label for _, label, spec in self.columns}
        self.units: dict[int, int | str] = {}
        self.date_orders: dict[int, tuple[str, bool]] = {}
        self.repaired = 0
        for index, label, spec in self.columns:
            if spec.type == "krw":
                unit = column_unit(label, table.unit_hint)
                self.units[index] = unit
                if unit == USD and options.usd_krw_rate:
                    self.notes.append(
                        Note(
                            "importer.note.usd",
                            {"column": label, "rate": f"{options.usd_krw_rate:,g}"},
                        )
                    )
                elif unit not in (1, USD):
                    self.notes.append(
                        Note("importer.note.column_unit", {"column": label, "unit": unit})
                    )
            elif spec.type == "date":
                self._decide_date_order(index, label)

    def _decide_date_order(self, index: int, label: str) -> None:
        texts = [
            cells[index]
            for _, cells in self.table.rows
            if index < len(cells) and isinstance(cells[index], str)
        ]
        # each distinct text looked at once (a column of dates repeats them)
        dated = {t for t in set(texts) if "/" in t or slash_order_evidence(t) is not None}
        slashed = [t for t in texts if t in dated]
        order, contradictory = read_slash_dates(slashed, self.options.date_order)
        self.date_orders[index] = (order, contradictory)
        if slashed and self.options.date_order == "auto":
            key = "importer.note.date_conflict" if contradictory else f"importer.note.date_{order}"
            self.notes.append(Note(key, {"column": label}))

    def parse(self) -> list[ParsedRow]:
        """Every row's typed values, read column by column: a column's parser, caches and text
        cleaning serve the whole column. Columns are read in order, so each row's values,
        errors and warnings still come in column order."""
        out = [ParsedRow(number) for number, _ in self.table.rows]
        columns = self._cells_by_column()
        for index, label, spec in self.columns:
            raws = columns[index]
            if self.table.formula_cells:
                self._formulas_without_value(index, label, spec, raws, out)
            read = self._reader(index, label, spec)
            if read is None:
                texts, repaired = clean_column(raws, multiline=spec.type == "notes")
                self.repaired += repaired
                for row, text in zip(out, texts, strict=True):
                    if text is not None:
                        row.values[spec.name] = text
            else:
                self._read_cells(label, spec, read, raws, out)
        if self.repaired:
            self.notes.append(Note("importer.note.cleaned", {"count": self.repaired}))
        return out

    def _cells_by_column(self) -> list[list[Any]]:
        """The table's cells column by column (None past the end of a short row)."""
        width = max((index for index, _, _ in self.columns), default=-1) + 1
        padded = [
            cells if len(cells) >= width else (*cells, *([None] * (width - len(cells))))
            for _, cells in self.table.rows
        ]
        if not padded:
            return [[] for _ in range(width)]
        return [list(column) for column in zip(*(cells[:width] for cells in padded), strict=True)]

    def _formulas_without_value(
        self, index: int, label: str, spec: FieldSpec, raws: list[Any], rows: list[ParsedRow]
    ) -> None:
        """An empty cell that holds a formula: its value was never calculated and saved."""
        formula_cells = self.table.formula_cells
        for row, raw in zip(rows, raws, strict=True):
            if raw is None and (row.number, index) in formula_cells:
                row.errors.append(
                    CellIssue(row.number, label, spec.name, "importer.error.formula_no_value")
                )

    def _read_cells(
        self,
        label: str,
        spec: FieldSpec,
        read: Callable[[ParsedRow, Any], Any],
        raws: list[Any],
        rows: list[ParsedRow],
    ) -> None:
        """One column's cells through its parser, an issue for each cell it cannot read."""
        name, is_quarter = spec.name, spec.type == "quarter"
        for row, raw in zip(rows, raws, strict=True):
            if raw is None:
                continue
            try:
                value = read(row, raw)
            except ParseFailure as failure:
                shown = _shown(raw)
                params = {"value": shown, **failure.params}
                row.errors.append(CellIssue(row.number, label, name, failure.key, params, shown))
                continue
            if value is None:
                continue
            if is_quarter:
                year, quarter = value
                row.values["quarter"] = quarter
                if year is not None:
                    row.values["quarter_year"] = year
            else:
                row.values[name] = value

    def _warn(self, row: ParsedRow, label: str, spec: FieldSpec, key: str, raw: Any) -> None:
        shown = _shown(raw)
        row.warnings.append(CellIssue(row.number, label, spec.name, key, {"value": shown}, shown))

    def _reader(
        self, index: int, label: str, spec: FieldSpec
    ) -> Callable[[ParsedRow, Any], Any] | None:
        """The parser of one column, chosen once (not per cell); None for a text column, which
        is cleaned as a whole (parsing.clean_column)."""
        kind = spec.type
        options, vocabulary = self.options, self.vocabulary
        if kind in ("text", "name", "programme", "officer", "notes"):
            return None
        if kind == "brn":
            return lambda row, raw: parse_brn(raw)
        if kind == "date":
            order, contradictory = self.date_orders.get(index, ("dmy", False))
            return _memo(lambda raw: parse_date(raw, order, contradictory=contradictory))
        if kind == "krw":
            unit = self.units.get(index, 1)
            return _memo(lambda raw: parse_krw(raw, unit, options.usd_krw_rate))
        simple: dict[str, Callable[[Any], Any]] = {
            "int": parse_int,
            "decimal": parse_decimal,
            "year": parse_year,
            "quarter": parse_quarter,
            "country": parse_country,
        }
        if kind in simple:
            return _memo(simple[kind])
        if kind == "industry":
            synonyms = vocabulary.choices["industry"]
            industry_of = _memo(lambda raw: parse_industry(raw, synonyms))

            def read_industry(row: ParsedRow, raw: Any) -> Any:
                value, recognised = industry_of(row, raw)
                if not recognised:
                    self._warn(row, label, spec, "importer.warn.industry_other", raw)
                return value

            return read_industry
        if spec.name == "details.round":

            def read_round(row: ParsedRow, raw: Any) -> Any:
                value, recognised = parse_round(raw)
                if not recognised:
                    self._warn(row, label, spec, "importer.warn.round_other", raw)
                return value

            return read_round
        if spec.name == "details.programme_type":
            kind = "programme_type"
        if kind in ("stage", "status", "kind", "programme_type"):
            synonyms, allowed = vocabulary.choices[kind], vocabulary.allowed[kind]
            return _memo(lambda raw: parse_choice(raw, synonyms, allowed))
        if kind == "choice":
            # A kind's choice reads from its code or its label in either language (the
            # template's drop-down lists write labels).
            synonyms = {choice_key(k): v for k, v in spec.choice_synonyms} or {
                choice_key(c): c for c in spec.choices
            }
            allowed = list(spec.choices)
            return _memo(lambda raw: parse_choice(raw, synonyms, allowed))
        return None
