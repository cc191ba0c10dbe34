"""Many officers at once: 20 workers (threads, one session per operation) drive the service layer
for a bounded time, mixing reads, company edits, activity logging and stage changes, with
deliberate collisions on a few hot companies. Then the invariants are checked: every write either
committed or got a clear conflict/busy error, stage history and audit agree, and no unexpected
exception escaped.

No lost update: a company's `notes` is used as a counter. A worker opens the company, reads the
count, and saves count + 1 (tagged with its own name, so two saves never carry the same text) from
the version it opened. The client counts each save that succeeded; at the end every company's
stored count must equal that tally. A save that overwrote another's increment (a lost update)
leaves the stored count below the tally. The row-versus-audit checks alone cannot see this: both
are written in the same transaction and always agree.

    python benchmarks/load.py [--quick] [--seconds N] [--workers N] [--engine E] [--no-stale-check]

E is sqlite, postgresql or both (default).

--quick runs 10 s per engine (CI runs it through tests/db/test_load.py). --no-stale-check
switches the optimistic-lock check off, to show the invariants catch the lost updates that follow
(the run then exits with violations)."""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from benchmarks._common import result_line  # noqa: E402
from crm import demo  # noqa: E402
from crm.db import make_engine  # noqa: E402
from crm.errors import ConflictError, DatabaseBusy, ValidationError  # noqa: E402
from crm.migrate import upgrade  # noqa: E402
from crm.models import Role, Stage  # noqa: E402
from crm.services import activities, companies, stages, users  # noqa: E402
from crm.services.activities import NewActivity  # noqa: E402
from crm.services.actor import Actor, actor_from_user, system_actor  # noqa: E402
from crm.services.company_views import CompanyFilters, company_profile, list_companies  # noqa: E402

HOT_COMPANIES = 5
EDIT_FIELDS = ("notes", "name_en", "location")
COUNTER_FIELD = "notes"
_COUNT = re.compile(r"^count=(\d+) by ")


def read_count(notes: str | None) -> int:
    """The counter stored in `notes`: 0 until the first increment replaces the demo text."""
    match = _COUNT.match(notes or "")
    return int(match.group(1)) if match else 0


def count_text(count: int, username: str, nonce: int) -> str:
    return f"count={count} by {username} #{nonce}"


@dataclass
class LoadReport:
    engine: str
    seconds: float
    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    increments: Counter[int] = field(default_factory=Counter)  # company id -> saves that succeeded

    @property
    def operations(self) -> int:
        return sum(self.outcomes.values())

    @property
    def ops_per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0


def prepare(url: str, workers: int) -> tuple[Engine, list[Actor], int]:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as s:
        system = system_actor(s)
        demo.load(s, system, companies=99, seed=7, replace=True)
        officers = []
        for i in range(workers):
            name = f"load{i:02d}"
            try:
                user = users.get_user(s, name)
            except Exception:
                user = users.create_user(
                    s, system, username=name, display_name=f"부하 {i}", role=Role.OFFICER
                )
            officers.append(actor_from_user(user))
        programme = s.exec(
            sa.text("SELECT id FROM programme WHERE kind = 'mentoring'")
        ).scalar_one()  # type: ignore[call-overload]
    return engine, officers, int(programme)


def _operation(
    engine: Engine, actor: Actor, rng: random.Random, programme_id: int
) -> tuple[str, int]:
    """Run one random operation; returns its outcome and the company it touched."""
    company_id = rng.randint(1, HOT_COMPANIES) if rng.random() < 0.6 else rng.randint(1, 99)
    roll = rng.random()
    with Session(engine, expire_on_commit=False) as s:
        if roll < 0.35:
            if rng.random() < 0.5:
                list_companies(
                    s,
                    actor,
                    CompanyFilters(search=rng.choice(["에이아이", "비전", ""])),
                    page=rng.randint(1, 2),
                )
            else:
                company_profile(s, actor, company_id)
            return "read", company_id
        if roll < 0.65:
            opened = company_profile(s, actor, company_id)
            s.rollback()
            time.sleep(rng.random() * 0.005)  # a user typing: others may save meanwhile
            fieldname = rng.choice(EDIT_FIELDS)
            nonce = rng.randint(0, 10**9)
            if fieldname == COUNTER_FIELD:  # read-modify-write: count + 1 from what was opened
                value = count_text(read_count(opened.values[fieldname]) + 1, actor.username, nonce)
            elif fieldname == "location":
                value = rng.choice(["동구", "서구", "남구", "북구", "광산구"])
            else:
                value = f"{actor.username}-{nonce}"
            companies.update_company(
                s, actor, company_id, version=opened.version, changes={fieldname: value}
            )
            return ("increment" if fieldname == COUNTER_FIELD else "edit"), company_id
        if roll < 0.85:
            activities.log_activity(
                s,
                actor,
                NewActivity(
                    company_id,
                    programme_id,
                    date(2022, rng.randint(1, 12), rng.randint(1, 28)),
                    amount_krw=rng.randint(1, 10) * 100_000,
                    details={"mentor": "부하 멘토", "topic": "load", "hours": 1.0},
                ),
            )
            return "log", company_id
        current = stages.current_stage(s, company_id)
        s.rollback()  # as in the app: the page read, then the write in its own transaction
        target = rng.choice([st for st in Stage if st != current])
        stages.change_stage(
            s,
            actor,
            company_id,
            stage=target,
            entered_on=date.today(),
            reason="부하 시험",
            founded_on=date(2021, 1, 1),
        )
        return "stage", company_id


def run(url: str, *, workers: int, seconds: float, seed: int = 1) -> LoadReport:
    engine, officers, programme_id = prepare(url, workers)
    report = LoadReport(engine.dialect.name, seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        actor = officers[index]
        while time.monotonic() < deadline:
            company_id = 0
            try:
                outcome, company_id = _operation(engine, actor, rng, programme_id)
            except ConflictError:
                outcome = "conflict"
            except DatabaseBusy:
                outcome = "busy"
            except ValidationError as exc:
                # e.g. a stage move raced by another worker's move on the same day
                outcome = "refused:" + ",".join(sorted({e.key for e in exc.errors}))
            except Exception as exc:  # anything else is a crash a user would see
                with lock:
                    report.crashes.append(f"{type(exc).__name__}: {exc}")
                outcome = "crash"
            with lock:
                report.outcomes[outcome] += 1
                if outcome == "increment":
                    report.increments[company_id] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.seconds = time.monotonic() - started
    report.violations = check_invariants(engine) + check_counters(engine, report.increments)
    engine.dispose()
    return report


def check_invariants(engine: Engine) -> list[str]:
    """Rows agree with the audit trail: each edited field's final value is its last audited value,
    each company's version its last audited version; stage history matches its audit entries."""
    problems: list[str] = []
    with engine.connect() as c:
        for fieldname in EDIT_FIELDS:
            rows = c.execute(
                sa.text(
                    f"SELECT co.id, co.{fieldname}, a.new_value FROM company co JOIN audit_entry a "
                    "ON a.entity = 'company' AND a.entity_id = co.id AND a.field = :f "
                    "AND a.id = (SELECT MAX(id) FROM audit_entry b WHERE b.entity = 'company' "
                    "AND b.entity_id = co.id AND b.field = :f)"
                ),
                {"f": fieldname},
            ).all()
            problems += [
                f"company {r[0]}.{fieldname}: row {r[1]!r} != audit {r[2]!r}"
                for r in rows
                if r[1] != r[2]
            ]
        versions = c.execute(
            sa.text(
                "SELECT co.id, co.version, (SELECT MAX(entity_version) FROM audit_entry a "
                "WHERE a.entity = 'company' AND a.entity_id = co.id) FROM company co"
            )
        ).all()
        problems += [
            f"company {r[0]}: version {r[1]} != audited {r[2]}" for r in versions if r[1] != r[2]
        ]
        stage_rows = c.execute(
            sa.text(
                "SELECT co.id, (SELECT COUNT(*) FROM stage_entry s WHERE s.company_id = co.id), "
                "(SELECT COUNT(*) FROM audit_entry a WHERE a.entity = 'company' "
                "AND a.entity_id = co.id "
                "AND a.action = 'stage_change') FROM company co"
            )
        ).all()
        problems += [
            f"company {r[0]}: {r[1]} stage entries, {r[2]} audited"
            for r in stage_rows
            if r[1] != r[2] or r[1] == 0
        ]
        activity_rows = c.execute(
            sa.text(
                "SELECT (SELECT COUNT(*) FROM activity), (SELECT COUNT(*) FROM audit_entry "
                "WHERE entity = 'activity' AND action = 'create')"
            )
        ).one()
        if activity_rows[0] != activity_rows[1]:
            problems.append(
                f"{activity_rows[0]} activities but {activity_rows[1]} audited creations"
            )
    return problems


def check_counters(engine: Engine, increments: Counter[int]) -> list[str]:
    """No lost update: each company's stored count equals the increments its savers saw succeed.
    Compared with the client's tally, not with anything written in the saving transaction."""
    with engine.connect() as c:
        stored = dict(
            c.execute(sa.text(f"SELECT id, {COUNTER_FIELD} FROM company")).all()  # noqa: S608
        )
    return [
        f"company {cid}: {succeeded} increments succeeded, stored count "
        f"{read_count(stored.get(cid))} (lost {succeeded - read_count(stored.get(cid))})"
        for cid, succeeded in sorted(increments.items())
        if read_count(stored.get(cid)) != succeeded
    ]


def _pg_url(name: str) -> str:
    from tests.support import create_pg_database

    return create_pg_database(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 s per engine")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--no-stale-check", action="store_true", help="disable the optimistic-lock check"
    )
    args = parser.parse_args()
    if args.no_stale_check:
        companies.check_stale = lambda *_, **__: None  # type: ignore[assignment]
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.engine in ("sqlite", "both"):
            reports.append(
                run(f"sqlite:///{tmp}/load.sqlite3", workers=args.workers, seconds=seconds)
            )
        if args.engine in ("postgresql", "both"):
            reports.append(run(_pg_url("crm_load_bench"), workers=args.workers, seconds=seconds))
    print(
        f"{'engine':<11} {'ops':>7} {'ops/s':>8} {'increments':>10} {'conflict':>9} {'busy':>6} "
        f"{'refused':>8} {'crash':>6} {'violations':>10}"
    )
    values: dict[str, float | int | str] = {}
    for r in reports:
        refused = sum(n for k, n in r.outcomes.items() if k.startswith("refused"))
        print(
            f"{r.engine:<11} {r.operations:>7} {r.ops_per_second:>8.1f} "
            f"{r.outcomes['increment']:>10} {r.outcomes['conflict']:>9} "
            f"{r.outcomes['busy']:>6} {refused:>8} {len(r.crashes):>6} {len(r.violations):>10}"
        )
        for line in (r.crashes + r.violations)[:5]:
            print(f"  ! {line}")
        values[f"{r.engine}_ops_s"] = r.ops_per_second
        values[f"{r.engine}_increments"] = r.outcomes["increment"]
        values[f"{r.engine}_conflicts"] = r.outcomes["conflict"]
        values[f"{r.engine}_busy"] = r.outcomes["busy"]
        values[f"{r.engine}_crashes"] = len(r.crashes)
        values[f"{r.engine}_violations"] = len(r.violations)
    print(result_line(workers=args.workers, seconds=seconds, **values))
    if any(r.crashes or r.violations for r in reports):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
