"""Small workbooks and CSV files the importer tests build, each reproducing one quirk."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import openpyxl
import xlsxwriter

Cell = Any


def xlsx(
    rows: Sequence[Sequence[Cell]],
    *,
    merges: Sequence[tuple[str, Cell]] = (),
    formulas: dict[str, tuple[str, Cell]] | None = None,
    sheet: str = "Sheet1",
) -> bytes:
    """A workbook written by XlsxWriter: typed cells, merged ranges (range, value), and
    formulas (cell → (formula, the value Excel would have saved))."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, day)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime.combine(value, time()), day)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    for cell_range, value in merges:
        ws.merge_range(cell_range, value)
    for cell, (formula, cached) in (formulas or {}).items():
        ws.write_formula(cell, formula, None, cached)
    book.close()
    return buffer.getvalue()


def openpyxl_xlsx(rows: Sequence[Sequence[Cell]]) -> bytes:
    """A workbook written by openpyxl: a string starting with '=' becomes a formula with no
    saved value (what a script, not Excel, produces)."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[Cell]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The same xlsx with some parts replaced or added (hostile variants of a good file)."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, replace.get(info.filename, source.read(info.filename)))
        for name, payload in add.items():
            target.writestr(name, payload, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return source.read(name)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def with_xml_bomb(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The part `name` prefixed by a billion-laughs DTD, its first cell using the entity."""
    xml = part(data, name)
    body = xml[xml.index(b"?>") + 2 :] if xml.startswith(b"<?xml") else xml
    return rezip(data, replace={name: BILLION_LAUGHS + body.replace(b"<v>", b"<v>&lol9;", 1)})
