"""The demo cohort's quarterly outcome reports, calibrated to the programme's published rates.

Published totals to 2021: 436 jobs and 192 patents (filed and registered) for 292 supported
companies, about 1.5 jobs and 0.66 patents per company in its year of support. Each company's
year is drawn once (zero-inflated negative binomial: most companies report none or one, a few
many; growth companies more than pre-start-ups) and spread over the quarters it reports."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from crm.demo_common import spread, stamp, zero_inflated_count
from crm.quarters import Quarter

JOBS_PER_COMPANY = 436 / 292  # ≈ 1.49
PATENTS_PER_COMPANY = 192 / 292  # ≈ 0.66, filings and registrations together
# A quarter's registrations may not exceed its filings (the outcome form's rule), so a
# registration is drawn per filing: filings x (1 + share) = patents.
REGISTERED_PER_FILING = 0.35
FILINGS_PER_COMPANY = PATENTS_PER_COMPANY / (1 + REGISTERED_PER_FILING)
# Relative to the cohort's average company (entry mix 40/40/20 averages 1.0).
STAGE_WEIGHT = {"pre_startup": 0.45, "startup": 1.0, "growth": 2.1}
STAFF_BASE = {"pre_startup": 2, "startup": 6, "growth": 25}
MISSING_Q4_SHARE = 0.06  # a missing Q4 report: the dashboard flags these


@dataclass(frozen=True)
class OutcomeBasis:
    """What a company's reports depend on from the rest of the demo."""

    company_id: int
    entry_stage: str
    entered: date
    quarter_invest: tuple[int, ...]  # KRW invested per quarter (1-4)
    quarter_export: tuple[int, ...]  # KRW of export contracts per quarter


def yearly_counts(rng: random.Random, entry_stage: str) -> tuple[int, int]:
    """(jobs created, patents filed) over the company's year."""
    weight = STAGE_WEIGHT[entry_stage]
    jobs = zero_inflated_count(rng, JOBS_PER_COMPANY * weight, zero_share=0.35, dispersion=3.0)
    filed = zero_inflated_count(rng, FILINGS_PER_COMPANY * weight, zero_share=0.5, dispersion=2.0)
    return jobs, filed


def outcome_rows(bases: list[OutcomeBasis], year: int, rng: random.Random) -> list[dict[str, Any]]:
    """The reports of each company, one per quarter from its entry (a few Q4s missing)."""
    rows: list[dict[str, Any]] = []
    for basis in bases:
        quarters = [q for q in range(1, 5) if Quarter(year, q).end >= basis.entered]
        if quarters and quarters[-1] == 4 and rng.random() < MISSING_Q4_SHARE:
            quarters.pop()
        if not quarters:
            continue
        base = STAFF_BASE[basis.entry_stage]
        employees = base + rng.randint(0, base)
        jobs, filed = yearly_counts(rng, basis.entry_stage)
        hires_by_q = spread(rng, jobs, len(quarters))
        filed_by_q = spread(rng, filed, len(quarters))
        for quarter, hires, new_filed in zip(quarters, hires_by_q, filed_by_q, strict=True):
            employees += hires
            registered = sum(rng.random() < REGISTERED_PER_FILING for _ in range(new_filed))
            written = stamp(Quarter(year, quarter).end + timedelta(days=10))
            rows.append(
                {
                    "id": len(rows) + 1,
                    "company_id": basis.company_id,
                    "year": year,
                    "quarter": quarter,
                    "employees": employees,
                    "new_hires": hires,
                    "revenue_krw": rng.randint(0, base * 40) * 1_000_000,
                    "patents_filed": new_filed,
                    "patents_registered": registered,
                    "investment_krw": basis.quarter_invest[quarter - 1],
                    "exports_krw": basis.quarter_export[quarter - 1],
                    "notes": None,
                    "version": 1,
                    "created_at": written,
                    "updated_at": written,
                }
            )
    return rows
