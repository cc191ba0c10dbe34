"""Evidence files: the type read from the content (never the name), size and count limits, the
importer's hostile-file checks for workbooks (zip bombs, XML entities, macros), and HWP files
read as the compound documents they are (olefile) with scripts refused."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

import olefile

from crm.config import get_settings
from crm.errors import CRMError
from crm.importer.errors import ImportRefused
from crm.importer.limits import UNCOMPRESSED_FACTOR, ImportLimits
from crm.importer.xlsxcheck import check_prolog, inspect_zip

HWP_SIGNATURE = b"HWP Document File"
HWPX_MIMETYPE = b"application/hwp+zip"


class EvidenceKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    XLSX = "xlsx"
    HWP = "hwp"
    HWPX = "hwpx"


class EvidenceRefused(CRMError):
    """An evidence file that cannot be kept; the key says why and what to do."""

    key = "portal.evidence.refused"


@dataclass(frozen=True)
class EvidenceLimits:
    max_bytes: int
    max_files: int


def evidence_limits() -> EvidenceLimits:
    settings = get_settings()
    return EvidenceLimits(settings.evidence_max_mb * 1024 * 1024, settings.evidence_max_files)


@dataclass(frozen=True)
class CheckedFile:
    kind: EvidenceKind
    size: int
    sha256: str
    filename: str


def display_name(name: str) -> str:
    """The name the company gave, as a label only: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "evidence"


def _zip_kind(data: bytes, limits: EvidenceLimits) -> EvidenceKind:
    zip_limits = ImportLimits(max_bytes=limits.max_bytes, max_rows=1)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if "mimetype" in names and zf.read("mimetype").strip() == HWPX_MIMETYPE:
                infos = zf.infolist()
                if sum(i.file_size for i in infos) > limits.max_bytes * UNCOMPRESSED_FACTOR:
                    raise EvidenceRefused("portal.evidence.zip_bomb")
                if any("script" in n.lower() for n in names):
                    raise EvidenceRefused("portal.evidence.macros")
                for name in names:
                    if not name.endswith("/"):
                        check_prolog(zf, name)
                return EvidenceKind.HWPX
    except ImportRefused as exc:
        raise EvidenceRefused("portal.evidence.unsafe") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise EvidenceRefused("portal.evidence.unreadable") from exc
    try:
        inspect_zip(data, zip_limits)
    except ImportRefused as exc:
        if exc.key == "importer.refused.macros":
            raise EvidenceRefused("portal.evidence.macros") from exc
        if exc.key == "importer.refused.zip_bomb":
            raise EvidenceRefused("portal.evidence.zip_bomb") from exc
        if exc.key == "importer.refused.not_workbook":
            raise EvidenceRefused("portal.evidence.type") from exc
        raise EvidenceRefused("portal.evidence.unsafe") from exc
    return EvidenceKind.XLSX


def _hwp_kind(data: bytes) -> EvidenceKind:
    # A damaged compound document makes olefile raise OSError, ValueError, IndexError, …:
    # whatever it raises, the file is refused as unreadable, never a crash.
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise EvidenceRefused("portal.evidence.unreadable") from exc
    try:
        if not ole.exists("FileHeader"):
            raise EvidenceRefused("portal.evidence.type")
        header = ole.openstream("FileHeader").read(32)
        if not header.startswith(HWP_SIGNATURE):
            raise EvidenceRefused("portal.evidence.type")
        if ole.exists("Scripts"):  # HWP documents may carry JavaScript macros
            raise EvidenceRefused("portal.evidence.macros")
    except EvidenceRefused:
        raise
    except Exception as exc:  # noqa: BLE001
        raise EvidenceRefused("portal.evidence.unreadable") from exc
    finally:
        ole.close()
    return EvidenceKind.HWP


def detect_kind(data: bytes, limits: EvidenceLimits) -> EvidenceKind:
    """The file's type from its first bytes (and, for containers, its parts)."""
    if data.startswith(b"%PDF-"):
        return EvidenceKind.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, limits)
    if data.startswith(olefile.MAGIC):
        return _hwp_kind(data)
    raise EvidenceRefused("portal.evidence.type")


def check_file(filename: str, data: bytes, limits: EvidenceLimits | None = None) -> CheckedFile:
    """A file fit to keep as evidence, or EvidenceRefused (empty, too large, unknown type,
    unsafe content)."""
    limits = limits or evidence_limits()
    if not data:
        raise EvidenceRefused("portal.evidence.empty")
    if len(data) > limits.max_bytes:
        raise EvidenceRefused("portal.evidence.too_large", max_mb=limits.max_bytes // 2**20)
    kind = detect_kind(data, limits)
    return CheckedFile(kind, len(data), hashlib.sha256(data).hexdigest(), display_name(filename))


MEDIA_TYPES = {
    EvidenceKind.PDF: "application/pdf",
    EvidenceKind.PNG: "image/png",
    EvidenceKind.JPEG: "image/jpeg",
    EvidenceKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    EvidenceKind.HWP: "application/x-hwp",
    EvidenceKind.HWPX: "application/hwp+zip",
}
