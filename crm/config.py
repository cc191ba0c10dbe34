"""Settings from CRM_* environment variables (12-factor), typed and checked once by
pydantic-settings; every knob has a safe default and a bad value stops with a clear message."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "crm.sqlite3"
ENV_PREFIX = "CRM_"

PositiveWhole = Annotated[int, Field(gt=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class SettingsError(ValueError):
    """A CRM_* variable holds a value the app cannot use (names the variable and the value)."""


class Settings(BaseSettings):
    """One typed place for every setting; `get_settings()` gives the one for the current env."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,  # CRM_X="" means "use the default", as before
        str_strip_whitespace=True,
        extra="ignore",
        frozen=True,
    )

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    exports_dir: Path = PROJECT_ROOT / "exports"
    session_idle_minutes: PositiveWhole = 30
    login_max_failures: PositiveWhole = 5
    login_lock_minutes: PositiveWhole = 15
    import_max_mb: PositiveWhole = 20
    import_max_rows: PositiveWhole = 100_000
    office_timezone: str = "Asia/Seoul"
    # Data requests (crm/portal): reminders by e-mail when an SMTP URL is set
    # (smtp://user:password@host:587 with STARTTLS, smtps://… for TLS), links to this address.
    smtp_url: str | None = None
    smtp_from: str = "crm@localhost"
    portal_base_url: str = "http://localhost:8501"
    portal_grace_days: PositiveWhole = 14
    portal_max_failures: PositiveWhole = 10
    portal_lock_minutes: PositiveWhole = 15
    evidence_max_mb: PositiveWhole = 10
    evidence_max_files: PositiveWhole = 20
    # HPC allocations used less than this share of their GPU-hours near their end are flagged.
    hpc_idle_threshold: Share = 0.5


def _explain(error: ValidationError) -> str:
    """'CRM_LOGIN_MAX_FAILURES must be a whole number greater than 0, got 'many'' per bad value."""
    lines = []
    for problem in error.errors():
        name = ENV_PREFIX + str(problem["loc"][0]).upper() if problem["loc"] else ENV_PREFIX
        field = Settings.model_fields.get(str(problem["loc"][0])) if problem["loc"] else None
        wanted = (
            "a whole number greater than 0"
            if field is not None and field.annotation is int
            else "a valid value"
        )
        lines.append(f"{name} must be {wanted}, got {problem.get('input')!r}")
    return "; ".join(lines)


def get_settings() -> Settings:
    """The settings for the environment as it is now (tests and the CLI may change it); built once
    per distinct set of CRM_* values, not on every call (a page asks a dozen times per run).
    Raises SettingsError naming each variable whose value is unusable."""
    crm_env = tuple(
        sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX))
    )
    return _settings_for(crm_env)


@lru_cache(maxsize=16)
def _settings_for(crm_env: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(_explain(error)) from None
