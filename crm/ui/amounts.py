"""Reading money typed the way Korean offices write it (1,200,000 · 120만원 · 1.2억 · 3천만원).

One reader for every place an amount is typed (single forms, quick entry): a readable amount
becomes won; anything else is kept as typed so the service refuses it with its message
("error.amount") instead of a different number being saved."""

from __future__ import annotations

import math
from typing import Any

from crm.importer.parsing import ParseFailure, parse_krw


def read_amount(raw: Any) -> int | str | None:
    """Won for a readable amount, None for a blank, the text itself when it cannot be read."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, str) and not raw.strip():
        return None
    try:
        return parse_krw(raw)
    except ParseFailure:
        return str(raw).strip()
