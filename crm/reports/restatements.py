"""Restatements as a reader reads them (About sheet, Reports page): the quarter, the record by
name (company · kind · date), what changed in labels and formatted values, the reason, who and
when. The sentences come from the audit describer (crm/ui/history.py, pure: no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from crm.i18n import t
from crm.services.history import Entry, Names, restated_changes
from crm.services.quarters import RestatementInfo
from crm.ui.history import change_text, period_text, subject


@dataclass(frozen=True)
class RestatementLine:
    period: str  # 2022년 3분기 / 2022 Q3
    record: str  # 금남로보틱스 · 멘토링 (2022.09.15)
    change: str  # 금액 8,500,000원 → 9,000,000원
    reason: str
    by: str
    at: datetime  # as stored (UTC); shown in the office's zone


def restatement_lines(
    session: Session, restatements: Sequence[RestatementInfo], lang: str
) -> list[RestatementLine]:
    """Each restatement in words, in the given order (names read once for the whole list)."""
    found = restated_changes(session, [r.id for r in restatements])
    return [
        describe_restatement(r, found.changes.get(r.id, []), found.names, lang)
        for r in restatements
    ]


def describe_restatement(
    info: RestatementInfo, changes: Sequence[Entry], names: Names, lang: str
) -> RestatementLine:
    said = [change_text(e, names, lang) for e in changes]
    return RestatementLine(
        period=period_text((info.year, info.quarter), lang),
        record=subject(info.entity, info.entity_id, names, lang),
        change=t("restatement.changes_join", lang).join(said)
        or t("restatement.change.unknown", lang),
        reason=info.reason,
        by=info.by,
        at=info.at,
    )
