"""The fastest way to a worksheet's cells and its shared strings: regular expressions over the
parts' text, for the shape Excel, LibreOffice and XlsxWriter write plain sheets in:

    <row r="2" spans="1:3"><c r="A2" t="s"><v>0</v></c><c r="B2" s="1"><v>44000</v></c></row>
    <si><t>회사명</t></si><si><t xml:space="preserve"> A &amp; B </t></si>

Every character inside sheetData (or the string table) must be taken by these patterns: no
whitespace between elements, no comments, formulas, inline or rich strings, no entities in
cells. Anything else raises NotSure, and the element reader (crm.importer.xlsxgrid) reads the
part instead. The part outside that content is parsed as XML (it is small), so what is read
here comes only from a well-formed part whose content is the one openpyxl reads, in the main
namespace. Cell values are converted by the element reader's own converter, so both give
exactly what openpyxl gives. Call it only on parts whose prolog was checked for a DTD
(crm.importer.xlsx does): without one, the only entities are XML's five and character
references."""

from __future__ import annotations

import codecs
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from crm.importer.xlsxgrid import (
    _ROW,
    _SHEET_DATA,
    _SST,
    CellFormats,
    NotSure,
    _Converter,
    numbered,
)

_CHUNK = 1024 * 1024
_LONGEST_ITEM = 1024 * 1024  # a row (or string) longer than this is left to the element reader
# XML text without markup, references or characters XML would refuse or normalise (\r)
_CHARS = r"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_TEXT = f"{_CHARS}*"
_REFERENCE = r"&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);"
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_REFERENCE_PARTS = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")


def _cell_pattern(group: str) -> str:
    """A cell: reference, style and type attributes in that order, empty or one value; with
    group "(", its column letters, style, type and value text are captured."""
    return (
        rf'<c r="{group}[A-Z]{{1,3}})[0-9]+"(?: s="{group}[0-9]+)")?'
        rf'(?: t="{group}s|n|b|e|str)")?(?:/>|></c>|><v>{group}{_TEXT})</v></c>)'
    )


_CELL = _cell_pattern("(?:")
_CELL_PARTS = re.compile(_cell_pattern("("))
_ATTRIBUTE = r' [A-Za-z_][\w.:-]*="[^"<&]*"'


# A row: its number, its other attributes, "/" when it is written <row .../>, and its cells.
_ROW_TEXT = re.compile(rf'<row r="([0-9]+)"((?:{_ATTRIBUTE})*)(?:(/)>|>((?:{_CELL})*)</row>)')
_ROW_FIXED = len('<row r=""') + len("></row>")  # a row's length besides its groups' text
_SHEET_DATA_START = re.compile("<sheetData/?>")
# text with references, unrolled (characters, then reference and characters again): an
# alternation per character is several times slower
_SI_PATTERN = (
    rf'<si><t(?: xml:space="preserve")?(?:/>|>({_CHARS}*(?:{_REFERENCE}{_CHARS}*)*)</t>)</si>'
)
_SI_TEXT = re.compile(_SI_PATTERN)
_SIS = re.compile(f"(?:{_SI_PATTERN})*")
_SST_START = re.compile(rf"<sst(?:{_ATTRIBUTE})*/?>")
# the XML declaration, strictly (XML 1.0 section 2.8); the encoding must be UTF-8 if named
_DECLARATION = re.compile(
    r"<\?xml\s+version\s*=\s*(['\"])1\.[0-9]+\1"
    r"(?:\s+encoding\s*=\s*(['\"])([A-Za-z][A-Za-z0-9._-]*)\2)?"
    r"(?:\s+standalone\s*=\s*(['\"])(?:yes|no)\4)?\s*\?>"
)


def _head(
    part: IO[bytes], decoder: codecs.IncrementalDecoder, opening: re.Pattern[str], name: str
) -> tuple[str, int]:
    """The text read so far, and where the content starts in it (after the `opening` tag of
    element `name`), once the text before it is known to be plain: a UTF-8 declaration at most,
    no comments, instructions or CDATA that could hide markup, no other element of that name."""
    text = ""
    while (found := opening.search(text)) is None:
        chunk = part.read(_CHUNK)
        if not chunk or len(text) > _LONGEST_ITEM:
            raise NotSure(f"no plain <{name}> start tag near the start")
        text += decoder.decode(chunk)
    before = text[: found.start()].removeprefix("\ufeff")
    declared = _DECLARATION.match(before)
    if declared:
        encoding = declared.group(3)
        if encoding is not None and encoding.lower() != "utf-8":  # expat: "utf8" is not UTF-8
            raise NotSure(f"encoding {encoding}")
        before = before[declared.end() :]
    if "<!" in before or "<?" in before or name in before:
        raise NotSure(f"markup before <{name}> that this reader does not read")
    return text, found.end()


@dataclass(frozen=True)
class _Container:
    """The element whose content the text reader takes: how its start tag is written (a
    pattern), its name, a pattern for a whole piece of its items (None: the caller checks that
    its items cover each piece) and how an item ends; `filling` gives what to put in its place
    once it is emptied (read at the end), `accepts` judges the parsed part around it."""

    opening: re.Pattern[str]
    name: str
    items: re.Pattern[str] | None
    item_end: str
    filling: Callable[[], str]
    accepts: Callable[[ET.Element], bool]


def _regions(
    part: IO[bytes], container: _Container, outside: list[str] | None = None
) -> Iterator[str]:
    """The container's content in pieces of whole items. Pieces, not single matches: a C-level
    findall over a piece costs a fraction of a match object per item. At the end the part,
    with the container's filling instead of its content, must parse, and the container accept
    its root; the part's text without the content is appended to `outside`."""
    name = container.name
    decoder = codecs.getincrementaldecoder("utf-8")()
    closing = f"</{name}>"
    text, position = _head(part, decoder, container.opening, name)
    before = text[:position]
    if before.endswith("/>"):  # <name/>: read as <name></name>
        before = before[:-2] + ">"
        text, position = closing + text[position:], 0
    while True:
        if "]]>" in text:  # not allowed in XML text
            raise NotSure("]]> in the text")
        close = text.find(closing, position)  # items hold no "<" in text: the first is the end
        if close >= 0:
            cut = close
        else:
            last = text.rfind(container.item_end, position)
            cut = position if last < 0 else last + len(container.item_end)
        piece = text[position:cut]
        if piece:
            if container.items is not None and not container.items.fullmatch(piece):
                raise NotSure(f"<{name}> content not in the common shape")
            yield piece
        position = cut
        if close >= 0:
            break
        if len(text) - position > _LONGEST_ITEM:
            raise NotSure(f"<{name}> has no end, or an item too long")
        chunk = part.read(_CHUNK)
        if not chunk:
            raise NotSure(f"<{name}> has no end")
        text = text[position:] + decoder.decode(chunk)
        position = 0
    after = text[position:] + decoder.decode(part.read(), final=True)
    try:
        root = ET.fromstring((before + container.filling() + after).encode())
    except ET.ParseError as exc:
        raise NotSure(f"the part outside <{name}>: {exc}") from exc
    if not container.accepts(root):
        raise NotSure(f"<{name}> is not the one openpyxl reads")
    if outside is not None:
        outside.append(before + after)


class _SheetData:
    """sheetData, emptied, gets a probe element per distinct set of other row attributes
    (and one with none) in a namespace of its own: the parser then judges those attributes
    (names, prefixes, duplicates, characters) with the worksheet's namespaces in scope, and the
    probes mark the sheetData that was read, which must be the one openpyxl reads."""

    def __init__(self) -> None:
        self.attributes: set[str] = set()
        nonce = secrets.token_hex(8)  # no part can name the probes' namespace or prefix
        self.namespace, self.prefix = f"urn:crm-xlsxtext:{nonce}", f"p{nonce}"
        self.probe = f"{{{self.namespace}}}probe"

    def filling(self) -> str:
        if any("xmlns" in extra for extra in self.attributes):
            raise NotSure("a row declares a namespace")
        start = f'<{self.prefix}:probe xmlns:{self.prefix}="{self.namespace}"'
        return "".join(f"{start}{extra}/>" for extra in ["", *self.attributes])

    def accepts(self, root: ET.Element) -> bool:
        """The worksheet's first sheetData child (the one openpyxl reads) is the one read, with
        only the probes in it, none of them with another `r`, and no rows anywhere else."""
        found = root.find(_SHEET_DATA)
        if found is None or found.text or len(found) != len(self.attributes) + 1:
            return False
        if any(p.tag != self.probe or "r" in p.attrib or p.tail for p in found):
            return False
        return next(root.iter(_ROW), None) is None

    def container(self) -> _Container:
        return _Container(
            _SHEET_DATA_START, "sheetData", None, "</row>", self.filling, self.accepts
        )


def _sst_accepts(root: ET.Element) -> bool:
    return root.tag == _SST and not len(root) and not root.text


_STRING_TABLE = _Container(_SST_START, "sst", _SIS, "</si>", str, _sst_accepts)


def iter_grid_text(
    part: IO[bytes], strings: list[str], formats: CellFormats, outside: list[str] | None = None
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """As crm.importer.xlsxgrid.iter_grid gives them, for sheets in the common shape; NotSure
    (possibly after some rows) for any other. Once all are read, the part's text without the
    rows is appended to `outside` (merged ranges and the like are there)."""
    convert = _Converter(strings, formats)
    kinds: dict[str | None, int] = {"": convert.kinds[None]}  # no s attribute: style 0
    sheet_data = _SheetData()
    attributes = sheet_data.attributes

    def rows() -> Iterator[tuple[str | None, tuple[Any, ...]]]:
        for piece in _regions(part, sheet_data.container(), outside):
            rows = _ROW_TEXT.findall(piece)
            # findall skips what its pattern does not match: the rows found must make up the
            # piece (a fullmatch of the repetition costs twice the findall)
            covered = sum(
                _ROW_FIXED + len(number) + len(extra) + (-5 if closed else len(cells))
                for number, extra, closed, cells in rows
            )
            if covered != len(piece):
                raise NotSure("sheetData content not in the common shape")
            for number, extra, _closed, cells in rows:
                if extra:
                    attributes.add(extra)
                yield number, convert.values(_CELL_PARTS.findall(cells), kinds)

    try:
        yield from numbered(rows())
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise NotSure(f"worksheet: {exc!r}") from exc


def _character(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        raise NotSure(f"character reference {match.group()} (not an XML character)")
    return chr(code)


def read_shared_strings_text(part: IO[bytes]) -> list[str]:
    """The string table as crm.importer.xlsxgrid.read_shared_strings reads it, for tables of
    plain items only; NotSure for any other."""
    strings: list[str] = []
    append = strings.append
    try:
        for piece in _regions(part, _STRING_TABLE):
            for text in _SI_TEXT.findall(piece):
                if "&" in text:
                    text = _REFERENCE_PARTS.sub(_character, text)
                append(text.replace("x005F_", "") if "x005F_" in text else text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotSure(f"shared strings: {exc!r}") from exc
    return strings
