"""support kinds defined in the app: labels stored in each field, HPC compute and test equipment

- support_kind gets a version column (optimistic saves, like every other editable row);
- the built-in kinds' stored fields get their Korean/English labels, help and choice labels
  (the catalogue keys they came from go away; stored activity values are not touched);
- two new built-in kinds: `hpc` (HPC compute) and `equipment` (test equipment).

The data below is a snapshot of the declarations at this revision (crm/services/reference.py
holds the living copy for fresh databases).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> (label_ko, label_en)
LABELS: dict[str, tuple[str, str]] = {
    "mentor": ("멘토", "Mentor"),
    "topic": ("주제", "Topic"),
    "hours": ("시간", "Hours"),
    "vendor": ("제작업체", "Vendor"),
    "deliverable": ("결과물", "Deliverable"),
    "budget": ("제작 예산", "Production budget"),
    "fund_name": ("펀드명", "Fund"),
    "round": ("투자 단계", "Round"),
    "invested_amount": ("투자금액", "Invested amount"),
    "country": ("국가", "Country"),
    "programme_type": ("프로그램 유형", "Programme type"),
    "partner": ("파트너", "Partner"),
    "contract_amount": ("계약금액", "Contract amount"),
}
HELP: dict[str, tuple[str, str]] = {
    "budget": (
        "시제품 제작 건의 제작 예산입니다. 집행액은 '금액 (원)'으로 계산합니다. 둘 중 하나만 "
        "입력하면 다른 쪽에도 같은 금액이 저장됩니다.",
        "The production budget of this prototype. Execution uses 'Amount (KRW)'. Fill in just "
        "one of the two and the other gets the same amount.",
    ),
    "invested_amount": (
        "펀드가 이 기업에 투자한 금액입니다. 집행액은 '금액 (원)'으로 계산합니다. 둘 중 하나만 "
        "입력하면 다른 쪽에도 같은 금액이 저장됩니다.",
        "What the fund invested in this company. Execution uses 'Amount (KRW)'. Fill in just one "
        "of the two and the other gets the same amount.",
    ),
    "contract_amount": (
        "기업이 맺은 수출 계약의 금액(기업의 성과)입니다. 지원사업이 쓴 돈이 아니므로 "
        "집행액에는 들어가지 않습니다. 지원에 쓴 사업비는 '금액 (원)'에 입력하세요.",
        "The value of the export contract the company signed (its result). It is not programme "
        "money, so it is not counted as executed. Put the money spent on the support in "
        "'Amount (KRW)'.",
    ),
}
CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "round": {
        "seed": ("시드", "Seed"),
        "pre_a": ("프리A", "Pre-A"),
        "series_a": ("시리즈 A", "Series A"),
        "series_b": ("시리즈 B", "Series B"),
        "series_c": ("시리즈 C", "Series C"),
        "bridge": ("브릿지", "Bridge"),
        "other": ("기타", "Other"),
    },
    "programme_type": {
        "exhibition": ("전시회", "Exhibition"),
        "market_research": ("시장조사", "Market research"),
        "localisation": ("현지화", "Localisation"),
        "export_contract": ("수출계약", "Export contract"),
    },
}
BUILTIN = ("mentoring", "prototyping", "investment", "overseas")


def _choice(code: str, ko: str, en: str) -> dict[str, Any]:
    return {"code": code, "ko": ko, "en": en}


NEW_KINDS: list[dict[str, Any]] = [
    {
        "code": "hpc",
        "name_ko": "HPC 컴퓨팅 자원",
        "name_en": "HPC compute",
        "sort_order": 5,
        "fields": [
            {
                "name": "project_title",
                "type": "text",
                "label_ko": "과제명",
                "label_en": "Project title",
                "required": True,
                "max_len": 200,
            },
            {
                "name": "resource",
                "type": "text",
                "label_ko": "자원 (GPU 모델·노드)",
                "label_en": "Resource (GPU model / node type)",
                "required": True,
                "max_len": 100,
            },
            {
                "name": "allocated_gpu_hours",
                "type": "hours",
                "label_ko": "배정 GPU 시간",
                "label_en": "Allocated GPU-hours",
                "required": True,
                "positive": True,
                "max": 1_000_000,
            },
            {
                "name": "used_gpu_hours",
                "type": "hours",
                "label_ko": "사용 GPU 시간",
                "label_en": "Used GPU-hours",
                "required": False,
                "min": 0,
                "max": 1_000_000,
            },
        ],
    },
    {
        "code": "equipment",
        "name_ko": "시험·실증 장비",
        "name_en": "Test equipment",
        "sort_order": 6,
        "fields": [
            {
                "name": "equipment",
                "type": "choice",
                "label_ko": "장비",
                "label_en": "Equipment",
                "required": True,
                "choices": [
                    _choice(
                        "av_virtual_rig",
                        "자율주행 가상 시험 장비",
                        "Autonomous-driving virtual test rig",
                    ),
                    _choice("ev_battery_tester", "전기차 배터리 시험기", "EV battery tester"),
                    _choice(
                        "medical_imaging_ai",
                        "의료영상 AI 검증 장비",
                        "Medical-imaging AI validation rig",
                    ),
                    _choice(
                        "energy_storage_tester", "에너지 저장장치 시험기", "Energy-storage tester"
                    ),
                    _choice("emc_chamber", "전자파 적합성 시험실", "EMC test chamber"),
                    _choice("gpu_edge_bench", "엣지 AI 성능 시험대", "Edge-AI performance bench"),
                ],
            },
            {
                "name": "purpose",
                "type": "text",
                "label_ko": "사용 목적",
                "label_en": "Purpose",
                "required": True,
                "max_len": 200,
            },
            {
                "name": "days_used",
                "type": "integer",
                "label_ko": "사용 일수",
                "label_en": "Days used",
                "required": True,
                "positive": True,
                "max": 366,
            },
            {
                "name": "test_report_issued",
                "type": "choice",
                "label_ko": "시험성적서 발급",
                "label_en": "Test report issued",
                "required": True,
                "choices": [
                    _choice("yes", "발급", "Issued"),
                    _choice("no", "미발급", "Not issued"),
                ],
            },
        ],
    },
]

support_kind = sa.table(
    "support_kind",
    sa.column("code", sa.String),
    sa.column("name_ko", sa.String),
    sa.column("name_en", sa.String),
    sa.column("fields", sa.JSON),
    sa.column("sort_order", sa.Integer),
)
programme = sa.table("programme", sa.column("kind", sa.String))


def _labelled(field: dict[str, Any]) -> dict[str, Any]:
    name = field.get("name", "")
    out = dict(field)
    if name in LABELS and "label_ko" not in out:
        out["label_ko"], out["label_en"] = LABELS[name]
    if name in HELP and "help_ko" not in out:
        out["help_ko"], out["help_en"] = HELP[name]
    labels = CHOICE_LABELS.get(name, {})
    if out.get("type") == "choice" and labels:
        out["choices"] = [
            _choice(c, *labels.get(c, (c, c))) if isinstance(c, str) else c
            for c in out.get("choices", [])
        ]
    return out


def _unlabelled(field: dict[str, Any]) -> dict[str, Any]:
    drop = {"label_ko", "label_en", "help_ko", "help_en", "unit_ko", "unit_en"}
    out = {k: v for k, v in field.items() if k not in drop}
    if out.get("type") == "choice":
        out["choices"] = [c["code"] if isinstance(c, dict) else c for c in out.get("choices", [])]
    return out


def _rewrite(change: Any) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(support_kind.c.code, support_kind.c.fields)).all()
    for code, fields in rows:
        if code not in BUILTIN or not fields:
            continue
        changed = [change(f) for f in fields]
        if changed != fields:
            bind.execute(
                support_kind.update().where(support_kind.c.code == code).values(fields=changed)
            )


def upgrade() -> None:
    with op.batch_alter_table("support_kind", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    _rewrite(_labelled)
    bind = op.get_bind()
    existing = set(bind.execute(sa.select(support_kind.c.code)).scalars())
    missing = [row for row in NEW_KINDS if row["code"] not in existing]
    if missing:
        op.bulk_insert(support_kind, missing)
    with op.batch_alter_table("support_kind", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)


def downgrade() -> None:
    bind = op.get_bind()
    used = set(bind.execute(sa.select(programme.c.kind).distinct()).scalars())
    for row in NEW_KINDS:
        if row["code"] not in used:  # a kind with programmes stays (their activities need it)
            bind.execute(support_kind.delete().where(support_kind.c.code == row["code"]))
    _rewrite(_unlabelled)
    with op.batch_alter_table("support_kind", schema=None) as batch_op:
        batch_op.drop_column("version")
