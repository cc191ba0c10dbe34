"""Benchmark: the quarterly report at 10,000 companies (~100,000 activities) and 100,000 companies
(~1,000,000 activities), against a baseline measured in the same run: the same activity rows (the
report's kind sheets, same SQL) dumped unstyled by XlsxWriter in constant-memory mode. Goal: the
whole styled report (which writes ~2.5× the baseline's cells) in at most 2.5× the baseline's time.

    python benchmarks/report.py [--quick] [--quarter 3]

Each build runs in a fresh subprocess, which reports its time and its peak RSS (VmHWM, else
getrusage), so the two measurements do not share memory. It also reports each build's CPU time
(process_time): on a busy machine wall time swings with other work, CPU time much less, so the
CPU ratio shows whether a wall-time ratio is real. --quick runs 10,000 companies only.
The 10,000-company database is built in a temporary directory; the 100,000 one is cached in /tmp."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import demo_file  # noqa: E402

CACHE_DIR = Path("/tmp")
SEED = 2022
GOAL_RATIO = 2.5  # the report's time at most this many times the raw dump's


def _status_mb(field: str) -> float | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def peak_mb() -> float:
    """This process's peak RSS. VmHWM belongs to the process image and starts afresh at exec;
    getrusage's ru_maxrss keeps the parent's high-water mark across fork+exec on Linux."""
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _baseline(session: Any, quarter: int, out: Path) -> int:
    """The report's activity rows, same query, written with typed calls and no formats at all."""
    from datetime import date

    from xlsxwriter.workbook import Workbook

    from crm.reports.details import report_kinds
    from crm.reports.options import Period
    from crm.reports.rows import kind_activity_rows

    period = Period(2022, quarter)
    workbook = Workbook(
        str(out),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    written = 0
    for kind in report_kinds(session, "ko"):
        sheet = workbook.add_worksheet(kind.code)
        names = [f["name"] for f in kind.fields]
        for r, row in enumerate(kind_activity_rows(session, period, kind.code, "ko")):
            details = row[10] or {}
            for c, value in enumerate([*row[:10], *(details.get(n) for n in names)]):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value)
                else:
                    sheet.write_number(r, c, value)
            written += 1
    workbook.close()
    return written


def _report(session: Any, quarter: int, out: Path) -> int:
    """The whole report; returns its activity rows (the kind sheets), as the baseline does."""
    from crm.reports.details import report_kinds
    from crm.reports.options import ReportOptions, Unit
    from crm.reports.workbook import write_report

    built = write_report(
        session, ReportOptions(2022, quarter, Unit.THOUSAND, "ko"), out, generated_by="bench"
    )
    return sum(built.rows[k.name] for k in report_kinds(session, "ko"))


def child(mode: str, db: Path, out: Path, quarter: int) -> None:
    """Runs in its own process: one build, then a JSON line with time and memory."""
    from sqlmodel import Session

    from crm.db import make_engine
    from crm.reports import details, workbook  # noqa: F401  (imports are not the build)

    engine = make_engine(f"sqlite:///{db}")
    start_rss = _status_mb("VmRSS") or 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        rows = (_baseline if mode == "baseline" else _report)(session, quarter, out)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = peak_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": peak,
                "start_mb": start_rss,
                "rows": rows,
                "bytes": out.stat().st_size,
            }
        )
    )


def measure(mode: str, db: Path, quarter: int, workdir: Path) -> dict[str, Any]:
    out = workdir / f"{mode}.xlsx"
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", str(db), "--out", str(out),
         "--quarter", str(quarter)],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    out.unlink(missing_ok=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 companies only")
    parser.add_argument("--quarter", type=int, default=3)
    parser.add_argument("--child", choices=["baseline", "report"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.out, args.quarter)
        return 0
    sizes = [10_000] if args.quick else [10_000, 100_000]
    results: dict[int, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="crm-bench-report-") as tmp:
        workdir = Path(tmp)
        for companies in sizes:
            started = time.perf_counter()
            db = demo_file(companies, SEED, workdir if companies < 100_000 else CACHE_DIR)[0]
            print(
                f"{companies:,} companies: database ready in {time.perf_counter() - started:.1f} s"
            )
            results[companies] = {
                mode: measure(mode, db, args.quarter, workdir) for mode in ("baseline", "report")
            }
    print()
    print(f"2022 Q{args.quarter}  (each build in a fresh process; peak = max RSS of that process)")
    print(f"{'companies':>10} {'build':<9} {'rows':>10} {'seconds':>8} {'peak MB':>8} "
          f"{'+MB':>6} {'file MB':>8} {'time ×':>7} {'cpu s':>7} {'cpu ×':>6}")  # fmt: skip
    fields: list[str] = []
    for companies, pair in results.items():
        base = pair["baseline"]
        for mode in ("baseline", "report"):
            r = pair[mode]
            print(
                f"{companies:>10,} {mode:<9} {r['rows']:>10,} {r['seconds']:>8.2f} "
                f"{r['peak_mb']:>8.0f} {r['peak_mb'] - r['start_mb']:>6.0f} "
                f"{r['bytes'] / 1e6:>8.1f} {r['seconds'] / base['seconds']:>7.2f} "
                f"{r['cpu_seconds']:>7.2f} {r['cpu_seconds'] / base['cpu_seconds']:>6.2f}"
            )
        k = f"{companies // 1000}k"
        report = pair["report"]
        fields += [
            f"report_{k}_s={report['seconds']:.2f}",
            f"baseline_{k}_s={base['seconds']:.2f}",
            f"time_ratio_{k}={report['seconds'] / base['seconds']:.2f}",
            f"cpu_ratio_{k}={report['cpu_seconds'] / base['cpu_seconds']:.2f}",
            f"report_peak_{k}_mb={report['peak_mb']:.0f}",
            f"baseline_peak_{k}_mb={base['peak_mb']:.0f}",
        ]
    ratios = [pair["report"]["seconds"] / pair["baseline"]["seconds"] for pair in results.values()]
    met = all(ratio <= GOAL_RATIO for ratio in ratios)
    print(f"goal: report ≤ {GOAL_RATIO}× baseline: {'met' if met else 'NOT met'}")
    fields.append(f"goal_ratio={GOAL_RATIO} goal_met={str(met).lower()}")
    if len(results) == 2:
        small, large = (results[n]["report"]["peak_mb"] for n in sizes)
        fields.append(f"report_peak_growth_10x_rows={large / small:.2f}")
    print("result: " + " ".join(fields))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
