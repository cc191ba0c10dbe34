"""Import limits, read from the environment when an import starts (so tests can change them)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MAX_MB = 20
DEFAULT_MAX_ROWS = 100_000
# An xlsx is a zip of XML; its parts may expand this many times the file's own limit, no more.
UNCOMPRESSED_FACTOR = 20


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int
    max_rows: int

    @property
    def max_uncompressed_bytes(self) -> int:
        return self.max_bytes * UNCOMPRESSED_FACTOR


def _positive_int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0, got {raw!r}")
    return value


def import_limits() -> ImportLimits:
    """CRM_IMPORT_MAX_MB (default 20) and CRM_IMPORT_MAX_ROWS (default 100,000)."""
    return ImportLimits(
        max_bytes=_positive_int_env("CRM_IMPORT_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024,
        max_rows=_positive_int_env("CRM_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS),
    )
