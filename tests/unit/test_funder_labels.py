"""Every label the funder pages build from a code exists in Korean and English (no raw codes)."""

from __future__ import annotations

import pytest

from crm.funder.checks import EXTENSIONS, FEATURE_PARTS
from crm.funder.figures import KIND_FIELDS, OUTCOME_FIELDS, PROGRAMME_FIELDS, STAGE_FIELDS, TOTALS
from crm.funder.tables import ACTIVITY_FIELDS, COMPANY_FIELDS, ROW_KINDS, SCOPES, SORTS
from crm.i18n import CATALOGUES

KEYS = [
    *(f"funder.fig.{code}" for code, _ in TOTALS),
    "funder.fig.executed_share",
    *(f"funder.fig.kind.{field}" for field, _ in KIND_FIELDS),
    *(f"funder.fig.programme.{field}" for field, _ in PROGRAMME_FIELDS),
    *(f"funder.fig.stage.{field}" for field in STAGE_FIELDS),
    *(f"funder.fig.outcome.{f}.{s}" for f, _ in OUTCOME_FIELDS for s in ("q", "ytd")),
    *(f"funder.field.{field}" for field in {*COMPANY_FIELDS, *ACTIVITY_FIELDS}),
    *(f"funder.feature.{code}" for _, code in FEATURE_PARTS if code != "comments_drawings"),
    *(f"funder.feature.{code}" for _, code in EXTENSIONS),
    *(f"funder.sort.{v}" for v in SORTS),
    *(f"funder.scope.{v}" for v in SCOPES),
    *(f"funder.rows.{v}" for v in ROW_KINDS),
]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_coded_label_exists(lang: str) -> None:
    missing = [key for key in KEYS if key not in CATALOGUES[lang]]
    assert missing == []


def test_korean_labels_are_korean() -> None:
    english_only = [
        key
        for key in KEYS
        if CATALOGUES["ko"][key].isascii() and CATALOGUES["ko"][key] != CATALOGUES["en"][key]
    ]
    assert english_only == []
