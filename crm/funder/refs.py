"""Row references moved when a table on a sheet grows or shrinks: formulas, ranges, names.

A table's rows are `first`..`old_last`; after the fill they are `first`..`new_last`. A row above
the table stays; a row below moves by the difference; a range that ended on the table's last
row now ends on its new last row (so SUM(D5:D9) over the table becomes SUM(D5:D{new_last}))."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer

_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_ROW = re.compile(r"^(\$?)(\d+)$")


@dataclass(frozen=True)
class RowShift:
    sheet: str
    first: int
    old_last: int
    new_last: int

    @property
    def delta(self) -> int:
        return self.new_last - self.old_last

    def row(self, r: int, *, is_end: bool = False) -> int:
        if r < self.first:
            return r
        if r > self.old_last:
            return r + self.delta
        if is_end and r == self.old_last:
            return self.new_last
        return min(r, self.new_last)

    @property
    def is_noop(self) -> bool:
        return self.delta == 0


def _shift_part(part: str, shift: RowShift, *, is_end: bool) -> str:
    cell = _CELL.match(part)
    if cell:
        d1, letters, d2, row = cell.groups()
        return f"{d1}{letters}{d2}{shift.row(int(row), is_end=is_end)}"
    whole_row = _ROW.match(part)
    if whole_row:
        dollar, row = whole_row.groups()
        return f"{dollar}{shift.row(int(row), is_end=is_end)}"
    return part  # a whole column (D:D), a name, an error: rows do not apply


def _unquote(sheet: str) -> str:
    if sheet.startswith("'") and sheet.endswith("'"):
        return sheet[1:-1].replace("''", "'")
    return sheet


def shift_reference(ref: str, shift: RowShift, home_sheet: str | None) -> str:
    """One reference ('D5', 'D5:D9', "'실적'!$D$5", '5:9'), moved if it points at the shifted
    sheet: its own sheet when unqualified (`home_sheet`), or the sheet it names."""
    sheet, bang, address = ref.rpartition("!")
    target = _unquote(sheet) if bang else home_sheet
    if target != shift.sheet or "[" in sheet:  # another sheet, or another workbook
        return ref
    parts = address.split(":")
    if len(parts) == 1:
        moved = _shift_part(parts[0], shift, is_end=False)
    elif len(parts) == 2:
        moved = (
            f"{_shift_part(parts[0], shift, is_end=False)}:"
            f"{_shift_part(parts[1], shift, is_end=True)}"
        )
    else:
        return ref
    return f"{sheet}{bang}{moved}"


def shift_formula(formula: str, shift: RowShift, home_sheet: str | None) -> str:
    """A formula ('=SUM(D5:D9)') with its range operands moved; text and names untouched."""
    if shift.is_noop:
        return formula
    tokens = Tokenizer(formula)
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            moved = shift_reference(token.value, shift, home_sheet)
            if moved != token.value:
                token.value = moved
                changed = True
    return tokens.render() if changed else formula


def shift_sqref(sqref: str, shift: RowShift) -> str:
    """A space-separated list of ranges on the shifted sheet ('D5:D9 F5')."""
    return " ".join(shift_reference(r, shift, shift.sheet) for r in sqref.split())
