"""Cached values for a filled form's formulas, so totals show before any recalculation.

openpyxl saves a formula without its last result (`<v/>`), and it drops the results the template
had; readers that do not calculate (pandas, openpyxl's data_only, viewers, LibreOffice set to
"never recalculate") then see blanks. We evaluate the formulas Korean forms total with
(arithmetic, cell references, SUM/ROUND/MIN/MAX/AVERAGE) from the values just written, and put
each result into the saved part's empty `<v/>` of that cell. Any other formula keeps no
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
    """The formulas forms total with, over a workbook's cell values: + - * / and parentheses,
    numbers, cell references (this sheet or another), and SUM, ROUND, MIN, MAX, AVERAGE over
    ranges and expressions. Anything else (text, other functions, errors) is unsupported."""

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

    def range_values(self, ref: str, home: str) -> Iterator[Number | None]:
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
        tokens = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
        parser = _Parser(self, tokens, home)
        result = parser.expression()
        if parser.at < len(tokens):
            raise _Unsupported(text)
        return result


FUNCTIONS = ("SUM(", "ROUND(", "MIN(", "MAX(", "AVERAGE(")


class _Parser:
    """expression := term (+|- term)*; term := factor (*|/ factor)*;
    factor := (+|-) factor | number | cell | (expression) | FUNC(arguments)."""

    def __init__(self, evaluator: Evaluator, tokens: list[Token], home: str) -> None:
        self.evaluator, self.tokens, self.home, self.at = evaluator, tokens, home, 0

    def _peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise _Unsupported("end")
        self.at += 1
        return token

    def expression(self) -> Number:
        total = self.term()
        while (t := self._peek()) is not None and t.type == Token.OP_IN and t.value in "+-":
            self.at += 1
            right = self.term()
            total = total + right if t.value == "+" else total - right
        return total

    def term(self) -> Number:
        total = self.factor()
        while (t := self._peek()) is not None and t.type == Token.OP_IN and t.value in "*/":
            self.at += 1
            right = self.factor()
            if t.value == "*":
                total = total * right
            elif right == 0:
                raise _Unsupported("division by zero")
            else:
                total = total / right
        return total

    def factor(self) -> Number:
        token = self._next()
        if token.type == Token.OP_PRE and token.value in "+-":
            value = self.factor()
            return -value if token.value == "-" else value
        if token.type == Token.OPERAND and token.subtype == Token.NUMBER:
            return float(token.value) if any(c in token.value for c in ".eE") else int(token.value)
        if token.type == Token.OPERAND and token.subtype == Token.RANGE and ":" not in token.value:
            found = next(self.evaluator.range_values(token.value, self.home))
            return 0 if found is None else found
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            value = self.expression()
            closing = self._next()
            if closing.type != Token.PAREN:
                raise _Unsupported("parenthesis")
            return value
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            return self.function(token.value.upper())
        raise _Unsupported(token.value)

    def _arguments(self) -> list[list[Number]]:
        """Each argument's numbers (a range gives all of its numbers), up to the closing ')'."""
        arguments: list[list[Number]] = []
        while True:
            token = self._peek()
            if token is None:
                raise _Unsupported("end")
            if token.type == Token.FUNC and token.subtype == Token.CLOSE:
                self.at += 1
                return arguments
            if token.type == Token.SEP and token.value == ",":
                self.at += 1
                continue
            ahead = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else None
            ends = ahead is None or ahead.type == Token.SEP or ahead.type == Token.FUNC
            if token.subtype == Token.RANGE and ":" in token.value and ends:
                self.at += 1
                values = self.evaluator.range_values(token.value, self.home)
                arguments.append([v for v in values if v is not None])
            else:
                arguments.append([self.expression()])

    def function(self, name: str) -> Number:
        if name not in FUNCTIONS:
            raise _Unsupported(name)
        arguments = self._arguments()
        numbers = [n for argument in arguments for n in argument]
        if name == "SUM(":
            return sum(numbers)
        if name == "ROUND(":
            if len(arguments) != 2 or len(arguments[1]) != 1:
                raise _Unsupported(name)
            digits = int(arguments[1][0])
            value = sum(arguments[0])
            # Excel rounds halves away from zero (Python's round() rounds them to even).
            scaled = abs(value) * 10**digits
            rounded = int(scaled + 0.5) / 10**digits
            result = rounded if value >= 0 else -rounded
            return int(result) if digits <= 0 else result
        if not numbers:
            return 0
        if name == "MIN(":
            return min(numbers)
        if name == "MAX(":
            return max(numbers)
        return sum(numbers) / len(numbers)


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
