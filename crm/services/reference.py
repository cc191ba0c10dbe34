"""Reference data every database has: the four built-in kinds of support and their field specs."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from crm.errors import NotFound
from crm.models import SupportKind
from crm.validation import MONEY_TYPE, is_money_field, is_money_spec

OVERSEAS_TYPES = ("exhibition", "market_research", "localisation", "export_contract")
INVESTMENT_ROUNDS = ("seed", "pre_a", "series_a", "series_b", "series_c", "bridge", "other")


def _choices(*options: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"code": code, "ko": ko, "en": en} for code, ko, en in options]


def _field(name: str, type_: str, ko: str, en: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "label_ko": ko, "label_en": en, **more}


# The declarations of the built-in kinds (crm.kinds.spec reads them; migration 0007 wrote the
# same labels into databases made before it).
BUILTIN_KIND_ROWS: list[dict[str, Any]] = [
    {
        "code": "mentoring",
        "name_ko": "멘토링",
        "name_en": "Mentoring",
        "sort_order": 1,
        "fields": [
            _field("mentor", "text", "멘토", "Mentor", required=True, max_len=100),
            _field("topic", "text", "주제", "Topic", required=True, max_len=200),
            _field(
                "hours",
                "decimal",
                "시간",
                "Hours",
                required=True,
                positive=True,
                max=200,
            ),
        ],
    },
    {
        "code": "prototyping",
        "name_ko": "시제품 제작",
        "name_en": "Prototype production",
        "sort_order": 2,
        "fields": [
            _field("vendor", "text", "제작업체", "Vendor", required=True, max_len=200),
            _field("deliverable", "text", "결과물", "Deliverable", required=True, max_len=200),
            _field(
                "budget",
                MONEY_TYPE,
                "제작 예산",
                "Production budget",
                required=True,
                min=0,
                help_ko=(
                    "시제품 제작 건의 제작 예산입니다. 집행액은 '금액 (원)'으로 계산합니다. 둘 중 "
                    "하나만 입력하면 다른 쪽에도 같은 금액이 저장됩니다."
                ),
                help_en=(
                    "The production budget of this prototype. Execution uses 'Amount (KRW)'. "
                    "Fill in just one of the two and the other gets the same amount."
                ),
            ),
        ],
    },
    {
        "code": "investment",
        "name_ko": "투자펀드",
        "name_en": "Fund investment",
        "sort_order": 3,
        "fields": [
            _field("fund_name", "text", "펀드명", "Fund", required=True, max_len=200),
            _field(
                "round",
                "choice",
                "투자 단계",
                "Round",
                required=True,
                choices=_choices(
                    ("seed", "시드", "Seed"),
                    ("pre_a", "프리A", "Pre-A"),
                    ("series_a", "시리즈 A", "Series A"),
                    ("series_b", "시리즈 B", "Series B"),
                    ("series_c", "시리즈 C", "Series C"),
                    ("bridge", "브릿지", "Bridge"),
                    ("other", "기타", "Other"),
                ),
            ),
            _field(
                "invested_amount",
                MONEY_TYPE,
                "투자금액",
                "Invested amount",
                required=True,
                positive=True,
                help_ko=(
                    "펀드가 이 기업에 투자한 금액입니다. 집행액은 '금액 (원)'으로 계산합니다. "
                    "둘 중 하나만 입력하면 다른 쪽에도 같은 금액이 저장됩니다."
                ),
                help_en=(
                    "What the fund invested in this company. Execution uses 'Amount (KRW)'. "
                    "Fill in just one of the two and the other gets the same amount."
                ),
            ),
        ],
    },
    {
        "code": "overseas",
        "name_ko": "해외진출",
        "name_en": "Overseas expansion",
        "sort_order": 4,
        "fields": [
            _field("country", "country", "국가", "Country", required=True),
            _field(
                "programme_type",
                "choice",
                "프로그램 유형",
                "Programme type",
                required=True,
                choices=_choices(
                    ("exhibition", "전시회", "Exhibition"),
                    ("market_research", "시장조사", "Market research"),
                    ("localisation", "현지화", "Localisation"),
                    ("export_contract", "수출계약", "Export contract"),
                ),
            ),
            _field("partner", "text", "파트너", "Partner", required=False, max_len=200),
            _field(
                "contract_amount",
                MONEY_TYPE,
                "계약금액",
                "Contract amount",
                required=False,
                min=0,
                help_ko=(
                    "기업이 맺은 수출 계약의 금액(기업의 성과)입니다. 지원사업이 쓴 돈이 아니므로 "
                    "집행액에는 들어가지 않습니다. 지원에 쓴 사업비는 '금액 (원)'에 입력하세요."
                ),
                help_en=(
                    "The value of the export contract the company signed (its result). It is "
                    "not programme money, so it is not counted as executed. Put the money "
                    "spent on the support in 'Amount (KRW)'."
                ),
            ),
        ],
    },
    {
        "code": "hpc",
        "name_ko": "HPC 컴퓨팅 자원",
        "name_en": "HPC compute",
        "sort_order": 5,
        "fields": [
            _field("project_title", "text", "과제명", "Project title", required=True, max_len=200),
            _field(
                "resource",
                "text",
                "자원 (GPU 모델·노드)",
                "Resource (GPU model / node type)",
                required=True,
                max_len=100,
            ),
            _field(
                "allocated_gpu_hours",
                "hours",
                "배정 GPU 시간",
                "Allocated GPU-hours",
                required=True,
                positive=True,
                max=1_000_000,
            ),
            _field(
                "used_gpu_hours",
                "hours",
                "사용 GPU 시간",
                "Used GPU-hours",
                required=False,
                min=0,
                max=1_000_000,
            ),
        ],
    },
    {
        "code": "equipment",
        "name_ko": "시험·실증 장비",
        "name_en": "Test equipment",
        "sort_order": 6,
        "fields": [
            _field(
                "equipment",
                "choice",
                "장비",
                "Equipment",
                required=True,
                choices=_choices(
                    (
                        "av_virtual_rig",
                        "자율주행 가상 시험 장비",
                        "Autonomous-driving virtual test rig",
                    ),
                    ("ev_battery_tester", "전기차 배터리 시험기", "EV battery tester"),
                    (
                        "medical_imaging_ai",
                        "의료영상 AI 검증 장비",
                        "Medical-imaging AI validation rig",
                    ),
                    ("energy_storage_tester", "에너지 저장장치 시험기", "Energy-storage tester"),
                    ("emc_chamber", "전자파 적합성 시험실", "EMC test chamber"),
                    ("gpu_edge_bench", "엣지 AI 성능 시험대", "Edge-AI performance bench"),
                ),
            ),
            _field("purpose", "text", "사용 목적", "Purpose", required=True, max_len=200),
            _field(
                "days_used",
                "integer",
                "사용 일수",
                "Days used",
                required=True,
                positive=True,
                max=366,
            ),
            _field(
                "test_report_issued",
                "choice",
                "시험성적서 발급",
                "Test report issued",
                required=True,
                choices=_choices(("yes", "발급", "Issued"), ("no", "미발급", "Not issued")),
            ),
        ],
    },
]


# Kind fields holding KRW, by name: for places that see a stored value without its kind's spec
# (the audit history of an activity's details).
MONEY_KIND_FIELDS = frozenset(
    f["name"] for row in BUILTIN_KIND_ROWS for f in row["fields"] if is_money_spec(f)
)


def is_money_name(name: str) -> bool:
    """`amount_krw`, `details.invested_amount`, `invested_amount`: KRW by the declarations."""
    bare = name.removeprefix("details.")
    return is_money_field(bare) or bare in MONEY_KIND_FIELDS


def ensure_builtin_kinds(session: Session) -> int:
    """Insert the built-in kinds that are missing (idempotent); returns how many were added."""
    existing = set(session.exec(select(SupportKind.code)).all())
    added = 0
    for row in BUILTIN_KIND_ROWS:
        if row["code"] not in existing:
            session.add(SupportKind(**row))
            added += 1
    session.commit()
    return added


def get_kind(session: Session, code: str) -> SupportKind:
    kind = session.get(SupportKind, code)
    if kind is None:
        raise NotFound(entity="support_kind", id=code)
    return kind


def list_kinds(session: Session) -> list[SupportKind]:
    return list(session.exec(select(SupportKind).order_by(SupportKind.sort_order)).all())


def kind_label(kind: SupportKind, lang: str) -> str:
    return kind.name_ko if lang == "ko" else kind.name_en
