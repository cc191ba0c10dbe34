"""How the officers' pages scale: the companies list and a company page (their full script runs
through AppTest) on the 99-company cohort and on 10,000 companies, in one run.

    python benchmarks/pages.py [--quick]

Goal: 10,000 companies cost at most 2x what 99 cost (paging and aggregation in SQL)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks._common import best_of, demo_database, result_line  # noqa: E402
from crm.config import PROJECT_ROOT  # noqa: E402
from crm.db import make_engine  # noqa: E402
from crm.services.actor import actor_by_username  # noqa: E402

HOME = str(PROJECT_ROOT / "Home.py")


def page_runner(url: str, page: str, company_id: int | None = None) -> AppTest:
    os.environ["CRM_DATABASE_URL"] = url
    with Session(make_engine(url)) as s:
        actor = actor_by_username(s, "officer")
    at = AppTest.from_file(HOME, default_timeout=300)
    at.session_state["crm_actor"] = actor
    at.session_state["crm_last_seen"] = datetime.now(UTC)
    at.run()
    at.switch_page(page)
    if company_id is not None:
        at.query_params["company"] = str(company_id)
    at.run()
    assert not at.exception, at.exception
    return at


def measure(url: str, runs: int) -> dict[str, float]:
    out: dict[str, float] = {}
    list_at = page_runner(url, "pages/1_Companies.py")
    out["list"] = best_of(
        runs,
        lambda: (
            list_at.session_state.__setitem__("crm_last_seen", datetime.now(UTC)),
            list_at.run(),
        ),
    )[0]
    company_at = page_runner(url, "pages/1_Companies.py", company_id=42)
    out["company"] = best_of(
        runs,
        lambda: (
            company_at.session_state.__setitem__("crm_last_seen", datetime.now(UTC)),
            company_at.run(),
        ),
    )[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    small = measure(demo_database(99), runs)
    large = measure(demo_database(10_000), runs)
    print(f"{'page':<10} {'99 (ms)':>10} {'10,000 (ms)':>12} {'ratio':>7}")
    for name in ("list", "company"):
        ratio = large[name] / small[name]
        print(f"{name:<10} {small[name]:>10.1f} {large[name]:>12.1f} {ratio:>7.2f}")
    print(
        result_line(
            list_99_ms=small["list"],
            list_10k_ms=large["list"],
            list_ratio=large["list"] / small["list"],
            company_99_ms=small["company"],
            company_10k_ms=large["company"],
            company_ratio=large["company"] / small["company"],
        )
    )


if __name__ == "__main__":
    main()
