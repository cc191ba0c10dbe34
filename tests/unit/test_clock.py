"""Stored UTC timestamps shown in the office's zone: naive means UTC, Seoul has no DST, another
zone can be configured, and the zone is named where it matters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pandas as pd
import pytest

from crm import clock
from crm.ui import format as fmt


@pytest.fixture(autouse=True)
def _fresh_zones() -> Iterator[None]:
    clock.zone.cache_clear()
    yield
    clock.zone.cache_clear()


def test_naive_is_utc_and_shown_in_seoul(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_OFFICE_TIMEZONE", raising=False)
    naive = datetime(2022, 11, 1, 1, 39)
    assert fmt.moment(naive, "ko") == "2022.11.01 10:39"
    assert fmt.moment(naive, "en") == "2022-11-01 10:39"
    assert fmt.moment(datetime(2022, 11, 1, 1, 39, tzinfo=UTC), "ko") == "2022.11.01 10:39"
    # An aware value in another zone is the same instant.
    plus_two = timezone(timedelta(hours=2))
    assert fmt.moment(datetime(2022, 11, 1, 3, 39, tzinfo=plus_two), "en") == "2022-11-01 10:39"
    # pandas hands SQLite timestamps over as naive Timestamps.
    assert fmt.moment(pd.Timestamp("2022-11-01 01:39:00"), "ko") == "2022.11.01 10:39"


def test_day_boundary_moves_with_the_zone() -> None:
    assert fmt.moment(datetime(2022, 12, 31, 16, 30), "en") == "2023-01-01 01:30"


def test_seoul_has_no_daylight_saving() -> None:
    winter = clock.to_office(datetime(2022, 1, 15, 3, 0))
    summer = clock.to_office(datetime(2022, 7, 15, 3, 0))
    assert (winter.hour, summer.hour) == (12, 12)
    assert clock.zone_label(datetime(2022, 7, 15)) == "Asia/Seoul, UTC+9"
    assert fmt.moment(datetime(2022, 7, 15, 3, 0), "ko", label=True) == "2022.07.15 12:00 KST"


def test_configured_zone_with_daylight_saving(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_OFFICE_TIMEZONE", "Europe/Berlin")
    assert fmt.moment(datetime(2022, 11, 1, 1, 39), "en", label=True) == "2022-11-01 02:39 CET"
    assert fmt.moment(datetime(2022, 7, 1, 1, 39), "en", label=True) == "2022-07-01 03:39 CEST"
    assert clock.zone_label(datetime(2022, 1, 10)) == "Europe/Berlin, UTC+1"
    assert clock.zone_label(datetime(2022, 7, 10)) == "Europe/Berlin, UTC+2"
    assert clock.office_wall_time(datetime(2022, 7, 1, 1, 39, tzinfo=UTC)) == datetime(
        2022, 7, 1, 3, 39
    )


def test_explicit_zone_and_fractional_offset() -> None:
    local = clock.to_office(datetime(2022, 11, 1, 1, 39), "Asia/Kolkata")
    assert clock.utc_offset(local) == "UTC+5:30"
    assert fmt.moment(datetime(2022, 11, 1, 1, 39), "en", zone="Asia/Kolkata") == (
        "2022-11-01 07:09"
    )


def test_unknown_zone_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_OFFICE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="CRM_OFFICE_TIMEZONE"):
        fmt.moment(datetime(2022, 11, 1, 1, 39))


def test_seoul_works_without_zone_data(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise ZoneInfoNotFoundError(name)

    monkeypatch.setattr(clock, "ZoneInfo", missing)
    monkeypatch.delenv("CRM_OFFICE_TIMEZONE", raising=False)
    assert fmt.moment(datetime(2022, 11, 1, 1, 39), "ko", label=True) == "2022.11.01 10:39 KST"


def test_empty_values_and_dates() -> None:
    assert fmt.moment(None) == "-"
    assert fmt.moment(pd.NaT) == "-"
    # A date is a day, not an instant: it is never shifted.
    assert fmt.day(date(2022, 11, 1), "ko") == "2022.11.01"
    # day() given a timestamp reads it as moment() does.
    assert fmt.day(datetime(2022, 11, 1, 1, 39), "ko") == "2022.11.01 10:39"
