"""Times in workbooks: stored as UTC, written in the office's zone with the zone named."""

from __future__ import annotations

from datetime import datetime

from crm.clock import office_wall_time, zone_label
from crm.i18n import t


def office_stamp(moment: datetime, lang: str) -> str:
    """A time as the office reads it, with its zone: 2022-10-05 17:00 (Asia/Seoul, UTC+9)."""
    at = f"{office_wall_time(moment):%Y-%m-%d %H:%M}"
    return t("report.about.closed_at", lang, at=at, zone=zone_label(moment))


def office_time(moment: datetime | None) -> datetime | None:
    """A stored timestamp as the office's wall time for a date-time cell (None stays None)."""
    return office_wall_time(moment) if moment is not None else None
