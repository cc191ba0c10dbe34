"""Settings: CRM_* variables read once into typed values, defaults, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm.config import DEFAULT_SQLITE_PATH, PROJECT_ROOT, SettingsError, get_settings
from crm.importer.limits import ImportLimits, import_limits

INTEGER_SETTINGS = [
    "CRM_SESSION_IDLE_MINUTES",
    "CRM_LOGIN_MAX_FAILURES",
    "CRM_LOGIN_LOCK_MINUTES",
    "CRM_IMPORT_MAX_MB",
    "CRM_IMPORT_MAX_ROWS",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*INTEGER_SETTINGS, "CRM_DATABASE_URL", "CRM_EXPORTS_DIR", "CRM_OFFICE_TIMEZONE"]:
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = get_settings()
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert settings.exports_dir == PROJECT_ROOT / "exports"
    assert (settings.session_idle_minutes, settings.login_max_failures) == (30, 5)
    assert (settings.login_lock_minutes, settings.office_timezone) == (15, "Asia/Seoul")
    assert (settings.import_max_mb, settings.import_max_rows) == (20, 100_000)


def test_values_from_the_environment_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("CRM_EXPORTS_DIR", "/srv/exports")
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", " 45 ")
    monkeypatch.setenv("CRM_OFFICE_TIMEZONE", " Europe/Berlin ")
    monkeypatch.setenv("CRM_IMPORT_MAX_MB", "3")
    monkeypatch.setenv("CRM_LOGIN_MAX_FAILURES", "")  # empty: the default
    settings = get_settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.exports_dir == Path("/srv/exports")
    assert settings.session_idle_minutes == 45
    assert settings.office_timezone == "Europe/Berlin"
    assert settings.login_max_failures == 5
    # The importer's limits come from the same settings, not a parser of their own.
    assert import_limits() == ImportLimits(3 * 2**20, 100_000)


@pytest.mark.parametrize("name", INTEGER_SETTINGS)
@pytest.mark.parametrize("raw", ["many", "2.5", "0", "-3"])
def test_bad_integer_settings_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, raw: str
) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert str(caught.value) == f"{name} must be a whole number greater than 0, got {raw!r}"
    with pytest.raises(SettingsError, match=name):
        import_limits()


def test_settings_are_built_once_per_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page asks for the settings many times a run: the same environment gives the same object,
    and a changed CRM_* variable is seen at once."""
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "31")
    first = get_settings()
    assert get_settings() is first
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "32")
    assert get_settings().session_idle_minutes == 32
