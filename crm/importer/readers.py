"""Read an uploaded file into rows: .xlsx or .csv, within the configured limits."""

from __future__ import annotations

import hashlib
from pathlib import Path

from crm.importer.csvfile import read_csv
from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits, import_limits
from crm.importer.model import RawSheet
from crm.importer.xlsx import read_xlsx

XLSX_SUFFIXES = (".xlsx",)
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
OLD_EXCEL_SUFFIXES = (".xls", ".xlt")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx


def read_upload(
    data: bytes, filename: str, *, sheet: str | None = None, limits: ImportLimits | None = None
) -> RawSheet:
    """The rows of an uploaded file, or ImportRefused saying why it cannot be read."""
    limits = limits or import_limits()
    if len(data) > limits.max_bytes:
        raise ImportRefused(
            "importer.refused.too_large",
            size_mb=round(len(data) / 2**20, 1),
            max_mb=limits.max_bytes // 2**20,
        )
    if not data.strip():
        raise ImportRefused("importer.refused.empty")
    suffix = Path(filename).suffix.lower()
    sha256 = hashlib.sha256(data).hexdigest()
    if suffix in MACRO_SUFFIXES:
        raise ImportRefused("importer.refused.macros")
    if suffix in OLD_EXCEL_SUFFIXES or (suffix in XLSX_SUFFIXES and data.startswith(OLE_MAGIC)):
        raise ImportRefused("importer.refused.old_format")
    if suffix in XLSX_SUFFIXES or (suffix in CSV_SUFFIXES and data.startswith(ZIP_MAGIC)):
        return read_xlsx(data, filename, sha256, limits, sheet)
    if suffix in CSV_SUFFIXES:
        return read_csv(data, filename, sha256, limits)
    raise ImportRefused("importer.refused.file_type", suffix=suffix or "?")


def read_path(
    path: str | Path, *, sheet: str | None = None, limits: ImportLimits | None = None
) -> RawSheet:
    """As read_upload, for a file on disk; a file over the size limit is not even read."""
    path = Path(path)
    limits = limits or import_limits()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ImportRefused(
            "importer.refused.too_large",
            size_mb=round(size / 2**20, 1),
            max_mb=limits.max_bytes // 2**20,
        )
    return read_upload(path.read_bytes(), path.name, sheet=sheet, limits=limits)
