"""The office's clock: timestamps are stored in UTC and read in the office's time zone
(CRM_OFFICE_TIMEZONE, Asia/Seoul by default). Pure; no Streamlit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm.config import get_settings

DEFAULT_ZONE = "Asia/Seoul"
# Korea has kept UTC+9 without daylight saving since 1988: a safe stand-in without zone data.
KST = timezone(timedelta(hours=9), "KST")


@lru_cache(maxsize=16)
def zone(name: str) -> tzinfo:
    """The named IANA zone; Asia/Seoul works even where the system has no zone data."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        if name == DEFAULT_ZONE:
            return KST
        raise ValueError(
            f"CRM_OFFICE_TIMEZONE: unknown time zone {name!r} "
            "(use an IANA name such as Asia/Seoul; install the tzdata package if the system "
            "has no zone data)"
        ) from exc


def office_zone_name() -> str:
    return get_settings().office_timezone or DEFAULT_ZONE


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as aware UTC: naive values (SQLite returns them so) are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_office(value: datetime, zone_name: str | None = None) -> datetime:
    """A stored (UTC) timestamp as the office's local time, aware."""
    return as_utc(value).astimezone(zone(zone_name or office_zone_name()))


def office_wall_time(value: datetime, zone_name: str | None = None) -> datetime:
    """The office's local time without tzinfo (what a spreadsheet cell holds)."""
    return to_office(value, zone_name).replace(tzinfo=None)


def utc_offset(local: datetime) -> str:
    """UTC+9, UTC+1, UTC+5:30, UTC-3 (the offset in force at that moment)."""
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(moment: datetime | None = None, zone_name: str | None = None) -> str:
    """'Asia/Seoul, UTC+9': the zone's name and its offset at `moment` (default now)."""
    name = zone_name or office_zone_name()
    local = to_office(moment or datetime.now(UTC), name)
    return f"{name}, {utc_offset(local)}"
