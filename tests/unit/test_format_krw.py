"""KRW for display: full won, or scaled with one decimal only when it is not zero after rounding."""

from __future__ import annotations

import pytest

from crm.ui.format import krw


@pytest.mark.parametrize(
    ("amount", "ko", "en"),
    [
        (9_150_000_000, "9,150백만원", "₩9,150M"),  # whole: no needless ".0"
        (12_500_000, "12.5백만원", "₩12.5M"),  # not whole: one decimal
        (12_250_000, "12.3백만원", "₩12.3M"),  # half rounds away from zero, as a ledger does
        (12_960_000, "13백만원", "₩13M"),  # rounds up to a whole figure: no ".0"
        (300_000, "0.3백만원", "₩0.3M"),
        (40_000, "0백만원", "₩0M"),
        (0, "0백만원", "₩0M"),
        (-1_250_000, "-1.3백만원", "₩-1.3M"),
        (-40_000, "0백만원", "₩0M"),  # no "-0"
        (123_456_789_000, "123,456.8백만원", "₩123,456.8M"),
    ],
)
def test_millions_one_unit_no_needless_decimal(amount: int, ko: str, en: str) -> None:
    assert krw(amount, "ko", millions=True) == ko
    assert krw(amount, "en", millions=True) == en


@pytest.mark.parametrize(
    ("amount", "ko", "en"),
    [
        (9_150_000_000, "91.5억원", "₩9.2B"),
        (300_000_000, "3억원", "₩300M"),
        (10_000_000_000, "100억원", "₩10B"),
        (45_000_000, "45백만원", "₩45M"),
    ],
)
def test_compact(amount: int, ko: str, en: str) -> None:
    assert krw(amount, "ko", compact=True) == ko
    assert krw(amount, "en", compact=True) == en


@pytest.mark.parametrize(
    ("amount", "ko", "en"),
    [
        (100_000_000, "1억원", "₩100M"),  # ko switches to 억 at exactly one hundred million
        (99_999_999, "100백만원", "₩100M"),
        (-100_000_000, "-1억원", "₩-100M"),  # the sign does not hide a large amount
        (1_000_000_000, "10억원", "₩1B"),  # en switches to B at exactly one billion
        (999_999_999, "10억원", "₩1,000M"),
        (-1_000_000_000, "-10억원", "₩-1B"),
    ],
)
def test_compact_unit_thresholds(amount: int, ko: str, en: str) -> None:
    assert krw(amount, "ko", compact=True) == ko
    assert krw(amount, "en", compact=True) == en


def test_full_won_and_missing() -> None:
    assert krw(1_234_000, "ko") == "1,234,000원"
    assert krw(1_234_000, "en") == "₩1,234,000"
    assert krw(None, "ko", millions=True) == "-"
    assert krw(float("nan"), "en") == "-"
