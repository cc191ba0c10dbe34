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
from crm.services import users
from crm.services.actor import system_actor

CACHE = Path("/tmp/crm-bench")


def demo_database(companies: int, seed: int = demo.DEFAULT_SEED) -> str:
    """A SQLite URL with the demo data set of this size (built once, reused between runs)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{companies}-{seed}.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{tmp}")
        upgrade(engine)
        with Session(engine) as s:
            actor = system_actor(s)
            demo.load(s, actor, companies=companies, seed=seed)
            users.set_password(s, actor, "officer", "benchmark-password")
        engine.dispose()
        tmp.rename(path)
    return url


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
