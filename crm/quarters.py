"""A calendar quarter as a value: which quarter a day falls in, its first and last day, its
neighbours. The one place that knows a quarter is three months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"a quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def index(self) -> int:
        """Quarters counted from year 0 (2022 Q1 = 8088): index + 1 is the next quarter."""
        return self.year * 4 + self.number - 1

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def bounds(self) -> tuple[date, date]:
        """First and last day, both inside the quarter."""
        return self.start, self.end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Quarter:
        return Quarter.from_index(self.index - 1)

    def next(self) -> Quarter:
        return Quarter.from_index(self.index + 1)

    @property
    def label(self) -> str:
        """'2022-Q1': the same in every language (file names, audit context, chart axes)."""
        return f"{self.year}-Q{self.number}"
