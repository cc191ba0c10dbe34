"""The Reports page's restatement table: quarter, record by name, change, reason, who, when
(office zone). Pure (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from crm.i18n import t
from crm.reports.restatements import RestatementLine
from crm.ui import format as fmt


def restatement_table(lines: Sequence[RestatementLine], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("home.quarter", lang): [r.period for r in lines],
            t("report.col.record", lang): [r.record for r in lines],
            t("report.col.change", lang): [r.change for r in lines],
            t("col.reason", lang): [r.reason for r in lines],
            t("col.who", lang): [r.by for r in lines],
            t("col.when", lang): [fmt.moment(r.at, lang) for r in lines],
        }
    )
