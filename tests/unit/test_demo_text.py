"""The demo cohort reads in Korean: locations are districts or "…에서 이전", never English."""

from __future__ import annotations

import re

from crm import demo
from crm.models import GWANGJU_DISTRICTS


def test_demo_locations_are_korean() -> None:
    rows = demo.generate(500, 2022, [1, 2], 1)
    locations = {c["location"] for c in rows["company"]}
    moved = locations - set(GWANGJU_DISTRICTS)
    assert moved == {"서울에서 이전", "경기에서 이전", "대전에서 이전"}
    assert not [loc for loc in locations if re.search(r"[A-Za-z]", loc)]
