"""The companies list as shown on screen and in its Excel download (same columns, same labels)."""

from __future__ import annotations

import pandas as pd

from crm.i18n import t
from crm.ui.forms import ai_field_label


def list_frame(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Display columns with translated headers; amounts stay numbers (KRW), dates stay dates."""

    def tr(key: str) -> str:
        return t(key, lang)

    return pd.DataFrame(
        {
            tr("field.name_ko"): rows["name_ko"],
            tr("field.name_en"): rows["name_en"].fillna(""),
            tr("field.brn"): rows["brn"].fillna(""),
            tr("field.representative"): rows["representative"].fillna(""),
            tr("col.stage"): [tr(f"stage.{v}") for v in rows["stage"]],
            tr("field.industry"): [tr(f"industry.{v}") for v in rows["industry"]],
            tr("field.ai_field"): [ai_field_label(v, lang) for v in rows["ai_field"]],
            tr("field.location"): rows["location"].fillna(""),
            tr("col.officer"): rows["officer"].fillna(""),
            tr("field.cohort_year"): rows["cohort_year"].astype(int),
            tr("col.activities_n"): rows["activities"].astype(int),
            tr("col.amount_total"): rows["amount_krw"].astype(int),
            tr("col.last_support"): rows["last_support"],
            tr("field.email"): rows["email"].fillna(""),
            tr("field.phone"): rows["phone"].fillna(""),
        }
    )
