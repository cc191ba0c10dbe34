"""Benchmark: the data-request review queue and a company's portal page at 99 and 10,000
companies, in one run.

    python benchmarks/portal.py [--quick]

For each size it copies the cached demo data set (benchmarks/_common.py), opens a 2022 Q4
request for every company, issues every company's link, and has a share of the companies
submit their figures (a quarter of them; --quick caps that at 200). Then it times, best of a
few runs, what each page asks the services for: the review queue (`review_queue`: the counts per
status and the first page of 50 companies) and one company's portal page (`answers.view`: the
token checked, the answer with its previous figures, evidence and flags). The goal is that 10,000
companies cost at most 2x what 99 cost (`queue_ratio`, `portal_ratio`).
The last line is `result: key=value ...`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select  # noqa: E402

from benchmarks._common import demo_file, result_line  # noqa: E402
from crm.db import make_engine  # noqa: E402
from crm.models import Company, User  # noqa: E402
from crm.portal import answers, reminders, requests  # noqa: E402
from crm.services.actor import actor_from_user  # noqa: E402

# Our own cache of demo files, built with these migrations (the shared one may predate them).
BENCH_CACHE = Path("/tmp/crm-bench-portal")
FIGURES = {
    "employees": 10,
    "new_hires": 2,
    "revenue_krw": 100_000_000,
    "patents_filed": 0,
    "patents_registered": 0,
    "investment_krw": 0,
    "exports_krw": 0,
}


def best_of(runs: int, action: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def measure(companies: int, submit_cap: int | None, runs: int) -> dict[str, float]:
    source, _ = demo_file(companies, directory=BENCH_CACHE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        shutil.copy(source, path)
        engine = make_engine(f"sqlite:///{path}")
        with Session(engine, expire_on_commit=False) as s:
            manager = actor_from_user(s.exec(select(User).where(User.role == "manager")).first())
            ids = [int(i) for i in s.exec(select(Company.id).order_by(Company.id)).all()]
            started = time.perf_counter()
            request_id = requests.open_request(
                s,
                manager,
                requests.NewRequest(
                    year=2022,
                    quarter=4,
                    due_on=date.today() + timedelta(days=14),
                    company_ids=tuple(ids),
                ),
            )
            links = reminders.issue_links(s, manager, request_id)
            setup = time.perf_counter() - started
            tokens = [parse_qs(urlsplit(r.link).query)["t"][0] for r in links]
            share = len(tokens) // 4
            if submit_cap is not None:
                share = min(share, submit_cap)
            for token in tokens[:share]:
                answers.save(
                    s,
                    token,
                    "bench",
                    figures=FIGURES,
                    patents=[],
                    declared_name="대표",
                    declared_on=date(2023, 1, 5),
                    submit=True,
                )
            probe = tokens[len(tokens) // 2]
            queue = best_of(runs, lambda: requests.review_queue(s, manager, request_id))
            portal = best_of(runs, lambda: answers.view(s, probe, "bench"))
        engine.dispose()
    return {"setup_s": setup, "queue_ms": queue, "portal_ms": portal, "submitted": share}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="cap submissions at 200, fewer runs")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    cap = 200 if args.quick else None
    small = measure(99, cap, runs)
    large = measure(10_000, cap, runs)
    print(f"{'companies':>10} {'submitted':>10} {'setup s':>8} {'queue ms':>9} {'portal ms':>10}")
    for n, m in ((99, small), (10_000, large)):
        print(
            f"{n:>10,} {int(m['submitted']):>10,} {m['setup_s']:>8.2f} "
            f"{m['queue_ms']:>9.2f} {m['portal_ms']:>10.2f}"
        )
    queue_ratio = large["queue_ms"] / small["queue_ms"]
    portal_ratio = large["portal_ms"] / small["portal_ms"]
    print("goal: each ratio <= 2 (10,000 vs 99 companies)")
    print(result_line(queue_ratio=queue_ratio, portal_ratio=portal_ratio))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
