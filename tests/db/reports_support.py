"""Report tests' helpers: figures recomputed in Python from raw rows (independent of the report's
SQL), and the Summary sheet read back into its sections."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa
from sqlmodel import Session

from crm.i18n import t
from crm.quarters import Quarter

SECTIONS = ("cohort", "programmes", "stages", "moves", "outcomes")
COUNTS = ("companies", "activities", "krw")
SPENDS = ("executed", "committed", "planned")


def pick(block: dict[str, int], keys: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(block[k] for k in keys)


def day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def direct_figures(session: Session, year: int, quarter: int) -> dict[str, Any]:
    """Every Summary number, from plain `SELECT *`-style reads aggregated in Python."""
    start, end = Quarter(year, quarter).bounds()
    ytd_start = date(year, 1, 1)
    raw = session.execute(
        sa.text(
            "SELECT a.company_id, a.programme_id, a.start_on, a.status, a.amount_krw, p.kind "
            "FROM activity a JOIN programme p ON p.id = a.programme_id"
        )
    ).all()
    ytd = [a for a in raw if a.status != "cancelled" and ytd_start <= day(a.start_on) <= end]
    qtr = [a for a in ytd if day(a.start_on) >= start]
    cohort_ids = {
        cid
        for (cid,) in session.execute(
            sa.text("SELECT id FROM company WHERE cohort_year = :y"), {"y": year}
        )
    }

    def block(rows: list[Any]) -> dict[str, int]:
        def amount(status: str) -> int:
            return sum(int(a.amount_krw) for a in rows if a.status == status)

        return {
            "companies": len({a.company_id for a in rows}),
            "cohort_companies": len({a.company_id for a in rows} & cohort_ids),
            "activities": len(rows),
            "krw": sum(int(a.amount_krw) for a in rows),
            # Executed is money spent: completed only; in progress is committed, apart.
            "executed": amount("completed"),
            "committed": amount("in_progress"),
            "planned": amount("planned"),
        }

    programmes = {
        r.id: {"name": r.name, "budget": int(r.budget_krw), "target": r.target_companies}
        for r in session.execute(
            sa.text("SELECT id, name, budget_krw, target_companies FROM programme WHERE year = :y"),
            {"y": year},
        ).all()
    }
    per_programme = {
        pid: {
            "q": block([a for a in qtr if a.programme_id == pid]),
            "ytd": block([a for a in ytd if a.programme_id == pid]),
            **info,
        }
        for pid, info in programmes.items()
    }
    kinds = {a.kind for a in raw}
    per_kind = {
        k: {
            "q": block([a for a in qtr if a.kind == k]),
            "ytd": block([a for a in ytd if a.kind == k]),
        }
        for k in kinds
    }
    entries: dict[int, list[Any]] = defaultdict(list)
    for e in session.execute(
        sa.text(
            "SELECT s.id, s.company_id, s.stage, s.entered_on FROM stage_entry s "
            "JOIN company c ON c.id = s.company_id WHERE c.cohort_year = :y"
        ),
        {"y": year},
    ).all():
        entries[e.company_id].append(e)
    at_start: Counter[str] = Counter()
    at_end: Counter[str] = Counter()
    entered: Counter[str] = Counter()
    moves: Counter[tuple[str, str]] = Counter()
    for history in entries.values():
        history.sort(key=lambda e: (day(e.entered_on), e.id))
        before = [e for e in history if day(e.entered_on) <= start - timedelta(days=1)]
        upto = [e for e in history if day(e.entered_on) <= end]
        if before:
            at_start[before[-1].stage] += 1
        if upto:
            at_end[upto[-1].stage] += 1
        for i, e in enumerate(upto):
            if day(e.entered_on) >= start:
                if i == 0:
                    entered[e.stage] += 1
                else:
                    moves[(upto[i - 1].stage, e.stage)] += 1
    reports = session.execute(
        sa.text(
            "SELECT company_id, quarter, new_hires, patents_filed, patents_registered, "
            "investment_krw, exports_krw FROM outcome_report WHERE year = :y"
        ),
        {"y": year},
    ).all()

    def outcome(rows: list[Any]) -> dict[str, int]:
        return {
            "reports": len(rows),
            "new_hires": sum(r.new_hires for r in rows),
            "patents_filed": sum(r.patents_filed for r in rows),
            "patents_registered": sum(r.patents_registered for r in rows),
            "investment_krw": sum(int(r.investment_krw) for r in rows),
            "exports_krw": sum(int(r.exports_krw) for r in rows),
        }

    cohort = session.execute(
        sa.text("SELECT target_companies FROM cohort WHERE year = :y"), {"y": year}
    ).first()
    cohort_companies = session.execute(
        sa.text("SELECT COUNT(*) FROM company WHERE cohort_year = :y"), {"y": year}
    ).scalar_one()
    return {
        "target": cohort[0] if cohort else 0,
        "cohort_companies": cohort_companies,
        "q": block(qtr),
        "ytd": block(ytd),
        "budget": sum(p["budget"] for p in programmes.values()),
        "programmes": per_programme,
        "kinds": per_kind,
        "at_start": at_start,
        "at_end": at_end,
        "entered": entered,
        "moves": moves,
        "outcomes_q": outcome([r for r in reports if r.quarter == quarter]),
        "outcomes_ytd": outcome([r for r in reports if r.quarter <= quarter]),
        "outcome_companies": len({r.company_id for r in reports if r.quarter <= quarter}),
    }


def read_summary(path: Path, lang: str = "ko") -> dict[str, list[tuple[Any, ...]]]:
    """The Summary's tables by section (data rows then the totals row), as cached values."""
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    titles = {t(f"report.section.{key}", lang): key for key in SECTIONS}
    rows = list(ws.iter_rows(values_only=True))
    out: dict[str, list[tuple[Any, ...]]] = {}
    for i, row in enumerate(rows):
        if row[0] in titles:
            body = []
            for data in rows[i + 2 :]:
                if all(v is None for v in data):
                    break
                body.append(data)
            out[titles[row[0]]] = body
    return out
