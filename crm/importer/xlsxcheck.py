"""An uploaded workbook checked as a zip before any XML reader opens it: its size once
uncompressed, macros, external links, that it is a workbook at all, and no DTD in any XML
part (no real workbook part declares one; it is how XML bombs start)."""

from __future__ import annotations

import io
import zipfile

from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits

PROLOG_LIMIT = 64 * 1024


def _prolog_text(head: bytes) -> str:
    """The start of a part as text, in the encoding an XML parser would detect: a UTF-16 byte
    order mark or a zero byte in the first two (UTF-16 without a mark), else ASCII-compatible
    (UTF-8 and the single-byte encodings spell markup in ASCII)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head[:1] == b"\0":
        return head.decode("utf-16-be", errors="replace")
    if head[1:2] == b"\0":
        return head.decode("utf-16-le", errors="replace")
    return head.decode("latin-1")


def _root_start(text: str) -> int | None:
    """Where the root element starts, skipping the XML declaration, processing instructions
    and comments; None when the text ends first. ValueError at a DTD (or other markup that may
    only come before the root)."""
    position = 0
    while (start := text.find("<", position)) >= 0:
        if text.startswith("<?", start):
            end, closing = text.find("?>", start + 2), 2
        elif text.startswith("<!--", start):
            end, closing = text.find("-->", start + 4), 3
        elif text.startswith("<!", start):
            raise ValueError(text[start : start + 12])
        else:
            return start
        if end < 0:
            return None
        position = end + closing
    return None


def _looks_like_xml(text: str) -> bool:
    return text.lstrip("\ufeff\ufffe \t\r\n").startswith("<")


def check_prolog(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse a part whose prolog declares a DTD. A DTD can only come before the root element,
    so only that much is read; a prolog that does not end within PROLOG_LIMIT is refused too.
    Parts that do not start as XML (images, binaries) are left alone, whatever their name: the
    string table is found by its relationship, so it may be called anything."""
    with zf.open(name) as part:
        head = part.read(PROLOG_LIMIT)
    text = _prolog_text(head)
    if not _looks_like_xml(text):
        return
    try:
        found = _root_start(text)
    except ValueError as exc:
        raise ImportRefused("importer.refused.xml_entities", part=name) from exc
    if found is None and len(head) >= PROLOG_LIMIT:
        raise ImportRefused("importer.refused.xml_prolog", part=name)


def inspect_zip(
    data: bytes, limits: ImportLimits, *, external_links_allowed: bool = False
) -> list[str]:
    """ImportRefused unless `data` is a workbook within the limits with safe XML parts; returns
    its part names. Links to other workbooks are refused unless allowed (a funder's form may
    hold them: openpyxl keeps them, and the form's page names them)."""
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
            if not external_links_allowed and any(
                n.startswith("xl/externallinks/") for n in lowered
            ):
                raise ImportRefused("importer.refused.external_links")
            if b"spreadsheetml.sheet.main" not in types:
                raise ImportRefused("importer.refused.not_workbook")
            for name in names:
                if not name.endswith("/"):
                    check_prolog(zf, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ImportRefused("importer.refused.unreadable", detail=str(exc)) from exc
    return names
