"""DataFrames as a finished .xlsx: bold filled header, frozen header row, autofilter, widths that
fit Korean text, typed cells (numbers, KRW, real dates), text never turned into a formula.

Used for the companies-list download and every chart's data on the funnel page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from xlsxwriter.workbook import Workbook

from crm.reports.cells import clean_text, sheet_title
from crm.reports.writer import WORKBOOK_OPTIONS, Cell, Column, Formats, TableWriter, finish_table


@dataclass(frozen=True)
class Sheet:
    title: str
    frame: pd.DataFrame
    krw_columns: Sequence[str] = ()
    note: str | None = None
    cells: dict[str, Cell] = field(default_factory=dict)


def infer_cell(series: pd.Series, *, krw: bool) -> Cell:
    if krw:
        return Cell.KRW
    if pd.api.types.is_bool_dtype(series):
        return Cell.TEXT
    if pd.api.types.is_integer_dtype(series):
        return Cell.INT
    if pd.api.types.is_float_dtype(series):
        return Cell.DECIMAL
    if pd.api.types.is_datetime64_any_dtype(series):
        return Cell.DATETIME
    sample = series.dropna()
    if not sample.empty and isinstance(sample.iloc[0], datetime):
        return Cell.DATETIME
    if not sample.empty and isinstance(sample.iloc[0], date):
        return Cell.DATE
    return Cell.TEXT


def _value(value: object) -> object:
    if value is None or (not isinstance(value, str | date | datetime) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[union-attr]
    if isinstance(value, bool):
        return str(value)
    return value


def frames_to_xlsx(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """One worksheet per frame, in order; returns the workbook's bytes."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True, "constant_memory": False})
    if title:
        workbook.set_properties({"title": title})
    formats = Formats(workbook)
    used: set[str] = set()
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet_title(sheet.title, used))
        frame = sheet.frame
        columns = [
            Column(
                str(name),
                sheet.cells.get(str(name))
                or infer_cell(frame[name], krw=str(name) in sheet.krw_columns),
            )
            for name in frame.columns
        ]
        top = 0
        if sheet.note:
            ws.write_string(0, 0, clean_text(sheet.note), formats.note)
            top = 2
        table = TableWriter(ws, formats, columns, top=top)
        table.write_header()
        for row in frame.itertuples(index=False, name=None):
            table.write_row([_value(v) for v in row])
        finish_table(ws, table, title=sheet.title)
    workbook.close()
    return buffer.getvalue()
