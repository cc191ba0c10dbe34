"""Benchmark: filling a funder's form with a 10,000-company table, against a baseline measured in
the same run: openpyxl loading the same form, writing the same rows plainly into the same
columns below the form (no styles, merges, moves or cached totals) and saving it. Goal:
fill_ratio (best wall time of each, interleaved runs) at most 2; cpu_ratio is printed too.

    python benchmarks/template.py [--quick] [--rows 10000]

The fill is crm.funder.engine.fill_workbook: the table grows from the form's 3 rows to 10,000,
each new row takes the template row's look, merge and height, the totals and signature block
move down, validations/print area/names follow, and the totals' cached values are written. The
rows are made up (the engine's cost, not the database's). --quick runs 2 rounds instead of 5.
The last line is `result: fill_ratio=... cpu_ratio=... fill_ms=... baseline_ms=... rows=...`."""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook  # noqa: E402

from benchmarks._common import result_line  # noqa: E402
from crm.funder.engine import TableFill, fill_workbook  # noqa: E402
from tests.funder_forms import FIRST_ROW, FORM_ROWS, MAIN, TABLE_COLUMNS, form_bytes  # noqa: E402

GOAL_RATIO = 2.0


def made_up_rows(n: int) -> list[list[Any]]:
    kinds = ("멘토링", "시제품 제작", "투자펀드", "해외진출")
    return [
        [i + 1, f"가상기업 {i + 1:05d}", f"{100 + i % 900}-{10 + i % 90}-{10000 + i:05d}",
         f"대표{i % 97}", kinds[i % 4], 1_000_000 + 37_000 * (i % 500), i % 7]
        for i in range(n)
    ]  # fmt: skip


def fill(template: bytes, rows: list[list[Any]]) -> bytes:
    table = TableFill(MAIN, FIRST_ROW, TABLE_COLUMNS, rows, FORM_ROWS)
    return fill_workbook(template, {(MAIN, "B3"): "가상 창업지원센터"}, [table]).content


def baseline(template: bytes, rows: list[list[Any]]) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb[MAIN]
    ws["B3"] = "가상 창업지원센터"
    columns = [ord(c) - ord("A") + 1 for c in TABLE_COLUMNS]
    start = ws.max_row + 1  # below the form (its merged total row cannot take plain values)
    for i, row in enumerate(rows):
        for c, value in zip(columns, row, strict=True):
            ws.cell(start + i, c).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def timed(rounds: int, func: Callable[[], bytes]) -> tuple[float, float, float, int]:
    """Best and median wall milliseconds, best CPU milliseconds, and the output's size. This
    machine is shared: wall times swing with other work, CPU time and best-of much less."""
    walls, cpus, size = [], [], 0
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        size = len(func())
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return min(walls), statistics.median(walls), min(cpus), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds instead of 5")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    rounds = 2 if args.quick else 5
    template = form_bytes()
    rows = made_up_rows(args.rows)
    fill(template, rows[:10])  # warm imports and caches once
    # Interleaved (baseline, fill, baseline), so both see the same machine load.
    first = timed(rounds, lambda: baseline(template, rows))
    fill_best, fill_median, fill_cpu, fill_size = timed(rounds, lambda: fill(template, rows))
    second = timed(rounds, lambda: baseline(template, rows))
    base_best, base_cpu = min(first[0], second[0]), min(first[2], second[2])
    base_median, base_size = (first[1] + second[1]) / 2, first[3]
    ratio = fill_best / base_best
    cpu_ratio = fill_cpu / base_cpu
    print(f"{'':<34} {'best ms':>9} {'median ms':>10} {'CPU ms':>8} {'size KB':>8}")
    print(f"{'baseline: load, write, save':<34} {base_best:>9,.0f} {base_median:>10,.0f} "
          f"{base_cpu:>8,.0f} {base_size / 1024:>8,.0f}")  # fmt: skip
    print(f"{'fill (grow, styles, move, totals)':<34} {fill_best:>9,.0f} {fill_median:>10,.0f} "
          f"{fill_cpu:>8,.0f} {fill_size / 1024:>8,.0f}")  # fmt: skip
    verdict = "within" if ratio <= GOAL_RATIO else "OVER"
    print(
        f"{args.rows:,} rows: fill/baseline {ratio:.2f}x (best wall), {cpu_ratio:.2f}x (CPU), "
        f"{verdict} the {GOAL_RATIO}x goal"
    )
    print(
        result_line(
            fill_ratio=ratio,
            cpu_ratio=cpu_ratio,
            fill_ms=fill_best,
            baseline_ms=base_best,
            rows=args.rows,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
