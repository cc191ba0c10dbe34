"""Settings read from the environment (12-factor); every knob has a safe default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "crm.sqlite3"


@dataclass(frozen=True)
class Settings:
    database_url: str
    exports_dir: Path
    session_idle_minutes: int
    login_max_failures: int
    login_lock_minutes: int
    office_timezone: str = "Asia/Seoul"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def get_settings() -> Settings:
    """Read settings now (not at import), so tests and the CLI can change the environment."""
    url = os.environ.get("CRM_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    exports = Path(os.environ.get("CRM_EXPORTS_DIR") or PROJECT_ROOT / "exports")
    return Settings(
        database_url=url,
        exports_dir=exports,
        session_idle_minutes=_int_env("CRM_SESSION_IDLE_MINUTES", 30),
        login_max_failures=_int_env("CRM_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_int_env("CRM_LOGIN_LOCK_MINUTES", 15),
        office_timezone=(os.environ.get("CRM_OFFICE_TIMEZONE") or "Asia/Seoul").strip(),
    )
