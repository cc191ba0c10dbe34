"""Import limits, read from the environment when an import starts (so tests can change them)."""

from __future__ import annotations

from dataclasses import dataclass

from crm.config import get_settings

# An xlsx is a zip of XML; its parts may expand this many times the file's own limit, no more.
UNCOMPRESSED_FACTOR = 20


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int
    max_rows: int

    @property
    def max_uncompressed_bytes(self) -> int:
        return self.max_bytes * UNCOMPRESSED_FACTOR


def import_limits() -> ImportLimits:
    """CRM_IMPORT_MAX_MB (default 20) and CRM_IMPORT_MAX_ROWS (default 100,000), read and checked
    by the settings (crm/config.py)."""
    settings = get_settings()
    return ImportLimits(
        max_bytes=settings.import_max_mb * 1024 * 1024, max_rows=settings.import_max_rows
    )
