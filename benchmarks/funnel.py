"""Benchmark: the stage-funnel analytics at 99, 10,000 and 100,000 demo companies in one run.

    python benchmarks/funnel.py [--quick]

For each size it loads the deterministic demo data set into a SQLite file (cached under /tmp and
reused on later runs, since 100,000 companies take about a minute to load), then times, best of a
few runs: `load_frames` (the page's cached first read), `apply_filters`, and each of the eight
computations the funnel page shows. The goal is that 100,000 companies cost at most 20x what 99
cost for all eight together (`funnel_total`); the table prints every step's ratio, including the
ones that miss it. At 99 companies a step's time is mostly fixed overhead, so each ratio is also
given against 10,000 companies, where the work dominates (linear growth there is 10x).

At the largest size it also compares a page's first load (read + filter + every chart) with a
filter change (filter + every chart on the cached frames): the page stays interactive only if
the second is well under the first. `--quick` runs 99 and 10,000 companies only.
The last line is `result: key=value ...`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks._common import demo_file  # noqa: E402
from crm.analytics import (
    AnalyticsFrames,
    Filters,
    apply_filters,
    companies_behind,
    funnel,
    funnel_by,
    load_frames,
    outcomes_after_support,
    stage_counts_by_month,
    support_before_move,
    time_in_stage,
    transitions,
)
from crm.db import make_engine

CACHE_DIR = Path("/tmp")
AS_OF = date(2022, 12, 31)
YEAR_START = date(2022, 1, 1)
# A filter change as an analyst would make it: two industries, mentored companies, Feb-Nov.
CHANGED = Filters(
    industries=("healthcare", "energy"),
    kinds_received=("mentoring",),
    date_from=date(2022, 2, 1),
    date_to=date(2022, 11, 30),
)
CHART_STEPS = (
    "funnel",
    "funnel_by_industry",
    "companies_behind",
    "time_in_stage",
    "stage_counts",
    "transitions",
    "support_before_move",
    "outcomes_after_support",
)


def best_of(runs: int, action: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of `runs` timings in seconds (the machine is shared: the minimum is the
    least disturbed run), and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def charts(view: AnalyticsFrames) -> dict[str, Callable[[], Any]]:
    """Every computation the funnel page shows, on already filtered frames."""
    return {
        "funnel": lambda: funnel(view, entry_year=2022, as_of=AS_OF),
        "funnel_by_industry": lambda: funnel_by(view, "industry", entry_year=2022, as_of=AS_OF),
        "companies_behind": lambda: companies_behind(view, "startup", entry_year=2022, as_of=AS_OF),
        "time_in_stage": lambda: time_in_stage(view, as_of=AS_OF),
        "stage_counts": lambda: stage_counts_by_month(view, start=YEAR_START, end=AS_OF),
        "transitions": lambda: transitions(view, period="quarter"),
        "support_before_move": lambda: support_before_move(view, as_of=AS_OF),
        "outcomes_after_support": lambda: outcomes_after_support(view),
    }


def recompute(frames: AnalyticsFrames, filters: Filters) -> None:
    """What one filter change costs the page: filter the cached frames, redo every chart."""
    view = apply_filters(frames, filters)
    for action in charts(view).values():
        action()


def measure(companies: int, runs: int, load_runs: int) -> dict[str, float]:
    path, reused = demo_file(companies)
    how = "reused cached file" if reused else "built now"
    print(f"# {companies:,} companies: {path} ({how}; delete it to rebuild)")
    engine = make_engine(f"sqlite:///{path}")
    times: dict[str, float] = {}
    times["load_frames"], frames = best_of(load_runs, lambda: load_frames(engine))
    engine.dispose()
    times["rows_activities"] = len(frames.activities)
    times["filter_change"], _ = best_of(runs, lambda: apply_filters(frames, CHANGED))
    view = apply_filters(frames, Filters())
    actions = charts(view)
    assert tuple(actions) == CHART_STEPS
    for name, action in actions.items():
        times[name], _ = best_of(runs, action)
    times["funnel_total"] = sum(times[s] for s in CHART_STEPS)  # every computation the page shows
    times["recompute_all"], _ = best_of(runs, lambda: recompute(frames, CHANGED))
    times["first_load"] = times["load_frames"] + times["recompute_all"]
    return times


def ratio(results: dict[int, dict[str, float]], step: str, size: int, base: int) -> float:
    return results[size][step] / results[base][step]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="99 and 10,000 companies only")
    args = parser.parse_args(argv)
    sizes = [99, 10_000] if args.quick else [99, 10_000, 100_000]
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        big = size >= 100_000
        results[size] = measure(size, runs=3 if big else 7, load_runs=2 if big else 5)

    largest = sizes[-1]
    # Ratios against 99 (the goal's baseline, mostly fixed overhead there) and, where the run
    # went beyond it, against 10,000 (where the work already dominates: linear is 10x).
    bases = [(99, s) for s in sizes[1:]] + [(10_000, s) for s in sizes if s > 10_000]
    steps = ["load_frames", "filter_change", *CHART_STEPS, "funnel_total", "recompute_all"]
    print()
    rows = "".join(f"{int(results[s]['rows_activities']):>12,}" for s in sizes)
    print(f"{'live activities':<24}{rows}")
    header = f"{'step (best, ms)':<24}" + "".join(f"{s:>12,}" for s in sizes)
    header += "".join(f"{format(s, ',') + '/' + format(b, ','):>16}" for b, s in bases)
    print(header)
    for step in steps:
        line = f"{step:<24}" + "".join(f"{results[s][step] * 1000:>12.1f}" for s in sizes)
        line += "".join(f"{ratio(results, step, s, b):>15.1f}x" for b, s in bases)
        print(line)
    print(f"(funnel_total: the sum of all {len(CHART_STEPS)} computations above it)")

    top = results[largest]
    print()
    print(
        f"at {largest:,} companies: first load (read + filter + all charts) "
        f"{top['first_load']:.2f} s; filter change (filter + all charts, cached frames) "
        f"{top['recompute_all']:.3f} s = {top['recompute_all'] / top['first_load']:.1%}"
        " of the first load"
    )
    funnel_ratio = ratio(results, "funnel_total", largest, 99)
    worst = max(CHART_STEPS, key=lambda step: ratio(results, step, largest, 99))
    verdict = "met" if funnel_ratio <= 20 else "missed"
    print(
        f"goal (all {len(CHART_STEPS)} computations at {largest:,} <= 20x at 99): {verdict} "
        f"({funnel_ratio:.1f}x; steepest step {worst} "
        f"{ratio(results, worst, largest, 99):.1f}x)"
    )
    values = {
        "companies": largest,
        "funnel_ms": f"{top['funnel_total'] * 1000:.1f}",
        "funnel_ratio_vs_99": f"{funnel_ratio:.1f}",
    }
    if largest > 10_000:
        values["funnel_ratio_vs_10000"] = f"{ratio(results, 'funnel_total', largest, 10_000):.1f}"
    values |= {
        "recompute_ms": f"{top['recompute_all'] * 1000:.0f}",
        "recompute_ratio_vs_99": f"{ratio(results, 'recompute_all', largest, 99):.1f}",
    }
    if largest > 10_000:
        values["recompute_ratio_vs_10000"] = (
            f"{ratio(results, 'recompute_all', largest, 10_000):.1f}"
        )
    values |= {
        "load_s": f"{top['load_frames']:.2f}",
        "first_load_s": f"{top['first_load']:.2f}",
        "filter_change_s": f"{top['recompute_all']:.3f}",
        "goal_20x": verdict,
    }
    print("result: " + " ".join(f"{k}={v}" for k, v in values.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
