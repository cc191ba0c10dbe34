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
from dataclasses import dataclass
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


@dataclass
class Prepared:
    """One data set with an open request, its links issued and a share submitted."""

    companies: int
    submitted: int
    setup_s: float
    session: Session
    queue: Callable[[], Any]
    portal: Callable[[], Any]


def prepare(nominal: int, submit_cap: int | None, directory: Path) -> Prepared:
    source, _ = demo_file(nominal, directory=BENCH_CACHE)
    path = directory / f"bench_{nominal}.sqlite3"
    shutil.copy(source, path)
    engine = make_engine(f"sqlite:///{path}")
    s = Session(engine, expire_on_commit=False)
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
    share = len(tokens) // 4 if submit_cap is None else min(len(tokens) // 4, submit_cap)
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
    return Prepared(
        companies=len(ids),
        submitted=share,
        setup_s=setup,
        session=s,
        queue=lambda: requests.review_queue(s, manager, request_id),
        portal=lambda: answers.view(s, probe, "bench"),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="cap submissions at 200, fewer runs")
    args = parser.parse_args()
    rounds, runs = (5, 5) if args.quick else (10, 10)
    cap = 200 if args.quick else None
    with tempfile.TemporaryDirectory() as tmp:
        sets = [prepare(n, cap, Path(tmp)) for n in (99, 10_000)]
        # Alternate the two sizes round by round, so a busy moment of this shared machine
        # does not land on one size only; keep each one's best.
        best = {(i, k): float("inf") for i in range(2) for k in ("queue", "portal")}
        for _ in range(rounds):
            for i, prepared in enumerate(sets):
                best[i, "queue"] = min(best[i, "queue"], best_of(runs, prepared.queue))
                best[i, "portal"] = min(best[i, "portal"], best_of(runs, prepared.portal))
        for prepared in sets:
            prepared.session.close()
    print(f"{'companies':>10} {'submitted':>10} {'setup s':>8} {'queue ms':>9} {'portal ms':>10}")
    for i, m in enumerate(sets):
        print(
            f"{m.companies:>10,} {m.submitted:>10,} {m.setup_s:>8.2f} "
            f"{best[i, 'queue']:>9.2f} {best[i, 'portal']:>10.2f}"
        )
    queue_ratio = best[1, "queue"] / best[0, "queue"]
    portal_ratio = best[1, "portal"] / best[0, "portal"]
    print("goal: each ratio <= 2 (the 10,000 data set vs the 99 one)")
    print(result_line(queue_ratio=queue_ratio, portal_ratio=portal_ratio))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
