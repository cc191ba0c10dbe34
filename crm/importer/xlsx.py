"""Excel workbooks, read safely: checked as a zip first (crm.importer.xlsxcheck), then read by
python-calamine (the Rust calamine reader: formulas as the values Excel saved, never
calculated; typed dates). Its values are brought to the importer's types: empty cells None,
whole numbers int. Formula cells and malformed merged ranges are found by scanning the sheet's
XML, which calamine reports neither of."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath
from typing import Any

import python_calamine

from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from crm.importer.model import Note, RawSheet, Row
from crm.importer.xlsxcheck import inspect_zip

_SCAN_CHUNK = 1024 * 1024
_SCAN_OVERLAP = 4096
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_MERGE_ELEMENT = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([^"]*)"[^>]*/>')
_GOOD_RANGE = re.compile(rb"[A-Z]{1,3}[1-9]\d{0,6}(?::[A-Z]{1,3}[1-9]\d{0,6})?")
_ANY_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
# calamine builds a sheet's whole rectangle up to its farthest cell: two cells at A1 and
# XFD1048576 make it ask for 500 GB and abort the process, so the extent is checked first
_CELLS_PER_ROW_LIMIT = 64
_MAX_MERGE_FILL_FACTOR = 20  # filled cells per row limit, against pathological merge ranges
_WHOLE_LIMIT = 10**16  # whole numbers of up to 16 digits: int, as openpyxl read their text


def _column_name(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ET.Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (transitional or strict)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _targets(zf: zipfile.ZipFile, rels: str, base: str) -> dict[str, str]:
    """Relationship id → part name, from a .rels part (targets relative to `base`)."""
    if rels not in zf.namelist():
        return {}
    found: dict[str, str] = {}
    for rel in ET.fromstring(zf.read(rels)):
        target, rel_id = rel.get("Target"), rel.get("Id")
        if target and rel_id:
            found[rel_id] = (
                target.lstrip("/") if target.startswith("/") else normpath(join(base, target))
            )
    return found


def _sheet_parts(zf: zipfile.ZipFile) -> tuple[dict[str, str], int]:
    """Sheet name → its part, and the sheet the workbook opens on (its index), read from the
    workbook part (the XML was checked for a DTD, so it is parsed as it is)."""
    book = next(
        (t for t in _targets(zf, "_rels/.rels", "").values() if t.endswith(".xml")),
        "xl/workbook.xml",
    )
    if book not in zf.namelist():
        return {}, 0
    rels = _targets(
        zf, join(dirname(book), "_rels", book.rsplit("/", 1)[-1] + ".rels"), dirname(book)
    )
    parts: dict[str, str] = {}
    active = 0
    for element in ET.fromstring(zf.read(book)).iter():
        tag = _local(element.tag)
        if tag == "sheet" and (name := element.get("name")) is not None:
            parts[name] = rels.get(_attribute(element, "id") or "", "")
        elif tag == "workbookView" and (tab := element.get("activeTab", "0")).isdigit():
            active = int(tab)
    return parts, active


def _windows(zf: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    tail = b""
    with zf.open(path) as part:
        while chunk := part.read(_SCAN_CHUNK):
            window = tail + chunk
            yield window
            tail = window[-_SCAN_OVERLAP:]


@dataclass
class _Scan:
    """What the sheet's XML says that calamine does not: formula cells (row number, 0-based
    column), malformed merged-range elements, and the farthest cell (row, 0-based column)."""

    formulas: set[tuple[int, int]] = field(default_factory=set)
    malformed: list[bytes] = field(default_factory=list)
    last_row: int = 0
    last_column: int = -1

    def take(self, window: bytes) -> None:
        if b"<f" in window or b":f" in window:
            for match in _FORMULA_CELL.finditer(window):
                if ref := _CELL_REF.search(match.group(1)):
                    self.formulas.add((int(ref.group(2)), _column_index(ref.group(1))))
        if b"mergeCell" in window:
            for match in _MERGE_ELEMENT.finditer(window):
                element = match.group(0)
                if not _GOOD_RANGE.fullmatch(match.group(1)) and element not in self.malformed:
                    self.malformed.append(element)
        if refs := _ANY_REF.findall(window):
            letters, digits = zip(*refs, strict=True)
            self.last_row = max(self.last_row, max(map(int, set(digits))))
            widest = max(set(letters), key=lambda c: (len(c), c))
            self.last_column = max(self.last_column, _column_index(widest))


def _scan(zf: zipfile.ZipFile, path: str, limits: ImportLimits) -> _Scan:
    """The sheet's part read in windows that overlap enough to hold any tag whole; refuses a
    sheet whose rectangle (up to its farthest cell) is larger than the limits allow."""
    scan = _Scan()
    if not path or path not in zf.namelist():
        return scan
    for window in _windows(zf, path):
        scan.take(window)
    area = scan.last_row * (scan.last_column + 1)
    if area > max(limits.max_rows, 1000) * _CELLS_PER_ROW_LIMIT:
        cell = f"{_column_name(scan.last_column)}{scan.last_row}"
        raise ImportRefused("importer.refused.sheet_extent", cell=cell)
    return scan


def _without(source: zipfile.ZipFile, path: str, elements: list[bytes]) -> bytes:
    """The workbook with these elements taken out of one part (calamine refuses a whole
    workbook over one malformed merged range; the range is reported instead)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == path:
                for element in elements:
                    body = body.replace(element, b"")
            target.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _pick_sheet(book: Any, sheet: str | None, active: int) -> str:
    names = list(book.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise ImportRefused("importer.refused.no_sheet", sheet=sheet, sheets=", ".join(names))
        return sheet
    worksheets = [
        m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    if 0 <= active < len(names) and names[active] in worksheets:
        return names[active]
    if worksheets:
        return worksheets[0]
    raise ImportRefused("importer.refused.no_sheet", sheet="", sheets=", ".join(names))


def normalise(value: Any) -> Any:
    """A calamine value as the importer reads it: "" → None, a whole float → int (calamine
    reads every number as a float; openpyxl, the reader before, gave 1000 as an int)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < _WHOLE_LIMIT:
        return int(value)
    return value


def _collect(grid: list[list[Any]], limits: ImportLimits) -> dict[int, list[Any]]:
    """Rows by number (1-based) without their trailing blank cells, blank rows left out.
    Refuses a sheet with more non-blank rows than the limit."""
    cells: dict[int, list[Any]] = {}
    for number, values in enumerate(grid, start=1):
        row = [normalise(v) for v in values]
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
        if not row:
            continue
        if len(cells) >= limits.max_rows:
            raise ImportRefused("importer.refused.too_many_rows", max=limits.max_rows)
        cells[number] = row
    return cells


def _fill_merged(
    rows: dict[int, list[Any]],
    merges: list[tuple[tuple[int, int], tuple[int, int]]],
    limits: ImportLimits,
) -> None:
    """Copy each merged range's value down its first column (a company name merged over its
    activity rows belongs to each row); values are not spread sideways into other columns."""
    budget = limits.max_rows * _MAX_MERGE_FILL_FACTOR
    last = max(rows, default=0)
    for (top_row, column), (bottom_row, _right) in merges:
        top = rows.get(top_row + 1)
        value = top[column] if top is not None and len(top) > column else None
        if value is None:
            continue
        for number in range(top_row + 2, min(bottom_row + 1, last) + 1):
            budget -= 1
            if budget < 0:
                raise ImportRefused("importer.refused.merged_cells")
            cells = rows.setdefault(number, [])
            if len(cells) <= column:
                cells.extend([None] * (column + 1 - len(cells)))
            cells[column] = value


def _open(data: bytes) -> Any:
    try:
        return python_calamine.load_workbook(io.BytesIO(data))
    except python_calamine.CalamineError as exc:
        raise ImportRefused("importer.refused.unreadable", detail=str(exc)[:120]) from exc


def _grid(book: Any, name: str) -> tuple[list[list[Any]], list[Any]]:
    """The sheet's cells from A1, and its merged ranges (zero-based), by calamine."""
    try:
        worksheet = book.get_sheet_by_name(name)
        return worksheet.to_python(skip_empty_area=False), list(worksheet.merged_cell_ranges or [])
    except python_calamine.CalamineError as exc:
        raise ImportRefused("importer.refused.unreadable", detail=str(exc)[:120]) from exc


def _malformed_note(elements: list[bytes]) -> Note:
    refs = [m.group(1).decode(errors="replace") for e in elements if (m := _MERGE_ELEMENT.match(e))]
    return Note("importer.note.merged_malformed", {"count": len(refs), "refs": ", ".join(refs)})


def read_xlsx(
    data: bytes, filename: str, sha256: str, limits: ImportLimits, sheet: str | None = None
) -> RawSheet:
    inspect_zip(data, limits)
    notes: list[Note] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            parts, active = _sheet_parts(zf)
        except ET.ParseError as exc:
            raise ImportRefused("importer.refused.unreadable", detail="workbook.xml") from exc
        book = _open(data)
        try:
            name = _pick_sheet(book, sheet, active)
            sheet_names = list(book.sheet_names)
            scan = _scan(zf, parts.get(name, ""), limits)
            if scan.malformed:
                book.close()
                book = _open(_without(zf, parts[name], scan.malformed))
                notes.append(_malformed_note(scan.malformed))
            grid, merges = _grid(book, name)
        finally:
            book.close()
    cells = _collect(grid, limits)
    if merges:
        _fill_merged(cells, merges, limits)
        notes.append(Note("importer.note.merged", {"count": len(merges)}))
    if scan.formulas:
        notes.append(Note("importer.note.formulas", {"count": len(scan.formulas)}))
    rows: list[Row] = [(n, tuple(cells[n])) for n in sorted(cells)]
    return RawSheet(
        filename=filename,
        sha256=sha256,
        rows=rows,
        sheet_name=name,
        sheet_names=sheet_names,
        notes=notes,
        formula_cells=frozenset(scan.formulas),
        merged_ranges=tuple((r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in merges),
    )
