"""A fast reader for one worksheet's cell grid, giving the values openpyxl's read-only worksheet
gives (`iter_rows(values_only=True)`), several times faster.

openpyxl builds a Python object per cell and per shared string; reading 50,000 rows of 13
columns that way takes longer than the whole import may. Here the standard library's C parser
builds the elements (an ElementTree TreeBuilder, fed in chunks: cheaper than an event per
element, and cheaper still than pyexpat handlers, measured), and one loop turns each finished
row into values with openpyxl's own rules; finished rows are dropped as it goes, so memory holds
a chunk of XML, not the tree.

Anything it does not handle exactly as openpyxl would (an unexpected element, an unknown cell
type, a value openpyxl would warn about or fail on) raises NotSure: the caller then reads the
whole sheet with openpyxl instead. Call it only on parts whose prolog was checked for a DTD
(crm.importer.xlsx does): without one no entity can be declared, and Python's expat (2.4.1 and
later) limits entity amplification besides."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from openpyxl.cell.text import Text
from openpyxl.utils.datetime import from_excel, from_ISO8601

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SST = f"{{{MAIN_NS}}}sst"
_SI = f"{{{MAIN_NS}}}si"
_T = f"{{{MAIN_NS}}}t"
_SHEET_DATA = f"{{{MAIN_NS}}}sheetData"
_ROW = f"{{{MAIN_NS}}}row"
_C = f"{{{MAIN_NS}}}c"
_V = f"{{{MAIN_NS}}}v"
_F = f"{{{MAIN_NS}}}f"
_IS = f"{{{MAIN_NS}}}is"
_DIGITS = "0123456789"
_CHUNK = 16 * 1024  # measured: smaller chunks keep the freshly built elements in cache

# how a cell style converts numbers (openpyxl: date_formats / timedelta_formats)
_PLAIN, _DATE, _TIMEDELTA = 0, 1, 2


class NotSure(Exception):
    """The part holds something this reader does not convert exactly as openpyxl does."""


@dataclass(frozen=True)
class CellFormats:
    """What openpyxl read from the workbook that cell values depend on: the date system, and
    which cell styles (indexes into cellXfs) are date or duration formats."""

    epoch: datetime
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]

    def style_kind(self, style: int) -> int:
        if style not in self.date_styles:
            return _PLAIN
        return _TIMEDELTA if style in self.timedelta_styles else _DATE


class _Columns(dict[str, int]):
    """Column letters → 1-based index, filled as letters are met; only what openpyxl's
    coordinate parser accepts, upper case (a lower-case reference is rare enough to leave to
    openpyxl): a KeyError for anything else."""

    def __missing__(self, letters: str) -> int:
        if not 1 <= len(letters) <= 3:
            raise KeyError(letters)
        index = 0
        for letter in letters:
            if not "A" <= letter <= "Z":
                raise KeyError(letters)
            index = index * 26 + ord(letter) - 64
        self[letters] = index
        return index


_COLUMNS = _Columns()


def _finished_children(
    part: IO[bytes], container_of: Callable[[ET.Element], ET.Element | None], stray: str
) -> Iterator[list[ET.Element]]:
    """The children of one container element (found by `container_of` from the root), in
    batches, each child complete, removed from the tree once yielded.

    The parser's TreeBuilder gets an outer element of ours before the document starts, so the
    tree being built can be reached (and pruned) between chunks. A child is complete once a
    later sibling has started, or at the end. Elements named `stray` left anywhere else in
    the tree at the end mean the part is not shaped as expected (openpyxl would read them)."""
    builder = ET.TreeBuilder()
    top = builder.start("top", {})
    parser = ET.XMLParser(target=builder)
    container: ET.Element | None = None
    while chunk := part.read(_CHUNK):
        parser.feed(chunk)
        if container is None and len(top):
            container = container_of(top[0])
        if container is not None and len(container) > 1:
            done = container[:-1]
            del container[:-1]
            yield done
    parser.close()
    if container is not None and len(container):
        done = container[:]
        del container[:]
        yield done
    for _ in top.iter(stray):
        raise NotSure(f"{stray} outside its usual place")


def _sst_root(root: ET.Element) -> ET.Element | None:
    return root if root.tag == _SST else None


def _sheet_data(root: ET.Element) -> ET.Element | None:
    return root.find(_SHEET_DATA)


def _no_nested(element: ET.Element, tag: str) -> None:
    """openpyxl reads `tag` elements wherever they are; one nested here would be read too."""
    for inner in element.iter(tag):
        if inner is not element:
            raise NotSure(f"{tag} nested in {element.tag}")


def _rich_text(element: ET.Element, stray: str) -> str:
    """A string item with runs or phonetic text: openpyxl's own parser gives its content."""
    _no_nested(element, stray)
    return str(Text.from_tree(element).content)


def read_shared_strings(part: IO[bytes] | None) -> list[str]:
    """The shared-string table as openpyxl's read_string_table gives it (rich text flattened
    to its text, phonetic runs left out, "x005F_" removed as openpyxl does)."""
    strings: list[str] = []
    if part is None:
        return strings
    append = strings.append
    try:
        for items in _finished_children(part, _sst_root, _SI):
            for si in items:
                if si.tag != _SI:
                    _no_nested(si, _SI)  # openpyxl skips other elements, not si inside them
                    continue
                if len(si) == 1 and (t := si[0]).tag == _T and not len(t):
                    text = t.text
                    append("" if text is None else text.replace("x005F_", ""))
                else:
                    append(_rich_text(si, _SI).replace("x005F_", ""))
    except (ET.ParseError, ValueError, TypeError, KeyError) as exc:
        raise NotSure(f"shared strings: {exc!r}") from exc
    return strings


def _cell_parts(cell: ET.Element) -> tuple[str | None, ET.Element | None]:
    """The value text and inline string of a cell that is not a plain `<c><v>…</v></c>`; only
    the children openpyxl's data-only reading knows (a formula is skipped: its saved value is
    in v), each at most once."""
    text: str | None = None
    inline: ET.Element | None = None
    seen: set[str] = set()
    for child in cell:
        tag = child.tag
        if tag in seen or tag not in (_V, _F, _IS):
            raise NotSure(f"cell child {tag}")
        seen.add(tag)
        if tag == _IS:
            _no_nested(child, _ROW)
            inline = child
        elif len(child):
            raise NotSure(f"elements inside {tag}")
        elif tag == _V:
            text = child.text
    return text, inline


def _inline_string(inline: ET.Element | None) -> str | None:
    """A `t="inlineStr"` cell's value: its `is` element's text, as openpyxl's Text gives it."""
    if inline is None:
        return None
    if len(inline) == 1 and (t := inline[0]).tag == _T and not len(t):
        return t.text or ""
    return _rich_text(inline, _ROW)


def _number(text: str) -> int | float:
    """openpyxl's _cast_number: a float when written with a point or an exponent, else int."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


# One cell as both readers see it: (column letters, "" when the cell has no reference; style;
# cell type; the text of its value, or an inline string's value when the type is "inlineStr").
Cell = tuple[str, str | None, str | None, str | None]


class _Converter:
    """Turns one row's cells into values; keeps the per-read caches (style kinds, dates)."""

    def __init__(self, strings: list[str], formats: CellFormats) -> None:
        self.strings = strings
        self.formats = formats
        # openpyxl: no s → style 0; s="" stays "" (no style matches it); else int(s)
        self.kinds: dict[str | None, int] = {None: formats.style_kind(0), "": _PLAIN}
        self.dates: tuple[dict[str, Any], ...] = ({}, {}, {})

    def style_kind(self, style: str, kinds: dict[str | None, int]) -> int:
        kind = self.formats.style_kind(int(style))
        kinds[style] = kind
        return kind

    def date(self, text: str, kind: int) -> Any:
        """openpyxl's from_excel, cached by the cell's text (a column of dates repeats)."""
        cache = self.dates[kind]
        value = cache.get(text)
        if value is None:
            try:
                value = from_excel(_number(text), self.formats.epoch, timedelta=kind == _TIMEDELTA)
            except (OverflowError, ValueError) as exc:
                raise NotSure("a date out of range (openpyxl warns, reads #VALUE!)") from exc
            cache[text] = value
        return value

    def typed(self, kind_of_cell: str, text: str) -> Any:
        """A value of a cell type other than a number ("s", "b", "str", "e", "d")."""
        if kind_of_cell == "s":
            return self.strings[int(text)]
        if kind_of_cell == "b":
            return bool(int(text))
        if kind_of_cell in ("str", "e"):
            return text
        if kind_of_cell == "d":
            return from_ISO8601(text)
        raise NotSure(f"cell type {kind_of_cell!r}")

    def values(self, cells: Iterable[Cell], kinds: dict[str | None, int]) -> tuple[Any, ...]:
        """The row's values as openpyxl's _get_row gives them: each cell at its column (from
        its reference, or one after the previous cell), gaps None, as wide as the last cell's
        column, a later cell with the same column winning. `kinds` maps the style as the
        caller spells it to how numbers convert (its missing style → style 0's kind).

        One loop with everything it uses bound locally, not a function per cell: this runs
        for every cell of the file, and is most of the readers' own time."""
        values: list[Any] = []
        width = column = 0
        columns, strings, dates = _COLUMNS, self.strings, self.dates
        for letters, style, cell_type, text in cells:
            column = columns[letters] if letters else column + 1
            kind = kinds[style] if style in kinds else self.style_kind(style, kinds)  # type: ignore[arg-type]
            if cell_type == "inlineStr":
                value: Any = text
            elif not text:
                value = None
            elif cell_type == "s":
                value = strings[int(text)]
            elif cell_type and cell_type != "n":
                value = self.typed(cell_type, text)
            elif kind:
                value = dates[kind].get(text) or self.date(text, kind)
            elif "." in text or "E" in text or "e" in text:
                value = float(text)
            else:
                value = int(text)
            if column > width:
                if column > width + 1:
                    values.extend([None] * (column - width - 1))
                values.append(value)
                width = column
            else:
                values[column - 1] = value
        del values[column:]
        return tuple(values)

    def row(self, row: ET.Element) -> tuple[Any, ...]:
        """A row element's values (see values)."""
        return self.values(map(_element_cell, row), self.kinds)


def _element_cell(cell: ET.Element) -> Cell:
    """A `c` element as a Cell, or NotSure when it is not shaped as openpyxl's reader expects."""
    if cell.tag != _C:
        raise NotSure(f"row child {cell.tag}")
    get = cell.get
    ref = get("r") or ""
    letters = ref.rstrip(_DIGITS)
    if ref and (letters == ref or not letters):
        raise NotSure(f"cell reference {ref!r}")
    cell_type = get("t")
    if cell_type == "":
        raise NotSure("an empty cell type")
    inline = None
    if len(cell) == 1 and (v := cell[0]).tag == _V and not len(v):
        text = v.text
    elif len(cell):
        text, inline = _cell_parts(cell)
    else:
        text = None
    if cell_type == "inlineStr":
        text = _inline_string(inline)
    return letters, get("s"), cell_type, text


def numbered(
    rows: Iterable[tuple[str | None, tuple[Any, ...]]],
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) for rows given as (their `r`, values), numbered as openpyxl numbers
    them (`r`, or one after the previous row), leaving out what openpyxl drops (a row numbered
    lower than one before it) and rows without cells (openpyxl yields those empty)."""
    number = 0
    following = 1  # the first row number openpyxl still yields
    for ref, values in rows:
        number = number + 1 if ref is None else int(ref)
        if number < following:
            continue
        following = number + 1
        if values:
            yield number, values


def iter_grid(
    part: IO[bytes], strings: list[str], formats: CellFormats
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) for each row openpyxl's read-only `iter_rows(values_only=True)`
    yields with at least one cell, numbered as enumerating those rows from 1 numbers them.
    openpyxl also yields empty rows for the gaps between row numbers; they are left out here.
    Raises NotSure (possibly after some rows) when openpyxl must read the sheet instead."""
    convert = _Converter(strings, formats)

    def element_rows() -> Iterator[tuple[str | None, tuple[Any, ...]]]:
        for rows in _finished_children(part, _sheet_data, _ROW):
            for row in rows:
                if row.tag != _ROW:
                    raise NotSure(f"sheetData child {row.tag}")
                yield row.get("r"), convert.row(row)

    try:
        yield from numbered(element_rows())
    except (ET.ParseError, ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise NotSure(f"worksheet: {exc!r}") from exc
