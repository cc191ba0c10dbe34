"""The demo's infrastructure programmes: HPC compute from the AI data centre (about 100 companies
in the 2022 plan) and test equipment for the three core industries (about 50).

Part of the users are companies of the year's cohort; the rest are companies supported ONLY by
infrastructure that year. Those belong to the previous year's cohort (`cohort_year` = year - 1,
like the 2020-21 companies of the published totals), so the year's cohort, its target (99) and
its outcome reports stay the cohort's own while the infrastructure programmes count every user.

Values are built from the kinds' declarations (read from the database), so they always validate:
only declared fields are written, numbers are kept inside the declared limits and choices come
from the declared options."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from crm.demo_common import (
    AI_FIELDS,
    DISTRICTS,
    GIVEN_NAMES,
    RELOCATED,
    SURNAMES,
    brn,
    company_names,
    day_between,
    stamp,
)
from crm.kinds.spec import KindField

HPC, EQUIPMENT = "hpc", "equipment"
PROGRAMMES: tuple[tuple[str, str, int], ...] = (
    (HPC, "AI 데이터센터 HPC 자원 지원 (가상)", 100),
    (EQUIPMENT, "시험·실증 장비 지원 (가상)", 50),
)
# What one GPU-hour of an allocation is worth: below the on-demand cloud price of an A100
# (about USD 4, some 5,300 KRW, per GPU-hour in 2022).
KRW_PER_GPU_HOUR = 4_000
# Shares per cohort company (99 in the plan): users in the cohort, users outside it.
COHORT_HPC_SHARE = 0.55
COHORT_EQUIPMENT_SHARE = 0.26
BOTH_SHARE = 0.2  # of the outside equipment users, those that also compute
IDLE_SHARE = 0.1  # HPC users whose last allocation sits mostly unused near its end
CORE_INDUSTRIES = ("automotive", "healthcare", "energy")

_RESOURCES = (
    ("NVIDIA A100 80GB × 8 (DGX 노드)", 8),
    ("NVIDIA A100 40GB × 4", 4),
    ("NVIDIA A100 80GB × 2", 2),
    ("NVIDIA V100 32GB × 4", 4),
    ("NVIDIA A100 40GB × 1", 1),
)
_PROJECTS = {
    "vision": ["제조 불량 검출 비전 모델 학습", "CCTV 이상행동 탐지 모델 고도화"],
    "language": ["한국어 상담 챗봇 언어모델 미세조정", "법률 문서 요약 모델 학습"],
    "data": ["전력 수요 예측 모델 학습", "물류 수요 예측 시계열 모델"],
    "robotics": ["협동로봇 강화학습 시뮬레이션", "자율주행 인지 모델 학습"],
    "speech": ["사투리 음성인식 모델 학습", "음성합성 모델 경량화"],
    "recommendation": ["대규모 추천 모델 학습", "개인화 광고 추천 모델 고도화"],
}
_EQUIPMENT_BY_INDUSTRY = {
    "automotive": ("av_virtual_rig", "ev_battery_tester", "emc_chamber"),
    "healthcare": ("medical_imaging_ai", "emc_chamber", "gpu_edge_bench"),
    "energy": ("energy_storage_tester", "ev_battery_tester", "emc_chamber"),
}
_PURPOSES = {
    "av_virtual_rig": "자율주행 SW 가상 주행 시험",
    "ev_battery_tester": "배터리 팩 충방전 성능 시험",
    "medical_imaging_ai": "의료영상 판독 AI 성능 검증",
    "energy_storage_tester": "ESS 안전성·수명 시험",
    "emc_chamber": "제품 전자파 적합성(EMC) 사전 시험",
    "gpu_edge_bench": "엣지 AI 추론 성능 측정",
}
_DAILY_FEE = {  # the usage fee the programme pays per day of use
    "av_virtual_rig": 1_200_000,
    "ev_battery_tester": 800_000,
    "medical_imaging_ai": 600_000,
    "energy_storage_tester": 700_000,
    "emc_chamber": 1_500_000,
    "gpu_edge_bench": 300_000,
}
_DAYS_USED = (1, 2, 2, 3, 3, 4, 5, 5, 7, 10, 14, 20)


@dataclass
class Ids:
    """The last id used per table; infrastructure rows continue after the cohort's."""

    company: int
    stage_entry: int
    activity: int
    programme: int


def _fit(field: KindField, value: Any) -> Any:
    """`value` kept inside the field's declared limits."""
    if field.type == "text":
        return str(value)[: field.text_max_len]
    if field.type == "choice":
        codes = field.choice_codes()
        return value if value in codes else codes[0]
    if field.is_number:
        low = max(field.limit_min, 1 if field.positive and field.is_whole else field.limit_min)
        number = min(max(value, low), field.limit_max)
        return int(number) if field.is_whole else round(float(number), 1)
    return value


def details_for(fields: Sequence[KindField], values: Mapping[str, Any]) -> dict[str, Any]:
    """The declared (not retired) fields that have a value, each fitted to its declaration."""
    out: dict[str, Any] = {}
    for field in fields:
        if field.retired or values.get(field.name) is None:
            continue
        out[field.name] = _fit(field, values[field.name])
    return out


def _choices(fields: Sequence[KindField], name: str) -> list[str]:
    field = next((f for f in fields if f.name == name and not f.retired), None)
    return field.choice_codes() if field is not None and field.type == "choice" else []


def _status(start: date, end: date, year: int) -> str:
    if start > date(year, 12, 1):
        return "planned"
    return "completed" if end <= date(year, 12, 15) else "in_progress"


def _outside_company(
    rng: random.Random, cid: int, year: int, industry: str, officer_id: int, used_brn: set[str]
) -> tuple[dict[str, Any], date, str]:
    """A company of last year's cohort, supported this year only by infrastructure."""
    stage = rng.choices(["startup", "growth"], weights=[60, 40])[0]
    # Recorded when it first asked for infrastructure (the demo's records start in January).
    entered = day_between(rng, date(year, 1, 3), date(year, 1, 31))
    name_ko, name_en = company_names(cid)
    row = {
        "id": cid,
        "name_ko": name_ko,
        "name_en": name_en,
        "brn": brn(rng, used_brn),
        "representative": f"{rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)} (가상)",
        "founded_on": day_between(rng, date(2014, 1, 1), date(year - 2, 12, 31)),
        "industry": industry,
        "ai_field": rng.choice(AI_FIELDS),
        "location": rng.choice(DISTRICTS) if rng.random() < 0.85 else rng.choice(RELOCATED),
        "email": f"ceo{cid}@demo-company.example",
        "phone": f"010-0000-{cid % 10000:04d}",
        "officer_id": officer_id,
        "cohort_year": year - 1,
        "notes": f"가상 데모 데이터 / fictional demo data · {year}년 인프라 지원만 / "
        f"infrastructure support only in {year}",
        "archived": False,
        "version": 1,
        "created_at": stamp(entered),
        "updated_at": stamp(entered),
    }
    return row, entered, stage


def _hpc_allocations(
    rng: random.Random, company: Mapping[str, Any], year: int, idle: bool
) -> list[tuple[date, date, str, dict[str, Any], int]]:
    """(start, end, status, values, KRW) of a company's GPU allocations in the year."""
    out = []
    start = day_between(rng, date(year, 2, 1), date(year, 8, 31))
    count = 1 if idle else (2 if rng.random() < 0.3 else 1)
    title = rng.choice(_PROJECTS.get(company["ai_field"] or "", _PROJECTS["data"]))
    for n in range(count):
        last = n == count - 1
        resource, gpus = rng.choice(_RESOURCES)
        end = min(start + timedelta(days=rng.randint(45, 150)), date(year, 12, 31))
        if last and idle:
            end = day_between(rng, date(year, 12, 16), date(year, 12, 31))
        days = (end - start).days + 1
        allocated = max(100, round(gpus * days * 24 * rng.uniform(0.25, 0.7), -2))
        status = _status(start, end, year)
        used: float | None = None
        if status != "planned":
            share = rng.uniform(0.05, 0.45) if last and idle else rng.triangular(0.6, 1.0, 0.88)
            used = round(allocated * share, 1)
        values = {
            "project_title": title,
            "resource": resource,
            "allocated_gpu_hours": float(allocated),
            "used_gpu_hours": used,
        }
        out.append((start, end, status, values, int(allocated) * KRW_PER_GPU_HOUR))
        start = end + timedelta(days=rng.randint(7, 30))
        if start > date(year, 11, 30):
            break  # no December allocation: unused hours would read as idle
    return out


def _equipment_uses(
    rng: random.Random, industry: str, codes: list[str], year: int
) -> list[tuple[date, date, str, dict[str, Any], int]]:
    """(start, end, status, values, KRW) of a company's test-equipment uses in the year."""
    preferred = [c for c in _EQUIPMENT_BY_INDUSTRY.get(industry, ()) if c in codes] or codes
    out = []
    for _ in range(rng.choices([1, 2, 3], weights=[50, 35, 15])[0]):
        equipment = rng.choice(preferred)
        days_used = rng.choice(_DAYS_USED)
        start = day_between(rng, date(year, 2, 1), date(year, 12, 15))
        end = min(start + timedelta(days=int(days_used * 1.4)), date(year, 12, 31))
        days_used = min(days_used, (end - start).days + 1)
        status = _status(start, end, year)
        issued = status == "completed" and rng.random() < 0.65
        values = {
            "equipment": equipment,
            "purpose": _PURPOSES.get(equipment, "시제품 성능 시험"),
            "days_used": days_used,
            "test_report_issued": "yes" if issued else "no",
        }
        out.append((start, end, status, values, days_used * _DAILY_FEE.get(equipment, 500_000)))
    return out


def add_infrastructure(
    rows: dict[str, list[dict[str, Any]]],
    kinds: Mapping[str, Sequence[KindField]],
    *,
    year: int,
    seed: int,
    officer_ids: list[int],
    actor_id: int,
    used_brn: set[str],
) -> None:
    """Add the infrastructure programmes, their outside users and every allocation and use to
    `rows` (the cohort's rows, ids continuing after theirs). A kind the database lacks is left
    out with its programme."""
    rng = random.Random(f"{seed}:infrastructure")
    cohort = [c for c in rows["company"] if c["cohort_year"] == year]
    scale = len(cohort) / 99
    ids = Ids(
        company=max((c["id"] for c in rows["company"]), default=0),
        stage_entry=max((s["id"] for s in rows["stage_entry"]), default=0),
        activity=max((a["id"] for a in rows["activity"]), default=0),
        programme=max((p["id"] for p in rows["programme"]), default=0),
    )
    hpc_fields, equipment_fields = kinds.get(HPC), kinds.get(EQUIPMENT)
    equipment_codes = _choices(equipment_fields or (), "equipment")
    hpc_total = round(100 * scale) if hpc_fields else 0
    equipment_total = round(50 * scale) if equipment_fields and equipment_codes else 0

    hpc_users = rng.sample(cohort, min(len(cohort), round(COHORT_HPC_SHARE * len(cohort))))
    core = [c for c in cohort if c["industry"] in CORE_INDUSTRIES]
    equipment_users = rng.sample(core, min(len(core), round(COHORT_EQUIPMENT_SHARE * len(cohort))))
    hpc_users, equipment_users = hpc_users[:hpc_total], equipment_users[:equipment_total]
    outside_hpc = hpc_total - len(hpc_users)
    outside_equipment = equipment_total - len(equipment_users)
    both = min(outside_hpc, round(BOTH_SHARE * outside_equipment))
    for n in range(outside_hpc + outside_equipment - both):
        computes = n < outside_hpc
        uses_equipment = n >= outside_hpc - both
        industry = (
            rng.choice(CORE_INDUSTRIES)
            if uses_equipment
            else rng.choices(["automotive", "healthcare", "energy", "other"], [30, 30, 25, 15])[0]
        )
        ids.company += 1
        company, entered, stage = _outside_company(
            rng, ids.company, year, industry, officer_ids[ids.company % len(officer_ids)], used_brn
        )
        rows["company"].append(company)
        ids.stage_entry += 1
        rows["stage_entry"].append(
            {
                "id": ids.stage_entry,
                "company_id": company["id"],
                "stage": stage,
                "entered_on": entered,
                "reason": None,
                "recorded_by_id": actor_id,
                "recorded_at": stamp(entered),
            }
        )
        if computes:
            hpc_users.append(company)
        if uses_equipment:
            equipment_users.append(company)

    idle = set(rng.sample([c["id"] for c in hpc_users], round(IDLE_SHARE * len(hpc_users))))
    plans: list[tuple[str, Sequence[KindField], list[tuple[dict[str, Any], list[Any]]]]] = []
    if hpc_fields and hpc_users:
        users = sorted(hpc_users, key=lambda c: c["id"])
        allocations = [(c, _hpc_allocations(rng, c, year, c["id"] in idle)) for c in users]
        plans.append((HPC, hpc_fields, allocations))
    if equipment_fields and equipment_users:
        users = sorted(equipment_users, key=lambda c: c["id"])
        uses = [(c, _equipment_uses(rng, c["industry"], equipment_codes, year)) for c in users]
        plans.append((EQUIPMENT, equipment_fields, uses))
    for kind, name, target in PROGRAMMES:
        plan = next((p for p in plans if p[0] == kind), None)
        if plan is None:
            continue
        _, fields, per_company = plan
        ids.programme += 1
        valued = 0
        for company, items in per_company:
            for start, end, status, values, amount in items:
                valued += amount
                ids.activity += 1
                rows["activity"].append(
                    {
                        "id": ids.activity,
                        "company_id": company["id"],
                        "programme_id": ids.programme,
                        "start_on": start,
                        "end_on": end,
                        "status": status,
                        "amount_krw": amount,
                        "officer_id": company["officer_id"],
                        "notes": None,
                        "details": details_for(fields, values),
                        "version": 1,
                        "created_at": stamp(start),
                        "updated_at": stamp(start),
                    }
                )
        # The budget covers every allocation made, with a reserve the programme reallocates.
        budget = int(valued / rng.uniform(0.85, 0.95) / 10_000_000 + 1) * 10_000_000
        rows["programme"].append(
            {
                "id": ids.programme,
                "name": f"{year} {name}",
                "year": year,
                "kind": kind,
                "budget_krw": budget,
                "target_companies": max(1, round(target * scale)),
                "version": 1,
                "created_at": stamp(date(year, 1, 2)),
                "updated_at": stamp(date(year, 1, 2)),
            }
        )
