"""What a report is for: the period (a quarter and its year to date), the KRW unit, the language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from crm.i18n import LANGUAGES
from crm.quarters import Quarter
from crm.validation import Checker


class Unit(StrEnum):
    """KRW as Korean public reports show it: won, 천원 or 백만원."""

    WON = "won"
    THOUSAND = "thousand"
    MILLION = "million"

    @property
    def divisor(self) -> int:
        return {Unit.WON: 1, Unit.THOUSAND: 1_000, Unit.MILLION: 1_000_000}[self]


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int

    @property
    def start(self) -> date:
        return Quarter(self.year, self.quarter).start

    @property
    def end(self) -> date:
        return Quarter(self.year, self.quarter).end

    @property
    def ytd_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def before_start(self) -> date:
        """The day before the quarter: the stage 'at quarter start' is the stage on this day."""
        return date.fromordinal(self.start.toordinal() - 1)

    @property
    def label(self) -> str:
        return Quarter(self.year, self.quarter).label


@dataclass(frozen=True)
class ReportOptions:
    year: int
    quarter: int
    unit: Unit = Unit.WON
    lang: str = "ko"

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", Unit(self.unit))  # accept "thousand" as well

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


def validate_options(
    year: int | str, quarter: int | str, unit: Unit | str = Unit.WON, lang: str = "ko"
) -> ReportOptions:
    """Checked options, or a ValidationError naming each bad field."""
    check = Checker()
    y = check.integer("year", year, required=True, minimum=2000, maximum=2100)
    q = check.integer("quarter", quarter, required=True, minimum=1, maximum=4)
    if str(unit) not in [u.value for u in Unit]:
        check.fail("unit", "report.error.unit")
    if lang not in LANGUAGES:
        check.fail("lang", "report.error.language")
    check.raise_if_errors()
    assert y is not None and q is not None
    return ReportOptions(year=y, quarter=q, unit=Unit(str(unit)), lang=lang)
