"""Pieces the demo generators share: fictional names, days, registration numbers and the count
draws (zero-inflated negative binomial) that give believable spreads."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from crm.validation import brn_check_digit

DEMO_MARK_KO = "(가상)"
DEMO_MARK_EN = "(fictional)"

_PREFIX = [
    ("빛고을", "Bitgoeul"),
    ("무등", "Mudeung"),
    ("영산", "Yeongsan"),
    ("첨단", "Cheomdan"),
    ("상무", "Sangmu"),
    ("하남", "Hanam"),
    ("광천", "Gwangcheon"),
    ("양림", "Yangnim"),
    ("충장", "Chungjang"),
    ("금남", "Geumnam"),
    ("서석", "Seoseok"),
    ("운암", "Unam"),
    ("송정", "Songjeong"),
    ("평동", "Pyeongdong"),
    ("월계", "Wolgye"),
]
_CORE = [
    ("에이아이", "AI"),
    ("비전", "Vision"),
    ("로보틱스", "Robotics"),
    ("데이터", "Data"),
    ("헬스", "Health"),
    ("모빌리티", "Mobility"),
    ("에너지", "Energy"),
    ("랩스", "Labs"),
    ("솔루션", "Solutions"),
    ("테크", "Tech"),
    ("인사이트", "Insight"),
    ("메디", "Medi"),
    ("그리드", "Grid"),
    ("센스", "Sense"),
    ("브레인", "Brain"),
]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN_NAMES = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "시우", "하린"]
GIVEN_NAMES += ["주원", "윤서"]
AI_FIELDS = ["vision", "language", "data", "robotics", "speech", "recommendation"]
DISTRICTS = ["동구", "서구", "남구", "북구", "광산구"]
RELOCATED = ["서울에서 이전", "경기에서 이전", "대전에서 이전"]  # moved in from another region


def company_names(cid: int) -> tuple[str, str]:
    """The fictional Korean and English names of company `cid` (unique per id)."""
    p_ko, p_en = _PREFIX[(cid - 1) % len(_PREFIX)]
    c_ko, c_en = _CORE[((cid - 1) // len(_PREFIX)) % len(_CORE)]
    serial = (cid - 1) // (len(_PREFIX) * len(_CORE))
    suffix = f" {serial + 1}" if serial else ""
    return f"{p_ko}{c_ko}{suffix} {DEMO_MARK_KO}", f"{p_en} {c_en}{suffix} {DEMO_MARK_EN}"


def stamp(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def brn(rng: random.Random, used: set[str]) -> str:
    """A fictional business registration number with a valid check digit, unused so far."""
    while True:
        head = f"{rng.randint(101, 899)}{rng.choice(['81', '86', '88'])}{rng.randint(0, 9999):04d}"
        digits = head + str(brn_check_digit(head))
        if digits not in used:
            used.add(digits)
            return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's product of uniforms; the demo's means stay small)."""
    limit = math.exp(-min(lam, 60.0))
    k, product = 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def zero_inflated_count(
    rng: random.Random, mean: float, *, zero_share: float, dispersion: float
) -> int:
    """A count with the given mean: zero for a share of draws (companies that report none at
    all), otherwise negative binomial (a gamma-mixed Poisson: most small, a few large)."""
    if mean <= 0 or rng.random() < zero_share:
        return 0
    active_mean = mean / (1 - zero_share)
    return poisson(rng, rng.gammavariate(dispersion, active_mean / dispersion))


def spread(rng: random.Random, total: int, slots: int) -> list[int]:
    """`total` items put one by one into `slots` equally likely slots."""
    counts = [0] * slots
    for _ in range(total):
        counts[rng.randrange(slots)] += 1
    return counts
