"""Find the table in a sheet: the header row (even below title rows), the data rows, and the
rows that are not data (titles, blanks, totals, notes, template examples), each reported."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crm.importer.fields import FieldSpec, fields_for
from crm.importer.headerblock import MAX_BLOCK_ROWS, block_labels, join
from crm.importer.mapping import find_unit_note, match_field, suggest_mapping
from crm.importer.model import (
    ImportKind,
    Note,
    RawSheet,
    Row,
    SkippedRow,
    SkipReason,
    SourceTable,
)
from crm.importer.parsing import choice_key, clean_text

HEADER_SEARCH_ROWS = 30
TOTAL_WORDS = {
    "합계", "계", "총계", "소계", "누계", "총합계", "합", "전체", "total", "totals", "grandtotal",
    "subtotal", "sum",
}  # fmt: skip
NOTE_PREFIXES = ("※", "*", "주)", "출처", "source:", "note:", "자료:")
EXAMPLE_PREFIXES = ("(예시)", "(example)")
# A kind is only a candidate when its key fields are among the headers.
KIND_KEYS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.COMPANIES: ("name_ko",),
    ImportKind.ACTIVITIES: ("start_on",),
    ImportKind.OUTCOMES: ("quarter",),
}


def _texts(cells: tuple[Any, ...]) -> list[str]:
    return [text for text in (clean_text(c)[0] for c in cells) if text]


def _column_name(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _score(cells: tuple[Any, ...], kind: ImportKind, kinds: Iterable[Any] | None) -> int:
    fields = fields_for(kind, kinds)
    matched = {match_field(text, fields) for text in _texts(cells)} - {None}
    if not set(KIND_KEYS[kind]) & matched:
        return 0
    return len(matched)


def _find_header(
    raw: RawSheet, kind: ImportKind | None, kinds: Iterable[Any] | None
) -> tuple[int, ImportKind, bool]:
    """(index into raw.rows, kind, recognised): the row with the most known headers."""
    kind_list = [kind] if kind else list(ImportKind)
    best: tuple[int, int, ImportKind] | None = None
    for index, (_number, cells) in enumerate(raw.rows[:HEADER_SEARCH_ROWS]):
        for candidate in kind_list:
            score = _score(cells, candidate, kinds)
            if score >= 2 and (best is None or score > best[0]):
                best = (score, index, candidate)
    if best is None:
        return 0, kind or ImportKind.COMPANIES, False
    return best[1], best[2], True


def _block_score(labels: list[list[str]], kind: ImportKind, fields: list[FieldSpec]) -> int:
    matched = {match_field(join(parts), fields) for parts in labels if parts} - {None}
    return len(matched) if set(KIND_KEYS[kind]) & matched else 0


def _all_text(cells: tuple[Any, ...]) -> bool:
    return all(c is None or isinstance(c, str) for c in cells)


def _header_block(
    raw: RawSheet, index: int, kind: ImportKind, kinds: Iterable[Any] | None
) -> tuple[int, int]:
    """(first, last) index into raw.rows of the header block around the header row found:
    up to MAX_BLOCK_ROWS adjacent rows of text whose joined names match more fields than
    fewer rows do (a title or unit row above adds none, so stays out)."""
    fields = fields_for(kind, kinds)
    rows = raw.rows
    best = (0, index, index)
    for first in range(max(0, index - MAX_BLOCK_ROWS + 1), index + 1):
        for last in range(index, min(len(rows), first + MAX_BLOCK_ROWS)):
            block = rows[first : last + 1]
            if any(b[0] != a[0] + 1 for a, b in zip(block, block[1:], strict=False)):
                continue
            if any(
                not _all_text(cells) for n, (_, cells) in enumerate(block) if first + n != index
            ):
                continue
            width = max(len(cells) for _, cells in block)
            score = _block_score(block_labels(block, width, raw.merged_ranges), kind, fields)
            size = last - first + 1
            if score > best[0] or (score == best[0] and size < best[2] - best[1] + 1):
                best = (score, first, last)
    return best[1], best[2]


def _labels(parts: list[list[str]], width: int) -> list[str]:
    labels: list[str] = []
    seen: dict[str, int] = {}
    for index in range(width):
        names = parts[index] if index < len(parts) else []
        text = join(names) if names else f"({_column_name(index)})"
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return labels


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def classify_row(cells: tuple[Any, ...]) -> SkipReason | None:
    """Why a row below the header is not data, or None if it is."""
    first_cell = next((c for c in cells if not _is_blank(c)), None)
    first = clean_text(first_cell)[0]
    if first is None:
        if all(clean_text(c)[0] is None for c in cells):
            return SkipReason.BLANK
        return None
    key = choice_key(first)
    if key in TOTAL_WORDS or key.startswith(("합계", "총계", "total")):
        return SkipReason.TOTALS
    lowered = first.lower()
    if lowered.startswith(EXAMPLE_PREFIXES):
        return SkipReason.EXAMPLE
    if lowered.startswith(NOTE_PREFIXES) and sum(not _is_blank(c) for c in cells) == 1:
        return SkipReason.NOTE
    return None


def _preview_text(cells: tuple[Any, ...]) -> str:
    return " | ".join(_texts(cells))[:80]


def find_table(
    raw: RawSheet, kind: ImportKind | None = None, kinds: Iterable[Any] | None = None
) -> SourceTable:
    """The table in a sheet. Without `kind`, the kind whose headers fit best is chosen."""
    notes = list(raw.notes)
    if not raw.rows:
        index, chosen, recognised = 0, kind or ImportKind.COMPANIES, False
    else:
        index, chosen, recognised = _find_header(raw, kind, kinds)
    if raw.rows and not recognised:
        notes.append(Note("importer.note.header_guess", {"row": raw.rows[0][0]}))
    skipped: list[SkippedRow] = []
    first, last = _header_block(raw, index, chosen, kinds) if recognised else (index, index)
    block = raw.rows[first : last + 1] if raw.rows else [(0, ())]
    header_number = block[0][0]
    if last > first:
        notes.append(
            Note("importer.note.header_block", {"first": header_number, "last": block[-1][0]})
        )
    for number, cells in raw.rows[:first]:
        skipped.append(SkippedRow(number, SkipReason.TITLE, _preview_text(cells)))
    block_texts = [text for _, cells in block for text in _texts(cells)]
    unit_hint = find_unit_note(block_texts + [s.text for s in skipped])
    data: list[Row] = []
    previous = block[-1][0]
    for number, cells in raw.rows[last + 1 :]:
        if number > previous + 1:
            gap = f"{previous + 1}" if number == previous + 2 else f"{previous + 1}–{number - 1}"
            skipped.append(SkippedRow(previous + 1, SkipReason.BLANK, gap))
        previous = number
        reason = classify_row(cells)
        if reason is None:
            data.append((number, cells))
        else:
            skipped.append(SkippedRow(number, reason, _preview_text(cells)))
    width = max([*(len(cells) for _, cells in block), *(len(cells) for _, cells in data)])
    labels = _labels(block_labels(block, width, raw.merged_ranges), width)
    if unit_hint:
        notes.append(Note("importer.note.unit", {"unit": unit_hint}))
    return SourceTable(
        filename=raw.filename,
        sha256=raw.sha256,
        kind=chosen,
        header_row=header_number,
        labels=labels,
        rows=data,
        skipped=sorted(skipped, key=lambda s: s.row),
        notes=notes,
        mapping=suggest_mapping(labels, fields_for(chosen, kinds)),
        sheet_name=raw.sheet_name,
        sheet_names=raw.sheet_names,
        encoding=raw.encoding,
        formula_cells=raw.formula_cells,
        unit_hint=unit_hint,
    )
