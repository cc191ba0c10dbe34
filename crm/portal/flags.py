"""Implausible answers flagged for the officer (pure: figures in, flags out)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

# Which evidence each figure needs; "patent_numbers" is typed in, the rest are files.
EVIDENCE_FOR: dict[str, str] = {
    "employees": "insurance_roster",
    "new_hires": "insurance_roster",
    "revenue_krw": "financial_statement",
    "patents_filed": "patent_numbers",
    "patents_registered": "patent_numbers",
    "investment_krw": "investment_contract",
    "exports_krw": "export_certificate",
}
TYPED_EVIDENCE = frozenset({"patent_numbers"})


@dataclass(frozen=True)
class Flag:
    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def _n(figures: Mapping[str, Any], name: str) -> int:
    value = figures.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def flag_answer(
    figures: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    *,
    evidence: Mapping[str, str],
    evidence_figures: Collection[str],
    patents: Collection[str],
    claimed_elsewhere: Collection[str],
) -> list[Flag]:
    """What an officer should look at twice before accepting an answer."""
    flags: list[Flag] = []
    if _n(figures, "new_hires") > _n(figures, "employees"):
        flags.append(Flag("new_hires", "portal.flag.hires_above_employees"))
    before = _n(previous or {}, "employees")
    if before > 0 and _n(figures, "employees") >= 3 * before:
        flags.append(Flag("employees", "portal.flag.employees_tripled", {"before": before}))
    for name in ("revenue_krw", "investment_krw", "exports_krw"):
        if _n(figures, name) < 0:
            flags.append(Flag(name, "portal.flag.negative"))
    for number in sorted(set(patents) & set(claimed_elsewhere)):
        flags.append(Flag("patents_filed", "portal.flag.patent_claimed", {"number": number}))
    if _n(figures, "patents_filed") > 0 and len(patents) < _n(figures, "patents_filed"):
        flags.append(
            Flag(
                "patents_filed",
                "portal.flag.patent_numbers_missing",
                {"count": _n(figures, "patents_filed"), "given": len(patents)},
            )
        )
    for name, kind in evidence.items():
        if kind in TYPED_EVIDENCE or kind == "none":
            continue
        if _n(figures, name) > 0 and name not in evidence_figures:
            flags.append(Flag(name, "portal.flag.evidence_missing"))
    return flags
