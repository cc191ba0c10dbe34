"""The deterministic demo cohort (fictional companies, clearly marked) and the large data sets.

Rows are generated from one seed and bulk-inserted with explicit ids, so loading twice with one
seed into an empty database gives identical rows, and 100,000 companies load in minutes."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from crm.demo_common import (
    AI_FIELDS,
    DEMO_MARK_KO,
    DISTRICTS,
    GIVEN_NAMES,
    RELOCATED,
    SURNAMES,
    brn,
    company_names,
    day_between,
    stamp,
)
from crm.demo_infrastructure import PROGRAMMES as INFRASTRUCTURE_PROGRAMMES
from crm.demo_infrastructure import add_infrastructure
from crm.demo_outcomes import OutcomeBasis, outcome_rows
from crm.errors import CRMError
from crm.kinds.spec import KindField, kind_fields
from crm.models import (
    Activity,
    AuditEntry,
    Cohort,
    Company,
    OutcomeReport,
    Programme,
    Role,
    StageEntry,
    SupportKind,
    User,
)
from crm.quarters import Quarter
from crm.services.actor import Actor, system_actor
from crm.services.audit import stage_move_text
from crm.services.permissions import Permission, begin_authorised_write
from crm.services.reference import BUILTIN_KIND_ROWS, ensure_builtin_kinds

DEMO_YEAR = 2022
DEMO_TARGET = 99
DEFAULT_SEED = 2022
CHUNK = 5_000

# username, display name, role; the first of each role gets a printed password on first run.
DEMO_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("admin", "관리자 (데모)", Role.ADMIN),
    ("manager", "박지원 매니저 (데모)", Role.MANAGER),
    ("officer", "김하늘 담당 (데모)", Role.OFFICER),
    ("analyst", "정다은 분석 (데모)", Role.ANALYST),
    ("officer2", "이서준 담당 (데모)", Role.OFFICER),
    ("officer3", "최유나 담당 (데모)", Role.OFFICER),
    ("officer4", "한도윤 담당 (데모)", Role.OFFICER),
)
DEMO_ACCOUNTS = ("admin", "manager", "officer", "analyst")

_MENTORS = [
    "오세훈 멘토",
    "강민아 멘토",
    "윤태호 멘토",
    "서지민 멘토",
    "문가영 멘토",
    "배성우 멘토",
]
_TOPICS = [
    "사업계획 고도화",
    "AI 모델 경량화",
    "투자유치 IR 준비",
    "특허 전략",
    "시장 검증",
    "데이터 확보 전략",
]
_VENDORS = ["광주정밀 (가상)", "첨단메이커스 (가상)", "하남전자 (가상)", "무등3D (가상)"]
_DELIVERABLES = [
    "엣지 AI 보드 시제품",
    "의료영상 판독 SW 시제품",
    "배터리 진단 모듈",
    "자율주행 센서 키트",
]
_FUNDS = ["광주 AI 혁신펀드 1호 (가상)", "빛고을 엔젤펀드 (가상)", "AI 집적단지 투자조합 (가상)"]
_PARTNERS = [
    "Demo Partner Inc. (fictional)",
    "Sample Trading Co. (fictional)",
    "Example GmbH (fictional)",
]
_COUNTRIES = ["US", "VN", "JP", "SG", "DE", "AE", "ID"]
_PROGRAMMES = [
    ("mentoring", "창업 멘토링", 90),
    ("prototyping", "시제품 제작 지원", 45),
    ("investment", "AI 투자펀드", 15),
    ("overseas", "해외진출 지원", 25),
]


INFRASTRUCTURE_KINDS = tuple(kind for kind, _, _ in INFRASTRUCTURE_PROGRAMMES)


class DemoLoadError(CRMError):
    key = "error.demo_not_empty"


@dataclass(frozen=True)
class LoadResult:
    companies: int  # every company loaded: the cohort and those supported only by infrastructure
    activities: int
    stage_entries: int
    outcome_reports: int
    programmes: int
    cohort_companies: int = 0  # the year's cohort (the 99 of the plan, or --companies)


def ensure_demo_staff(session: Session) -> dict[str, int]:
    """The demo's staff accounts (no passwords yet), created once, in a fixed order."""
    ids: dict[str, int] = {}
    for username, display, role in DEMO_STAFF:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            created = stamp(date(DEMO_YEAR, 1, 1))
            user = User(
                username=username,
                display_name=display,
                role=role,
                created_at=created,
                updated_at=created,
            )
            session.add(user)
            session.flush()
        assert user.id is not None
        ids[username] = user.id
    session.commit()
    return ids


def generate(
    n_companies: int,
    seed: int,
    officer_ids: list[int],
    actor_id: int,
    kinds: Mapping[str, Sequence[KindField]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """All demo rows as plain dicts with explicit ids (pure: same inputs, same rows).

    `kinds`: the infrastructure kinds' declared fields by code (`load` reads them from the
    database; by default the built-in reference rows)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {
        "cohort": [],
        "programme": [],
        "company": [],
        "stage_entry": [],
        "activity": [],
        "outcome_report": [],
    }
    year = DEMO_YEAR
    rows["cohort"].append(
        {
            "year": year,
            "name": f"{year} 광주 AI 창업지원 (가상 데모)",
            "target_companies": n_companies,
        }
    )
    programme_ids = {kind: i + 1 for i, (kind, _, _) in enumerate(_PROGRAMMES)}
    used_brn: set[str] = set()
    executed: dict[str, int] = {kind: 0 for kind in programme_ids}
    stage_id = activity_id = 0
    bases: list[OutcomeBasis] = []
    for cid in range(1, n_companies + 1):
        name_ko, name_en = company_names(cid)
        entry_stage = rng.choices(["pre_startup", "startup", "growth"], weights=[40, 40, 20])[0]
        entered = day_between(rng, date(year, 1, 3), date(year, 3, 31))
        founded = (
            None
            if entry_stage == "pre_startup"
            else day_between(rng, date(2014, 1, 1), date(year - 1, 12, 31))
        )
        industry = rng.choices(
            ["automotive", "healthcare", "energy", "other"], weights=[30, 30, 25, 15]
        )[0]
        rep = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        rows["company"].append(
            {
                "id": cid,
                "name_ko": name_ko,
                "name_en": name_en,
                "brn": None if entry_stage == "pre_startup" else brn(rng, used_brn),
                "representative": f"{rep} (가상)",
                "founded_on": founded,
                "industry": industry,
                "ai_field": rng.choice(AI_FIELDS),
                "location": rng.choice(DISTRICTS) if rng.random() < 0.85 else rng.choice(RELOCATED),
                "email": f"ceo{cid}@demo-company.example",
                "phone": f"010-0000-{cid % 10000:04d}",
                "officer_id": officer_ids[cid % len(officer_ids)],
                "cohort_year": year,
                "notes": "가상 데모 데이터 / fictional demo data",
                "archived": False,
                "version": 1,
                "created_at": stamp(entered),
                "updated_at": stamp(entered),
            }
        )
        stage_id += 1
        moves = [(entry_stage, entered, None)]
        stage = entry_stage
        if stage == "pre_startup" and rng.random() < 0.35:
            moved = day_between(rng, date(year, 4, 1), date(year, 11, 30))
            moves.append(("startup", moved, "법인 설립 (demo)"))
            rows["company"][-1]["founded_on"] = moved - timedelta(days=rng.randint(1, 20))
            rows["company"][-1]["brn"] = brn(rng, used_brn)
            stage = "startup"
        elif stage == "startup" and rng.random() < 0.2:
            moves.append(
                (
                    "growth",
                    day_between(rng, date(year, 4, 1), date(year, 11, 30)),
                    "매출 성장 (demo)",
                )
            )
            stage = "growth"
        elif stage == "growth" and rng.random() < 0.05:
            moves.append(
                (
                    "startup",
                    day_between(rng, date(year, 6, 1), date(year, 11, 30)),
                    "매출 감소로 재분류 (demo)",
                )
            )
            stage = "startup"
        stage_id -= 1
        for s, d, why in moves:
            stage_id += 1
            rows["stage_entry"].append(
                {
                    "id": stage_id,
                    "company_id": cid,
                    "stage": s,
                    "entered_on": d,
                    "reason": why,
                    "recorded_by_id": actor_id,
                    "recorded_at": stamp(d),
                }
            )
        # Activities: ~10 per company across the year, kinds weighted, investment only once founded.
        n_acts = rng.randint(4, 16)
        invested = False
        quarter_invest = [0, 0, 0, 0]
        quarter_export = [0, 0, 0, 0]
        for _ in range(n_acts):
            kind = rng.choices(
                ["mentoring", "prototyping", "investment", "overseas"], weights=[55, 20, 8, 17]
            )[0]
            if kind == "investment" and (stage == "pre_startup" or invested):
                kind = "mentoring"
            start = day_between(rng, entered, date(year, 12, 20))
            end: date | None = None
            status = "completed"
            if start > date(year, 11, 15):
                status = rng.choice(["planned", "in_progress", "completed"])
            if rng.random() < 0.02:
                status = "cancelled"
            if kind == "mentoring":
                hours = rng.choice([2, 2, 3, 4, 4, 6, 8])
                details: dict[str, Any] = {
                    "mentor": rng.choice(_MENTORS),
                    "topic": rng.choice(_TOPICS),
                    "hours": float(hours),
                }
                amount = hours * 150_000
            elif kind == "prototyping":
                budget = rng.randint(10, 60) * 1_000_000
                details = {
                    "vendor": rng.choice(_VENDORS),
                    "deliverable": rng.choice(_DELIVERABLES),
                    "budget": budget,
                }
                amount = budget
                end = min(start + timedelta(days=rng.randint(30, 90)), date(year, 12, 31))
            elif kind == "investment":
                invested = True
                amount = rng.randint(2, 40) * 50_000_000
                details = {
                    "fund_name": rng.choice(_FUNDS),
                    "round": rng.choice(["seed", "pre_a", "series_a"]),
                    "invested_amount": amount,
                }
                if status != "cancelled":
                    quarter_invest[Quarter.of(start).number - 1] += amount
            else:
                ptype = rng.choice(
                    ["exhibition", "market_research", "localisation", "export_contract"]
                )
                contract = rng.randint(1, 30) * 10_000_000 if ptype == "export_contract" else None
                details = {
                    "country": rng.choice(_COUNTRIES),
                    "programme_type": ptype,
                    "partner": rng.choice(_PARTNERS),
                }
                if contract:
                    details["contract_amount"] = contract
                    if status != "cancelled":
                        quarter_export[Quarter.of(start).number - 1] += contract
                amount = rng.randint(5, 30) * 1_000_000
                end = min(start + timedelta(days=rng.randint(3, 20)), date(year, 12, 31))
            if status != "cancelled":
                executed[kind] += amount
            activity_id += 1
            rows["activity"].append(
                {
                    "id": activity_id,
                    "company_id": cid,
                    "programme_id": programme_ids[kind],
                    "start_on": start,
                    "end_on": end,
                    "status": status,
                    "amount_krw": amount,
                    "officer_id": rows["company"][-1]["officer_id"],
                    "notes": None,
                    "details": details,
                    "version": 1,
                    "created_at": stamp(start),
                    "updated_at": stamp(start),
                }
            )
        bases.append(
            OutcomeBasis(cid, entry_stage, entered, tuple(quarter_invest), tuple(quarter_export))
        )
    rows["outcome_report"] = outcome_rows(bases, year, random.Random(f"{seed}:outcomes"))
    for kind, name, target in _PROGRAMMES:
        share = rng.uniform(0.72, 0.95)
        budget = int(round(executed[kind] / share / 10_000_000 + 0.5)) * 10_000_000
        rows["programme"].append(
            {
                "id": programme_ids[kind],
                "name": f"{year} {name}",
                "year": year,
                "kind": kind,
                "budget_krw": budget,
                "target_companies": max(1, round(target * n_companies / DEMO_TARGET)),
                "version": 1,
                "created_at": stamp(date(year, 1, 2)),
                "updated_at": stamp(date(year, 1, 2)),
            }
        )
    add_infrastructure(
        rows,
        reference_kinds() if kinds is None else kinds,
        year=year,
        seed=seed,
        officer_ids=officer_ids,
        actor_id=actor_id,
        used_brn=used_brn,
    )
    return rows


def reference_kinds() -> dict[str, list[KindField]]:
    """The infrastructure kinds' fields as the built-in reference rows declare them."""
    return {
        row["code"]: kind_fields(row)
        for row in BUILTIN_KIND_ROWS
        if row["code"] in INFRASTRUCTURE_KINDS
    }


def database_kinds(session: Session) -> dict[str, list[KindField]]:
    """The infrastructure kinds' fields as this database declares them (an admin may have
    relabelled, added or retired fields since)."""
    rows = session.exec(
        select(SupportKind).where(col(SupportKind.code).in_(INFRASTRUCTURE_KINDS))
    ).all()
    return {row.code: kind_fields(row) for row in rows}


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _audit_rows(
    entity: str, rows: Iterable[dict[str, Any]], actor_id: int, context: str, stamp_key: str
) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield {
            "at": row[stamp_key],
            "actor_id": actor_id,
            "action": "create" if entity != "stage_entry" else "stage_change",
            "entity": entity if entity != "stage_entry" else "company",
            "entity_id": row["id"] if entity != "stage_entry" else row["company_id"],
            "entity_version": row.get("version"),
            "field": None if entity != "stage_entry" else "stage",
            "old_value": None,
            "new_value": None
            if entity != "stage_entry"
            else stage_move_text(row["stage"], row["entered_on"]),
            "context": context,
        }


def has_data(session: Session) -> bool:
    return bool(session.exec(select(func.count()).select_from(Company)).one()) or bool(
        session.exec(select(func.count()).select_from(Programme)).one()
    )


def reset(session: Session) -> None:
    """Remove every domain row (users stay), restarting ids so a reload gives the same ids."""
    for model in (AuditEntry, OutcomeReport, Activity, StageEntry, Company, Programme, Cohort):
        session.exec(sa.delete(model))  # type: ignore[call-overload]
    session.commit()
    _reset_sequences(session)


def _reset_sequences(session: Session) -> None:
    bind = session.get_bind()
    tables = ("audit_entry", "outcome_report", "activity", "stage_entry", "company", "programme")
    if bind.dialect.name == "sqlite":
        exists = session.exec(
            sa.text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")  # type: ignore[call-overload]
        ).first()
        if exists:
            for table in tables:
                session.exec(
                    sa.text("DELETE FROM sqlite_sequence WHERE name=:t").bindparams(t=table)
                )  # type: ignore[call-overload]
    else:
        for table in tables:
            session.exec(  # type: ignore[call-overload]
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            )
    session.commit()


def load(
    session: Session,
    actor: Actor | None = None,
    *,
    companies: int = DEMO_TARGET,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
) -> LoadResult:
    """Load the demo cohort (or a large data set) in one transaction per table group."""
    if companies < 1 or companies > 1_000_000:
        raise ValueError("--companies must be between 1 and 1,000,000")
    ensure_builtin_kinds(session)
    actor = actor or system_actor(session)
    begin_authorised_write(session, actor, Permission.LOAD_DEMO)
    if has_data(session):
        if not replace:
            raise DemoLoadError()
        reset(session)
    staff = ensure_demo_staff(session)
    officer_ids = [staff[u] for u, _, role in DEMO_STAFF if role == Role.OFFICER]
    rows = generate(companies, seed, officer_ids, actor.id, database_kinds(session))
    context = f"demo load seed={seed}"
    tables: list[tuple[str, type[SQLModel], str]] = [
        ("cohort", Cohort, ""),
        ("programme", Programme, "created_at"),
        ("company", Company, "created_at"),
        ("stage_entry", StageEntry, "recorded_at"),
        ("activity", Activity, "created_at"),
        ("outcome_report", OutcomeReport, "created_at"),
    ]
    try:
        for name, model, stamp_key in tables:
            table = model.__table__  # type: ignore[attr-defined]
            for chunk in _chunks(rows[name]):
                session.execute(sa.insert(table), chunk)
                if stamp_key:
                    audit = list(_audit_rows(name, chunk, actor.id, context, stamp_key))
                    session.execute(sa.insert(AuditEntry.__table__), audit)  # type: ignore[attr-defined]
        session.commit()
    except Exception:
        session.rollback()
        raise
    _reset_sequences(session)
    return LoadResult(
        companies=len(rows["company"]),
        activities=len(rows["activity"]),
        stage_entries=len(rows["stage_entry"]),
        outcome_reports=len(rows["outcome_report"]),
        programmes=len(rows["programme"]),
        cohort_companies=companies,
    )


def demo_company_count(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(Company).where(col(Company.name_ko).contains(DEMO_MARK_KO))
    ).one()
