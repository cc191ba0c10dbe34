"""Shared benchmark helpers: cached demo databases of a given size, timing, result lines."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from crm import demo
from crm.db import make_engine
from crm.migrate import upgrade
from crm.services.actor import system_actor

CACHE = Path("/tmp/crm-bench")


def demo_file(
    companies: int, seed: int = demo.DEFAULT_SEED, directory: Path = CACHE
) -> tuple[Path, bool]:
    """A migrated SQLite file holding the demo data set of this size, and whether it was reused.

    Built under a temporary name and renamed only once loaded, so an interrupted load is never
    mistaken for a complete one; shared by every benchmark (the 100,000 set takes a minute)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"crm_bench_demo_{companies}_seed{seed}.sqlite3"
    if path.exists():
        return path, True
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    upgrade(engine)
    with Session(engine) as session:
        demo.load(session, system_actor(session), companies=companies, seed=seed)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    partial.rename(path)
    return path, False


def demo_database(companies: int, seed: int = demo.DEFAULT_SEED) -> str:
    """The demo data set of this size as a database URL."""
    return f"sqlite:///{demo_file(companies, seed)[0]}"


def best_of(runs: int, func: Callable[[], object]) -> tuple[float, float]:
    """(best, median) wall time in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def result_line(**values: float | int | str) -> str:
    parts = " ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()
    )
    return f"result: {parts}"
