"""The programme budget table shown on the home dashboard and the support log: executed apart from
committed and planned, each column explained (definitions: crm.services.budget)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from crm.i18n import t
from crm.ui import format as fmt
from crm.ui.kind_names import name_of


def budget_frame(
    execution: pd.DataFrame, lang: str, *, millions: bool, names: Mapping[str, str]
) -> pd.DataFrame:
    """Programme, kind, budget, executed, committed, planned (formatted in one unit: 백만원 when
    `millions`, else whole won) and % executed, from `stats.programme_execution`."""

    def money(column: str) -> list[str]:
        return [fmt.krw(v, lang, millions=millions) for v in execution[column]]

    return pd.DataFrame(
        {
            t("col.programme", lang): execution["name"],
            t("col.kind", lang): [name_of(names, k) for k in execution["kind"]],
            t("col.budget", lang): money("budget_krw"),
            t("col.executed", lang): money("executed_krw"),
            t("budget.col.committed", lang): money("committed_krw"),
            t("budget.col.planned", lang): money("planned_krw"),
            t("col.executed_pct", lang): execution["executed_pct"].round(1),
        }
    )


def budget_columns(lang: str) -> dict[str, Any]:
    """Column settings: what each amount means (hover help) and % executed as a bar."""
    return {
        t("col.executed", lang): st.column_config.TextColumn(help=t("budget.help.executed", lang)),
        t("budget.col.committed", lang): st.column_config.TextColumn(
            help=t("budget.help.committed", lang)
        ),
        t("budget.col.planned", lang): st.column_config.TextColumn(
            help=t("budget.help.planned", lang)
        ),
        t("col.executed_pct", lang): st.column_config.ProgressColumn(
            t("col.executed_pct", lang),
            help=t("budget.help.executed_pct", lang),
            min_value=0,
            max_value=100,
            format="%.1f%%",
        ),
    }


def over_allocated(execution: pd.DataFrame, lang: str) -> list[str]:
    """One warning per programme whose executed + committed + planned exceeds its budget."""
    warnings = []
    for row in execution.itertuples():
        total = int(row.executed_krw + row.committed_krw + row.planned_krw)
        if row.budget_krw and total > row.budget_krw:
            warnings.append(
                t(
                    "budget.over_allocated",
                    lang,
                    programme=row.name,
                    executed=fmt.krw(row.executed_krw, lang),
                    committed=fmt.krw(row.committed_krw, lang),
                    planned=fmt.krw(row.planned_krw, lang),
                    total=fmt.krw(total, lang),
                    budget=fmt.krw(row.budget_krw, lang),
                )
            )
    return warnings
