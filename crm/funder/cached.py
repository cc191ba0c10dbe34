"""Cached values for a filled form's formulas, so totals show before any recalculation.

openpyxl saves a formula without its last result (`<v/>`), and it drops the results the template
had; readers that do not calculate (pandas, openpyxl's data_only, viewers, LibreOffice set to
"never recalculate") then see blanks. We evaluate the formulas Korean forms total with —
SUM over ranges and numbers, and a plain reference to one cell — from the values just written,
and put each result into the saved part's empty `<v/>` of that cell. Any other formula keeps no
cached value; the workbook asks spreadsheet software to recalculate on load (fullCalcOnLoad)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from posixpath import join, normpath
from xml.etree import ElementTree

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook

Number = int | float
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A formula cell exactly as openpyxl writes it: <c r="D15" s="3"><f>SUM(D5:D14)</f><v /></c>
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v ?/></c>')


# Re-zipping the saved package is most of this step's time; level 1 is several times faster
# than the default for a few per cent larger parts.
FAST = 1


class _Unsupported(Exception):
    pass


class Evaluator:
    """SUM(ranges, numbers) and =ref, over a workbook's cell values; anything else unsupported."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.memo: dict[tuple[str, str], Number | None] = {}
        self.busy: set[tuple[str, str]] = set()

    def value(self, sheet: str, coord: str) -> Number | None:
        key = (sheet, coord)
        if key in self.memo:
            return self.memo[key]
        cell = self.wb[sheet][coord]
        result: Number | None
        if cell.data_type == "f" and isinstance(cell.value, str):
            if key in self.busy:
                raise _Unsupported("circular")
            self.busy.add(key)
            try:
                result = self.formula(cell.value, sheet)
            finally:
                self.busy.discard(key)
        elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            result = cell.value
        else:
            result = None
        self.memo[key] = result
        return result

    def _range(self, ref: str, home: str) -> Iterator[Number | None]:
        sheet, bang, address = ref.rpartition("!")
        name = sheet.strip("'").replace("''", "'") if bang else home
        if name not in self.wb.sheetnames or "[" in sheet:
            raise _Unsupported(ref)
        ws = self.wb[name]
        min_col, min_row, max_col, max_row = range_boundaries(address.replace("$", ""))
        for r in range(min_row or 1, (max_row or ws.max_row) + 1):
            for c in range(min_col or 1, (max_col or ws.max_column) + 1):
                coord = ws.cell(r, c).coordinate
                yield self.value(name, coord)

    def formula(self, text: str, home: str) -> Number:
        items = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
        if len(items) == 1 and items[0].subtype == Token.RANGE:
            if ":" in items[0].value:
                raise _Unsupported(text)
            found = next(self._range(items[0].value, home))
            return 0 if found is None else found
        if (
            len(items) < 2
            or items[0].type != Token.FUNC
            or items[0].value.upper() != "SUM("
            or items[-1].type != Token.FUNC
        ):
            raise _Unsupported(text)
        total: Number = 0
        for token in items[1:-1]:
            if token.type == Token.SEP and token.value == ",":
                continue
            if token.type != Token.OPERAND:
                raise _Unsupported(text)
            if token.subtype == Token.NUMBER:
                total += float(token.value) if "." in token.value else int(token.value)
            elif token.subtype == Token.RANGE:
                total += sum(v for v in self._range(token.value, home) if v is not None)
            else:
                raise _Unsupported(text)
        return total


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package, read from the workbook and its relationships."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship")}
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(REL_ID), "")
        part = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        parts[str(sheet.get("name"))] = part
    return parts


def _number(value: Number) -> bytes:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value).encode()


def _patch(xml: bytes, sheet: str, evaluator: Evaluator) -> bytes:
    """Each formula cell of the part with its result, where the evaluator can compute it."""

    def put(match: re.Match[bytes]) -> bytes:
        try:
            value = evaluator.value(sheet, match.group(1).decode())
        except (_Unsupported, ValueError, KeyError, TypeError):
            return match.group(0)
        if value is None:
            return match.group(0)
        ref, attrs, formula = match.group(1), match.group(2), match.group(3)
        return b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (ref, attrs, formula, _number(value))

    return _FORMULA_CELL.sub(put, xml)


def write_cached_values(wb: Workbook, content: bytes) -> bytes:
    """The saved package with each computable formula's result in its cell. The formula cells
    are found in the saved parts themselves, so no pass over every cell of the workbook."""
    source = zipfile.ZipFile(io.BytesIO(content))
    sheet_of = {part: sheet for sheet, part in sheet_parts(source).items()}
    parts = {name: source.read(name) for name in sheet_of if name in source.namelist()}
    if not any(b"<f>" in data for data in parts.values()):
        return content
    evaluator = Evaluator(wb)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=FAST) as target:
        for info in source.infolist():
            data = parts.get(info.filename)
            if data is None:
                data = source.read(info.filename)
            elif b"<f>" in data:
                data = _patch(data, sheet_of[info.filename], evaluator)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=FAST)
    return out.getvalue()
