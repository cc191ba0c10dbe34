"""Benchmark: importing 10,000 and 50,000 generated company rows, against a baseline measured in
the same run: a plain bulk insert of the same number of rows (SQLAlchemy insert, executemany)
into the same kind of database. The goal is an import at most 5x the baseline.

    python benchmarks/import_rows.py [--quick] [--runs 3]

The import is what `crm import` does: read the file (UTF-8 CSV, and .xlsx), find the header,
check every row with the services' rules (crm/services/bulk.py: the preview's checks, then the
bulk writes' own), match against the database, and write through the services' bulk forms:
the companies, their stage entries, their audit entries and the ImportBatch, in one
transaction. Two databases: an empty one (every row new), and one already holding 10,000
companies, with a file whose first half (at most those 10,000) updates stored companies (a new
e-mail address, location and notes) and whose rest are new companies: the import a user makes
most. Each measurement runs in a fresh subprocess on a fresh migrated SQLite file, which
reports its time and peak RSS; the import's time is split into reading the file, checking its
rows (up to the "writing" progress report) and writing them. A reference line bulk-inserts the
same three rows per company the import writes (company, stage entry, one audit entry) without
reading or checking anything. Every measurement is the best of --runs runs (default 3; the
baselines' too). --quick runs 10,000 rows only."""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = [
    "회사명", "영문 회사명", "사업자등록번호", "대표자", "설립일", "업종", "소재지", "이메일",
    "전화번호", "선정연도", "단계", "단계 시작일", "비고",
]  # fmt: skip
INDUSTRIES = ("automotive", "healthcare", "energy", "other")
LABELS = {"automotive": "자동차", "healthcare": "헬스케어", "energy": "에너지", "other": "기타"}


def generate(n: int, seed: int = 7, start: int = 0) -> list[dict[str, Any]]:
    """n distinct companies with valid registration numbers, as plain typed values (numbered
    from `start`: company i is the same company whatever n is)."""
    from crm.validation import brn_check_digit

    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        head = f"{101 + i // 10_000:03d}{rng.choice(['81', '86', '88'])}{i % 10_000:04d}"
        digits = head + str(brn_check_digit(head))
        founded = date(2015, 1, 1) + timedelta(days=rng.randint(0, 2500))
        rows.append(
            {
                "name_ko": f"벤치기업{i:06d}",
                "name_en": f"Bench Company {i}",
                "brn": f"{digits[:3]}-{digits[3:5]}-{digits[5:]}",
                "representative": "홍길동",
                "founded_on": founded,
                "industry": rng.choice(INDUSTRIES),
                "location": rng.choice(["동구", "서구", "남구", "북구", "광산구"]),
                "email": f"ceo{i}@bench.example",
                "phone": f"010-{2000 + i % 3900:04d}-{i % 10_000:04d}",  # not 010-597x..9x
                "cohort_year": 2022,
                "stage": "startup",
                "stage_since": date(2022, 1, 3) + timedelta(days=rng.randint(0, 80)),
                "notes": "benchmark",
            }
        )
    return rows


def as_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["name_ko"], row["name_en"], row["brn"], row["representative"], row["founded_on"],
        LABELS[row["industry"]], row["location"], row["email"], row["phone"], row["cohort_year"],
        "창업/초기", row["stage_since"], row["notes"],
    ]  # fmt: skip


def csv_file(rows: list[dict[str, Any]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(as_cells(row))
    return out.getvalue().encode("utf-8")


def xlsx_file(rows: list[dict[str, Any]]) -> bytes:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(as_cells(row)):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def peak_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def same_writes(session: Any, rows: list[dict[str, Any]], actor_id: int) -> float:
    """The rows an import writes per company (company, stage entry, one audit entry), bulk
    inserted with explicit ids: what the import costs without reading and checking."""
    import json

    import sqlalchemy as sa

    from crm.models import AuditEntry, Company, StageEntry

    now = datetime.now(UTC)
    start = time.perf_counter()
    companies, stages, audits = [], [], []
    for i, r in enumerate(rows, start=1):
        profile = {k: v for k, v in r.items() if k not in ("stage", "stage_since")}
        companies.append(
            {
                "id": i,
                **profile,
                "archived": False,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        stages.append(
            {
                "company_id": i,
                "stage": r["stage"],
                "entered_on": r["stage_since"],
                "recorded_by_id": actor_id,
                "recorded_at": now,
            }
        )
        audits.append(
            {
                "at": now,
                "actor_id": actor_id,
                "action": "create",
                "entity": "company",
                "entity_id": i,
                "entity_version": 1,
                "field": None,
                "old_value": None,
                "new_value": json.dumps(r, ensure_ascii=False, sort_keys=True, default=str),
                "context": "bench",
            }
        )
    session.execute(sa.insert(Company.__table__), companies)  # type: ignore[attr-defined]
    session.execute(sa.insert(StageEntry.__table__), stages)  # type: ignore[attr-defined]
    session.execute(sa.insert(AuditEntry.__table__), audits)  # type: ignore[attr-defined]
    session.commit()
    return time.perf_counter() - start


STORED = 10_000  # companies already in the database for the "update" measurements


def update_file_rows(n: int) -> list[dict[str, Any]]:
    """The import a user makes most: half the rows (at most the STORED companies) are stored
    companies with a new e-mail address, location and notes; the rest are new companies."""
    updates = min(n // 2, STORED)
    changed = [
        r | {"email": f"new{i}@bench.example", "location": "광산구", "notes": "benchmark 2"}
        for i, r in enumerate(generate(updates))
    ]
    return changed + generate(n - updates, seed=8, start=STORED + 1)


def store_companies(session: Any, actor_id: int) -> None:
    """The STORED companies with their stage entries (not timed)."""
    import sqlalchemy as sa

    from crm.models import Company, StageEntry

    now = datetime.now(UTC)
    rows = generate(STORED)
    ids = session.execute(
        sa.insert(Company.__table__).returning(  # type: ignore[attr-defined]
            Company.__table__.c.id,  # type: ignore[attr-defined]
            sort_by_parameter_order=True,
        ),
        [
            {k: v for k, v in r.items() if k not in ("stage", "stage_since")}
            | {"archived": False, "version": 1, "created_at": now, "updated_at": now}
            for r in rows
        ],
    ).scalars()
    session.execute(
        sa.insert(StageEntry.__table__),  # type: ignore[attr-defined]
        [
            {
                "company_id": cid,
                "stage": r["stage"],
                "entered_on": r["stage_since"],
                "recorded_by_id": actor_id,
                "recorded_at": now,
            }
            for cid, r in zip(ids, rows, strict=True)
        ],
    )
    session.commit()


def measure(mode: str, n: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process: build the input, then time only the work."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from crm.db import make_engine
    from crm.importer import ImportOptions, apply_import, load_file
    from crm.migrate import upgrade
    from crm.models import Company
    from crm.services.actor import system_actor

    updating = mode.startswith("update_")
    mode = mode.removeprefix("update_")
    rows = update_file_rows(n) if updating else generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            actor = system_actor(session)
            stored = 0
            if updating:
                store_companies(session, actor.id)
                stored = STORED
                if mode == "baseline":  # the same number of rows, all new (numbers are unique)
                    rows = generate(n, seed=9, start=STORED + n + 2)
            if mode == "baseline":
                now = datetime.now(UTC)
                values = [
                    {k: v for k, v in r.items() if k not in ("stage", "stage_since")}
                    | {"archived": False, "version": 1, "created_at": now, "updated_at": now}
                    for r in rows
                ]
                start = time.perf_counter()
                session.execute(sa.insert(Company.__table__), values)  # type: ignore[attr-defined]
                session.commit()
                elapsed = time.perf_counter() - start
                phases: dict[str, float] = {}
            elif mode == "same_writes":
                elapsed = same_writes(session, rows, actor.id)
                phases = {}
            else:
                data = csv_file(rows) if mode == "csv" else xlsx_file(rows)
                writing: list[float] = []  # when the import reported it starts writing

                def progress(fraction: float, message: str) -> None:
                    if fraction >= 0.3 and not writing:
                        writing.append(time.perf_counter())

                start = time.perf_counter()
                table = load_file(data, f"bench.{mode}", kind="companies")
                read = time.perf_counter() - start
                result = apply_import(
                    session, actor, table, options=ImportOptions(), progress=progress
                )
                elapsed = time.perf_counter() - start
                expected_updates = min(n // 2, STORED) if updating else 0
                assert result.created == n - expected_updates, result.preview.counts
                assert result.updated == expected_updates, result.preview.counts
                check = writing[0] - start - read
                phases = {
                    "read_s": read,
                    "check_write_s": elapsed - read,
                    "check_s": check,
                    "write_s": elapsed - read - check,
                }
        count = session.exec(sa.select(sa.func.count()).select_from(Company)).one()  # type: ignore[call-overload]
        expected = stored + n - (min(n // 2, STORED) if updating and mode != "baseline" else 0)
        assert count[0] == expected, (count[0], expected)
        engine.dispose()
    return {"mode": mode, "rows": n, "seconds": elapsed, "peak_mb": peak_mb(), **phases}


def run(mode: str, n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(n)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(n: int, what: str, got: dict[str, Any], ratio: float) -> str:
    seconds, peak = got["seconds"], got["peak_mb"]
    return f"{n:>7} {what:<22} {seconds:>8.2f} {n / seconds:>9,.0f} {peak:>8.0f} {ratio:>7.1f}"


MODES = (
    "baseline",
    "same_writes",
    "csv",
    "xlsx",
    "update_baseline",
    "update_csv",
    "update_xlsx",
)


def best_runs(n: int, runs: int) -> dict[str, dict[str, Any]]:
    """Each mode `runs` times, in rounds (baseline, reference, csv, xlsx, then again), each run in
    a fresh process: the fastest run of each mode counts (as timeit does: slower runs measure
    the machine's other work), and the highest peak memory of any run is reported."""
    best: dict[str, dict[str, Any]] = {}
    for _ in range(runs):
        for mode in MODES:
            got = run(mode, n)
            kept = best.get(mode)
            if kept is None or got["seconds"] < kept["seconds"]:
                best[mode] = got | {"peak_mb": max(got["peak_mb"], (kept or got)["peak_mb"])}
            else:
                kept["peak_mb"] = max(kept["peak_mb"], got["peak_mb"])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows only")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (best counts)")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1]))))
        return
    sizes = [10_000] if args.quick else [10_000, 50_000]
    print(f"best of {args.runs} runs each")
    print(f"{'rows':>7} {'what':<22} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'x bulk':>7}")
    result: dict[str, float | int] = {}
    for n in sizes:
        got_all = best_runs(n, max(args.runs, 1))
        base, same = got_all["baseline"], got_all["same_writes"]
        print(line(n, "bulk insert (baseline)", base, 1.0))
        print(line(n, "same 3 rows/company", same, same["seconds"] / base["seconds"]))
        for mode in ("csv", "xlsx"):
            got = got_all[mode]
            ratio = got["seconds"] / base["seconds"]
            print(line(n, f"import .{mode}", got, ratio))
            print(
                f"{'':>7}   read {got['read_s']:.2f} s, check+write {got['check_write_s']:.2f} s"
                f" (check {got['check_s']:.2f} s, write {got['write_s']:.2f} s)"
            )
            result[f"rows_per_s_{mode}_{n // 1000}k"] = round(n / got["seconds"])
            result[f"ratio_{mode}_{n // 1000}k"] = round(ratio, 1)
            result[f"peak_mb_{mode}_{n // 1000}k"] = round(got["peak_mb"])
        result[f"baseline_rows_per_s_{n // 1000}k"] = round(n / base["seconds"])
        result[f"same_writes_ratio_{n // 1000}k"] = round(same["seconds"] / base["seconds"], 1)
        base = got_all["update_baseline"]
        updates = min(n // 2, STORED)
        print(line(n, f"into {STORED:,}: bulk insert", base, 1.0))
        for mode in ("csv", "xlsx"):
            got = got_all[f"update_{mode}"]
            ratio = got["seconds"] / base["seconds"]
            print(line(n, f"into {STORED:,}: .{mode}", got, ratio))
            print(
                f"{'':>7}   {updates:,} updates + {n - updates:,} new; read {got['read_s']:.2f} s,"
                f" check {got['check_s']:.2f} s, write {got['write_s']:.2f} s"
            )
            result[f"ratio_update_{mode}_{n // 1000}k"] = round(ratio, 1)
            result[f"peak_mb_update_{mode}_{n // 1000}k"] = round(got["peak_mb"])
    print("result: " + " ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
