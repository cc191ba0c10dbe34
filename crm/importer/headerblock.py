"""Header blocks of two or three rows, as Korean office workbooks write them: a group row above
(merged across the columns it groups, or not), some columns named only in the upper row, some
only in the lower. Each column's label joins its names top to bottom ("대표자 연락처 / 전화");
matching tries the whole label, then its lower parts (crm.importer.mapping.match_field)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crm.importer.mapping import SEPARATOR, normalise_header
from crm.importer.parsing import clean_text

MAX_BLOCK_ROWS = 3
MergedRange = tuple[int, int, int, int]  # first row, first column, last row, last column


def is_unit_note(text: str) -> bool:
    """ "(단위: 원)" and the like: the table's unit, not a column's name."""
    return normalise_header(text, keep_brackets=True).startswith("단위")


def _names(cells: Sequence[Any], *, units_out: bool) -> dict[int, str]:
    """Column → its name in one header row (in a block, unit notes left out)."""
    names: dict[int, str] = {}
    for column, cell in enumerate(cells):
        text = clean_text(cell)[0]
        if text and not (units_out and is_unit_note(text)):
            names[column] = text
    return names


def _spread(
    number: int, names: dict[int, str], named_below: set[int], merged: Sequence[MergedRange]
) -> dict[int, str]:
    """A group name over every column it heads: its merged range, or, unmerged, the blank
    cells to its right that the rows below name (only when the rows below also name its own
    column: a name with nothing below it names its own column alone)."""
    if not named_below:  # the lowest row: its names are its columns' own
        return names
    ends = {c1: c2 for r1, c1, _r2, c2 in merged if r1 == number and c2 > c1}
    spread = dict(names)
    for column, text in names.items():
        end = ends.get(column, column)
        if end == column and column in named_below:
            while end + 1 not in names and end + 1 in named_below:
                end += 1
        for other in range(column + 1, end + 1):
            spread.setdefault(other, text)
    return spread


def block_labels(
    rows: Sequence[tuple[int, Sequence[Any]]], width: int, merged: Sequence[MergedRange] = ()
) -> list[list[str]]:
    """Each column's names, top to bottom, over the block's rows ((number, cells), in order);
    a name repeated below (a vertically merged cell copied down) counts once."""
    named = [_names(cells, units_out=len(rows) > 1) for _, cells in rows]
    parts: list[list[str]] = [[] for _ in range(width)]
    for position, (number, _cells) in enumerate(rows):
        below = set().union(*named[position + 1 :]) if position + 1 < len(rows) else set()
        for column, text in _spread(number, named[position], below, merged).items():
            if column < width and text not in parts[column]:
                parts[column].append(text)
    return parts


def join(parts: list[str]) -> str:
    return SEPARATOR.join(parts)
