"""CSV files: detect the encoding Korean offices actually produce, then read the records."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter

from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from crm.importer.model import Note, RawSheet, Row

DELIMITERS = (",", "\t", ";", "|")
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}  # bytes cp1252 leaves undefined


def _looks_korean(text: str) -> bool:
    """A cp949 decoding is believable when (nearly) every non-ASCII character is one of the
    KS X 1001 characters of plain EUC-KR (both bytes 0xA1 or above); stray Latin bytes in a
    UTF-8 file decode as rare extended syllables instead ("BYJU\x92S" → "BYJU뭆")."""
    counts = Counter(ch for ch in text if ord(ch) > 0x7F)
    if not counts:
        return False
    rare = 0
    for ch, n in counts.items():
        encoded = ch.encode("cp949")
        if len(encoded) != 2 or encoded[0] < 0xA1 or encoded[1] < 0xA1:
            rare += n
    return rare <= 0.01 * sum(counts.values())


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _utf8_with_cp1252_bytes(data: bytes) -> tuple[str, int, list[int]]:
    """UTF-8, with each byte that is not valid UTF-8 read as Windows-1252 (e.g. 0x92 → ’)."""
    text = data.decode("utf-8", errors="surrogateescape")
    out: list[str] = []
    replaced = 0
    positions: list[int] = []
    byte_pos = 0
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            raw = code - 0xDC00
            out.append("\ufffd" if raw in _CP1252_HOLES else bytes([raw]).decode("cp1252"))
            replaced += 1
            if len(positions) < 5:
                positions.append(byte_pos)
            byte_pos += 1
        else:
            out.append(ch)
            byte_pos += len(ch.encode("utf-8", errors="surrogatepass"))
    lines = [_line_of(data, p) for p in positions]
    return "".join(out), replaced, lines


def decode_csv_bytes(data: bytes) -> tuple[str, str, list[Note]]:
    """(text, encoding name, notes): UTF-8 with or without BOM, UTF-16 with BOM, CP949/EUC-KR;
    a few stray bytes in an otherwise UTF-8 file are read as Windows-1252 and reported."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
        if _looks_korean(text):
            return text, "cp949", [Note("importer.note.encoding_cp949")]
    except UnicodeDecodeError:
        pass
    text, replaced, lines = _utf8_with_cp1252_bytes(data)
    note = Note(
        "importer.note.stray_bytes",
        {"count": replaced, "lines": ", ".join(str(n) for n in lines)},
    )
    return text, "utf-8+cp1252", [note]


def first_lines(text: str, count: int) -> list[str]:
    """text.splitlines()[:count] without splitting the whole file: every "\n" ends a line,
    so the text up to the count-th "\n" holds the first `count` lines whole."""
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end < 0:
            return text.splitlines()[:count]
    return text[: end + 1].splitlines()[:count]


def _delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most equal, widest rows."""
    sample = "\n".join(first_lines(text, 50))
    best, best_score = ",", 0
    for candidate in DELIMITERS:
        widths = Counter(
            len(rec) for rec in csv.reader(io.StringIO(sample), delimiter=candidate) if rec
        )
        if not widths:
            continue
        width, rows = widths.most_common(1)[0]
        score = rows * width if width > 1 else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_csv(data: bytes, filename: str, sha256: str, limits: ImportLimits) -> RawSheet:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportRefused("importer.refused.binary", filename=filename)
    text, encoding, notes = decode_csv_bytes(data)
    rows: list[Row] = []
    non_blank = 0
    try:
        for number, record in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)), start=1
        ):
            if all(map(str.strip, record)):  # no blank cell: the common case, checked in C
                values: tuple[str | None, ...] = tuple(record)
            else:
                values = tuple([v if v.strip() else None for v in record])
                while values and values[-1] is None:
                    values = values[:-1]
            if not values:
                continue
            non_blank += 1
            if non_blank > limits.max_rows:
                raise ImportRefused("importer.refused.too_many_rows", max=limits.max_rows)
            rows.append((number, values))
    except csv.Error as exc:
        raise ImportRefused("importer.refused.unreadable", detail=str(exc)) from exc
    return RawSheet(filename=filename, sha256=sha256, rows=rows, encoding=encoding, notes=notes)
