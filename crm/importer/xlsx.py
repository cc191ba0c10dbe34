"""Excel workbooks, read safely: checked as a zip first (size, macros, external links, no DTD in
any XML part), then opened by openpyxl in read-only mode with defusedxml; the chosen sheet's
cells are read by the fast grid reader (crm.importer.xlsxgrid), or by openpyxl when that reader
is not sure of something. Formulas are read as the values Excel saved (never calculated)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import defusedxml
import openpyxl
import openpyxl.xml
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.utils.cell import range_boundaries

from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from crm.importer.model import Note, RawSheet, Row
from crm.importer.xlsxgrid import CellFormats, NotSure, iter_grid, read_shared_strings
from crm.importer.xlsxtext import iter_grid_text, read_shared_strings_text

_PROLOG_LIMIT = 64 * 1024
_SCAN_CHUNK = 1024 * 1024
_SCAN_OVERLAP = 4096
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
_MAX_MERGE_FILL_FACTOR = 20  # filled cells per row limit, against pathological merge ranges


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _prolog_text(head: bytes) -> str:
    """The start of a part as text, in the encoding expat would detect: a UTF-16 byte order
    mark or a zero byte in the first two (UTF-16 without a mark), else ASCII-compatible (UTF-8
    and the single-byte encodings expat accepts all spell markup in ASCII)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head[:1] == b"\0":
        return head.decode("utf-16-be", errors="replace")
    if head[1:2] == b"\0":
        return head.decode("utf-16-le", errors="replace")
    return head.decode("latin-1")


def _root_start(text: str) -> int | None:
    """Where the root element starts, skipping the XML declaration, processing instructions
    and comments; None when the text ends first (the prolog is longer than the text)."""
    position = 0
    while (start := text.find("<", position)) >= 0:
        if text.startswith("<?", start):
            end, closing = text.find("?>", start + 2), 2
        elif text.startswith("<!--", start):
            end, closing = text.find("-->", start + 4), 3
        elif text.startswith("<!", start):
            raise ValueError(text[start : start + 12])  # <!DOCTYPE, or markup not allowed here
        else:
            return start
        if end < 0:
            return None
        position = end + closing
    return None


def _check_prolog(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse a part whose prolog declares a DTD (or entities): no real workbook part has one,
    and it is how XML bombs start. A DTD can only come before the root element, so the check
    reads up to the root's start tag and no further; a part whose prolog does not end within
    _PROLOG_LIMIT is refused too (no real part has one). Once this passed, a part can be
    parsed without defusedxml (the grid reader does)."""
    with zf.open(name) as part:
        head = part.read(_PROLOG_LIMIT)
    try:
        found = _root_start(_prolog_text(head))
    except ValueError as exc:
        raise ImportRefused("importer.refused.xml_entities", part=name) from exc
    if found is None and len(head) >= _PROLOG_LIMIT:
        raise ImportRefused("importer.refused.xml_prolog", part=name)


def _inspect_zip(data: bytes, limits: ImportLimits) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused("importer.refused.not_zip")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > limits.max_uncompressed_bytes:
                raise ImportRefused(
                    "importer.refused.zip_bomb", max_mb=limits.max_uncompressed_bytes // 2**20
                )
            names = [i.filename for i in infos]
            lowered = [n.lower() for n in names]
            types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            if any(n.endswith("vbaproject.bin") for n in lowered) or b"macroEnabled" in types:
                raise ImportRefused("importer.refused.macros")
            if any(n.startswith("xl/externallinks/") for n in lowered):
                raise ImportRefused("importer.refused.external_links")
            if b"spreadsheetml.sheet.main" not in types:
                raise ImportRefused("importer.refused.not_workbook")
            for name in names:
                if name.lower().endswith((".xml", ".rels", ".vml")):
                    _check_prolog(zf, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ImportRefused("importer.refused.unreadable", detail=str(exc)) from exc


def _formula_cells(window: bytes) -> Iterator[tuple[int, int]]:
    for match in _FORMULA_CELL.finditer(window):
        ref = _CELL_REF.search(match.group(1))
        if ref:
            yield int(ref.group(2)), _column_index(ref.group(1))


Scan = tuple[set[tuple[int, int]], list[str]]


def _scan(windows: Iterable[bytes]) -> Scan:
    """Formula cells and merged ranges, found by scanning a sheet's bytes (openpyxl's read-only
    mode reports neither), in windows that overlap enough to hold any tag whole."""
    formulas: set[tuple[int, int]] = set()
    merges: list[str] = []
    for window in windows:
        if b"<f" in window or b":f" in window:  # in every match: skips the regex if neither
            formulas.update(_formula_cells(window))
        if b"mergeCell" in window:
            merges.extend(m.group(1).decode() for m in _MERGE.finditer(window))
    return formulas, sorted(set(merges))


def _windows(zf: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    tail = b""
    with zf.open(path) as part:
        while chunk := part.read(_SCAN_CHUNK):
            window = tail + chunk
            yield window
            tail = window[-_SCAN_OVERLAP:]


def _defused_cause(exc: BaseException) -> BaseException | None:
    """The defusedxml refusal behind an error openpyxl wrapped in its own (ValueError etc.)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, defusedxml.DefusedXmlException):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _refusal(exc: Exception) -> ImportRefused:
    if (cause := _defused_cause(exc)) is not None:
        return ImportRefused("importer.refused.xml_entities", part=type(cause).__name__)
    return ImportRefused("importer.refused.unreadable", detail=type(exc).__name__)


def _pick_sheet(workbook: Any, sheet: str | None) -> Any:
    names = list(workbook.sheetnames)
    if sheet is not None:
        if sheet not in names:
            raise ImportRefused("importer.refused.no_sheet", sheet=sheet, sheets=", ".join(names))
        return workbook[sheet]
    active = workbook.active
    if active is not None and hasattr(active, "_worksheet_path"):
        return active
    for candidate in workbook.worksheets:
        if hasattr(candidate, "_worksheet_path"):
            return candidate
    raise ImportRefused("importer.refused.no_sheet", sheet="", sheets=", ".join(names))


def _fill_merged(
    rows: dict[int, list[Any]], merges: list[str], last_row: int, limits: ImportLimits
) -> int:
    """Copy each merged range's value down its first column (a company name merged over its
    activity rows belongs to each row); values are not spread sideways into other columns."""
    budget = limits.max_rows * _MAX_MERGE_FILL_FACTOR
    for ref in merges:
        min_col, min_row, _max_col, max_row = range_boundaries(ref)
        assert min_col is not None and min_row is not None and max_row is not None
        top = rows.get(min_row)
        value = top[min_col - 1] if top is not None and len(top) >= min_col else None
        if value is None:
            continue
        for number in range(min_row + 1, min(max_row, last_row) + 1):
            budget -= 1
            if budget < 0:
                raise ImportRefused("importer.refused.merged_cells")
            cells = rows.setdefault(number, [])
            if len(cells) < min_col:
                cells.extend([None] * (min_col - len(cells)))
            cells[min_col - 1] = value
    return len(merges)


class _WorkbookWithoutStrings(ExcelReader):
    """openpyxl's own workbook reader, minus the shared strings: sheets, their parts, styles and
    epoch as load_workbook reads them. The grid reader parses the strings itself, several times
    faster than openpyxl, which builds an object per string; the openpyxl fallback path reads
    the whole workbook again, strings included."""

    def read_strings(self) -> None:
        self.shared_strings = []


def _open_workbook(data: bytes) -> tuple[Any, str | None]:
    """The read-only workbook, and the shared-string part's name (None when there is none)."""
    reader = _WorkbookWithoutStrings(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    reader.read()
    found = reader.package.find(SHARED_STRINGS)
    return reader.wb, (found.PartName[1:] if found is not None else None)


def _cell_formats(workbook: Any) -> CellFormats:
    """The epoch and date styles openpyxl's read-only sheets convert numbers with."""
    try:
        dates, durations = workbook._date_formats, workbook._timedelta_formats
    except AttributeError as exc:  # another openpyxl version: let openpyxl read the sheet
        raise NotSure("openpyxl keeps its date styles elsewhere") from exc
    return CellFormats(workbook.epoch, frozenset(dates), frozenset(durations))


GridReader = Callable[[IO[bytes], list[str], CellFormats], Iterator[tuple[int, tuple[Any, ...]]]]


def _shared_strings(zf: zipfile.ZipFile, worksheet: Any, strings_path: str | None) -> list[str]:
    """The string table, read by the grid reader. The two parts the grid readers parse without
    defusedxml get the DTD check here, whatever their names (the shared strings are found by
    content type, so their name need not end in .xml)."""
    for name in (strings_path, worksheet._worksheet_path):
        if name is not None:
            _check_prolog(zf, name)
    if strings_path is None:
        return []
    try:
        with zf.open(strings_path) as part:
            return read_shared_strings_text(part)
    except NotSure:
        with zf.open(strings_path) as part:
            return read_shared_strings(part)


def _grid_rows(
    zf: zipfile.ZipFile,
    workbook: Any,
    worksheet: Any,
    strings_path: str | None,
    reader: GridReader = iter_grid,
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The sheet's rows by one grid reader; NotSure when it cannot read them exactly."""
    formats = _cell_formats(workbook)
    strings = _shared_strings(zf, worksheet, strings_path)
    with zf.open(worksheet._worksheet_path) as part:
        yield from reader(part, strings, formats)


def _read_cells(
    data: bytes,
    zf: zipfile.ZipFile,
    workbook: Any,
    worksheet: Any,
    strings_path: str | None,
    limits: ImportLimits,
) -> tuple[dict[int, list[Any]], int, Scan]:
    """The sheet's rows (see _collect), by the fastest reader that is sure of them: the text
    reader (the common shape), else the element reader, else openpyxl itself; and its formula
    cells and merged ranges (when the text reader read the rows, only the text outside them
    can hold those, and only that is scanned)."""
    path = worksheet._worksheet_path
    try:
        formats = _cell_formats(workbook)
        strings = _shared_strings(zf, worksheet, strings_path)
        outside: list[str] = []
        try:
            with zf.open(path) as part:
                cells, last = _collect(iter_grid_text(part, strings, formats, outside), limits)
            return cells, last, _scan([outside[0].encode()])
        except NotSure:
            with zf.open(path) as part:
                cells, last = _collect(iter_grid(part, strings, formats), limits)
    except NotSure:
        cells, last = _collect(_openpyxl_rows(data, worksheet.title), limits)
    return cells, last, _scan(_windows(zf, path))


def _openpyxl_rows(data: bytes, title: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The sheet's rows as openpyxl reads them (the workbook opened again, in full)."""
    workbook = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    try:
        worksheet = workbook[title]
        worksheet.reset_dimensions()  # a wrong <dimension> must not cut rows off
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if values:
                yield number, tuple(values)
    finally:
        workbook.close()


def _collect(
    rows: Iterator[tuple[int, tuple[Any, ...]]], limits: ImportLimits
) -> tuple[dict[int, list[Any]], int]:
    """Rows by number without their trailing blank cells, blank rows left out; the last
    number kept. Refuses a sheet with more non-blank rows than the limit."""
    cells: dict[int, list[Any]] = {}
    non_blank = 0
    last = 0
    for number, values in rows:
        row = list(values)
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
        if not row:
            continue
        non_blank += 1
        if non_blank > limits.max_rows:
            raise ImportRefused("importer.refused.too_many_rows", max=limits.max_rows)
        cells[number] = row
        last = number
    return cells, last


def read_xlsx(
    data: bytes, filename: str, sha256: str, limits: ImportLimits, sheet: str | None = None
) -> RawSheet:
    if not openpyxl.xml.DEFUSEDXML:
        raise ImportRefused("importer.refused.defusedxml_missing")
    _inspect_zip(data, limits)
    notes: list[Note] = []
    try:
        workbook, strings_path = _open_workbook(data)
    except Exception as exc:  # a hostile or broken file can fail anywhere inside the parser
        raise _refusal(exc) from exc
    try:
        worksheet = _pick_sheet(workbook, sheet)
        sheet_name = worksheet.title
        sheet_names = list(workbook.sheetnames)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            cells, last, (formulas, merges) = _read_cells(
                data, zf, workbook, worksheet, strings_path, limits
            )
    except ImportRefused:
        raise
    except Exception as exc:  # as above: refuse, never crash, on a malformed sheet
        raise _refusal(exc) from exc
    finally:
        workbook.close()
    if merges and _fill_merged(cells, merges, last, limits):
        notes.append(Note("importer.note.merged", {"count": len(merges)}))
    if formulas:
        notes.append(Note("importer.note.formulas", {"count": len(formulas)}))
    rows: list[Row] = [(n, tuple(cells[n])) for n in sorted(cells)]
    return RawSheet(
        filename=filename,
        sha256=sha256,
        rows=rows,
        sheet_name=sheet_name,
        sheet_names=sheet_names,
        notes=notes,
        formula_cells=frozenset(formulas),
    )
