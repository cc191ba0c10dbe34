"""Saved reports: each build goes to the exports directory under a temporary name, is renamed when
complete, and is recorded in the audit trail (action `export`, entity `report`)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from crm.config import get_settings
from crm.db import begin_write
from crm.errors import NotFound
from crm.i18n import t
from crm.models import AuditAction, AuditEntry, User, utcnow
from crm.reports.figures import as_utc
from crm.reports.options import ReportOptions
from crm.reports.workbook import BuiltReport, ProgressCallback, write_report
from crm.services import audit
from crm.services.actor import Actor
from crm.services.permissions import Permission, check_permission

EXPORT_NAME = re.compile(r"^report-(\d{4})-Q([1-4])-[0-9A-Za-z-]+\.xlsx$")


@dataclass(frozen=True)
class SavedReport:
    path: Path
    filename: str
    year: int
    quarter: int
    created_at: datetime
    created_by: str | None
    size_bytes: int


def exports_dir() -> Path:
    return get_settings().exports_dir


def report_filename(options: ReportOptions, moment: datetime) -> str:
    return f"report-{options.year}-Q{options.quarter}-{moment:%Y%m%d-%H%M%S}.xlsx"


def _unique(directory: Path, name: str) -> Path:
    path, n = directory / name, 2
    while path.exists():
        path = directory / name.replace(".xlsx", f"-{n}.xlsx")
        n += 1
    return path


STALE_PARTIAL_SECONDS = 3600


def remove_stale_partials(
    directory: Path, *, max_age_seconds: float = STALE_PARTIAL_SECONDS
) -> int:
    """Delete temporary files left by builds that were killed (never renamed into place)."""
    removed = 0
    now = time.time()
    for partial in directory.glob(".report-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if now - partial.stat().st_mtime >= max_age_seconds:
                partial.unlink()
                removed += 1
    return removed


def save_report(
    session: Session,
    actor: Actor,
    options: ReportOptions,
    *,
    directory: Path | None = None,
    filename: str | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[SavedReport, BuiltReport]:
    """Build and save one report (managers and admins), audit it, and return where it is.

    The workbook is written to a hidden temporary file in the same directory and renamed with
    os.replace only once complete, so a listed file is never half-written."""
    check_permission(session, actor, Permission.BUILD_REPORTS)
    # The build reads its own snapshot; the audit entry is written after it, in a short write.
    session.rollback()
    directory = Path(directory or exports_dir())
    directory.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(directory)
    # An explicit file name (the CLI's --output) is overwritten; generated names never collide.
    final = (
        directory / filename if filename else _unique(directory, report_filename(options, utcnow()))
    )
    # Hidden, random and in the same directory (so the rename is atomic); created by the writer
    # itself, so the file gets the usual permissions rather than mkstemp's 0600.
    temporary = directory / f".{final.stem}.{secrets.token_hex(6)}.tmp"
    try:
        built = write_report(
            session, options, temporary, generated_by=actor.display_name, progress=progress
        )
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    session.rollback()
    begin_write(session)
    audit.record(
        session,
        actor,
        AuditAction.EXPORT,
        "report",
        options.year * 10 + options.quarter,
        field="file",
        new=final.name,
        context=f"{options.period.label} unit={options.unit.value} lang={options.lang}",
    )
    session.commit()
    if progress is not None:
        progress(1.0, t("report.progress.done", options.lang))
    saved = SavedReport(
        path=final,
        filename=final.name,
        year=options.year,
        quarter=options.quarter,
        created_at=built.generated_at,
        created_by=actor.display_name,
        size_bytes=final.stat().st_size,
    )
    return saved, built


def build_report(
    session: Session,
    actor: Actor,
    options: ReportOptions,
    *,
    progress: ProgressCallback | None = None,
) -> SavedReport:
    """Build the report into the exports directory; what the Reports page calls."""
    return save_report(session, actor, options, progress=progress)[0]


def list_exports(session: Session, *, directory: Path | None = None) -> list[SavedReport]:
    """Saved reports in the exports directory, newest first, each with who built it (from the
    audit trail; None for a file that was put there by hand)."""
    directory = Path(directory or exports_dir())
    if not directory.is_dir():
        return []
    files = [p for p in directory.iterdir() if p.is_file() and EXPORT_NAME.match(p.name)]
    makers: dict[str, tuple[str, datetime | None]] = {}
    if files:
        for name, who, at in session.execute(
            select(AuditEntry.new_value, User.display_name, AuditEntry.at)
            .join(User, col(User.id) == AuditEntry.actor_id)
            .where(
                AuditEntry.action == AuditAction.EXPORT.value,
                AuditEntry.entity == "report",
                col(AuditEntry.new_value).in_([p.name for p in files]),
            )
        ).all():
            makers[name] = (who, as_utc(at))
    out = []
    for path in files:
        match = EXPORT_NAME.match(path.name)
        assert match is not None
        stat = path.stat()
        who, at = makers.get(path.name, (None, None))
        out.append(
            SavedReport(
                path=path,
                filename=path.name,
                year=int(match.group(1)),
                quarter=int(match.group(2)),
                created_at=at or datetime.fromtimestamp(stat.st_mtime, UTC),
                created_by=who,
                size_bytes=stat.st_size,
            )
        )
    return sorted(out, key=lambda r: (r.created_at, r.filename), reverse=True)


def export_path(filename: str, *, directory: Path | None = None) -> Path:
    """The saved report called `filename` (only names the exports list shows; no paths)."""
    path = Path(directory or exports_dir()) / filename
    if not EXPORT_NAME.match(filename) or not path.is_file():
        raise NotFound(entity="report", id=filename)
    return path
