"""Pure validation rules: registration numbers, text, money, dates, contact data, kind fields."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import phonenumbers
import pycountry
from stdnum.kr import brn as kr_brn
from stdnum.util import isdigits

from crm.errors import FieldError, ValidationError

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
MAX_KRW = 10**15  # a thousand trillion won: far above any programme, well inside BIGINT
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_REGION = "KR"  # numbers without a country code are Korean
# Control characters are refused (they break Excel and terminals); newline/tab only in notes.
_ALLOWED_MULTILINE = {"\n", "\t", "\r"}
# Exactly the characters of Unicode categories Cc (C0, DEL, C1) and Cs (surrogates).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LEGAL_FORMS = re.compile(r"\(주\)|㈜|주식회사|\(유\)|유한회사|co\.,?\s*ltd\.?|inc\.?|corp\.?")
_NON_WORD = re.compile(r"[\W_]+")
_INTEGER = re.compile(r"-?\d+")


@lru_cache(maxsize=65_536)  # python-stdnum's clean() takes ~0.1 ms; bulk checks ask twice
def brn_digits(raw: str) -> str:
    """The number without spaces and hyphens (python-stdnum's compact form)."""
    return kr_brn.compact(raw)


def brn_has_ten_digits(digits: str) -> bool:
    """Ten ASCII digits (python-stdnum's check; other scripts' digits are refused)."""
    return len(digits) == 10 and isdigits(digits)


def brn_check_digit(first_nine: str) -> int:
    """National Tax Service check digit for a 사업자등록번호 (python-stdnum's kr.brn checks the
    length and digits only, so the check digit stays ours)."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_brn(raw: str) -> bool:
    digits = brn_digits(raw)
    return brn_has_ten_digits(digits) and brn_check_digit(digits[:9]) == int(digits[9])


@lru_cache(maxsize=65_536)
def format_brn(raw: str) -> str:
    """XXX-XX-XXXXX (python-stdnum's presentation)."""
    return kr_brn.format(raw)


@lru_cache(maxsize=65_536)  # phonenumbers takes ~0.1 ms a number; a bulk write asks twice
def normalise_phone(raw: str) -> str | None:
    """A valid phone number as stored: Korean numbers in the national form (010-1234-5678,
    02-123-4567), others in the international form (+1 650-253-0000); None when phonenumbers
    finds no valid number."""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


MONEY_TYPE = "money"  # a kind field holding whole won: `{"name": ..., "type": "money"}`


def is_money_spec(spec: dict[str, Any]) -> bool:
    """A kind field declared as KRW in its kind's spec: the one rule for kind fields."""
    return spec.get("type") == MONEY_TYPE


def is_money_field(field: str) -> bool:
    """A record column holding KRW: named *_krw (amount_krw, budget_krw, revenue_krw, …).
    Kind fields say so in their spec instead (is_money_spec)."""
    return field.endswith("_krw")


@lru_cache(maxsize=8192)  # an import asks for each row's name several times in a row
def normalise_name(name: str) -> str:
    """A name reduced for matching: no legal form, spaces or punctuation, NFKC, lower case."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = _LEGAL_FORMS.sub("", text)
    return _NON_WORD.sub("", text)


class Checker:
    """Collects field errors so a form gets every message at once, then raises one error."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, key: str, **params: Any) -> None:
        self.errors.append(FieldError(field, key, params))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(list(self.errors))

    def text(
        self,
        field: str,
        value: Any,
        *,
        required: bool = False,
        max_len: int = 200,
        multiline: bool = False,
    ) -> str | None:
        if value is None:
            if required:
                self.fail(field, "error.required")
            return None
        if not isinstance(value, str):
            self.fail(field, "error.text_type")
            return None
        stripped = value if multiline else value.strip()
        if stripped == "" or (multiline and stripped.strip() == ""):
            if required:
                self.fail(field, "error.required")
            return None
        if len(stripped) > max_len:
            self.fail(field, "error.too_long", max=max_len)
            return None
        if (_CONTROL_MULTILINE if multiline else _CONTROL).search(stripped):
            self.fail(field, "error.control_chars")
            return None
        return stripped

    def choice(self, field: str, value: Any, allowed: Any, *, required: bool = True) -> str | None:
        if value is None or value == "":
            if required:
                self.fail(field, "error.required")
            return None
        allowed_values = [str(a) for a in allowed]
        if str(value) not in allowed_values:
            self.fail(field, "error.choice", allowed=", ".join(allowed_values))
            return None
        return str(value)

    def integer(
        self,
        field: str,
        value: Any,
        *,
        required: bool = False,
        minimum: int | None = 0,
        maximum: int = MAX_KRW,
        positive: bool = False,
        money: bool | None = None,
    ) -> int | None:
        """A whole number; `money` (default: a *_krw field) words the unreadable-text error as
        an amount."""
        if value is None or value == "":
            if required:
                self.fail(field, "error.required")
            return None
        if isinstance(value, bool):
            self.fail(field, "error.integer")
            return None
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value) or not value.is_integer():
                self.fail(field, "error.integer")
                return None
            value = int(value)
        if isinstance(value, str):
            cleaned = value.replace(",", "").strip()
            if not _INTEGER.fullmatch(cleaned):
                if is_money_field(field) if money is None else money:  # unreadable amount
                    self.fail(field, "error.amount", value=value.strip())
                else:
                    self.fail(field, "error.integer")
                return None
            value = int(cleaned)
        if not isinstance(value, int):
            self.fail(field, "error.integer")
            return None
        if positive and value <= 0:
            self.fail(field, "error.positive")
            return None
        if minimum is not None and value < minimum:
            self.fail(field, "error.min", min=minimum)
            return None
        if value > maximum:
            self.fail(field, "error.max", max=maximum)
            return None
        return value

    def decimal(
        self,
        field: str,
        value: Any,
        *,
        required: bool = False,
        minimum: float = 0,
        maximum: float = 10_000,
        positive: bool = False,
    ) -> float | None:
        if value is None or value == "":
            if required:
                self.fail(field, "error.required")
            return None
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if math.isnan(number) or math.isinf(number):
            self.fail(field, "error.number")
            return None
        if positive and number <= 0:
            self.fail(field, "error.positive")
            return None
        if number < minimum:
            self.fail(field, "error.min", min=minimum)
            return None
        if number > maximum:
            self.fail(field, "error.max", max=maximum)
            return None
        return number

    def day(self, field: str, value: Any, *, required: bool = False) -> date | None:
        if value is None or value == "":
            if required:
                self.fail(field, "error.required")
            return None
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                self.fail(field, "error.date")
                return None
        if not isinstance(value, date):
            self.fail(field, "error.date")
            return None
        if not MIN_DATE <= value <= MAX_DATE:
            self.fail(field, "error.date_range", min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat())
            return None
        return value

    def brn(self, field: str, value: Any) -> str | None:
        raw = self.text(field, value, max_len=20)
        if raw is None:
            return None
        digits = brn_digits(raw)
        if not brn_has_ten_digits(digits):
            self.fail(field, "error.brn_format")
            return None
        if brn_check_digit(digits[:9]) != int(digits[9]):  # is_valid_brn, digits already found
            self.fail(field, "error.brn_checksum")
            return None
        return format_brn(digits)

    def email(self, field: str, value: Any) -> str | None:
        text = self.text(field, value, max_len=254)
        if text is not None and not EMAIL_RE.match(text):
            self.fail(field, "error.email")
            return None
        return text

    def phone(self, field: str, value: Any) -> str | None:
        text = self.text(field, value, max_len=20)
        if text is None:
            return None
        stored = normalise_phone(text)
        if stored is None:
            self.fail(field, "error.phone")
        return stored

    def country(self, field: str, value: Any, *, required: bool = False) -> str | None:
        text = self.text(field, value, required=required, max_len=2)
        if text is None:
            return None
        code = text.upper()
        if pycountry.countries.get(alpha_2=code) is None:
            self.fail(field, "error.country")
            return None
        return code


def validate_kind_fields(
    checker: Checker,
    spec: list[dict[str, Any]],
    details: dict[str, Any] | None,
    stored: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate an activity's kind-specific fields against its kind's declaration (the rules
    live with the declaration, crm.kinds.values)."""
    from crm.kinds.values import validate_details  # the declaration's module imports Checker

    return validate_details(checker, spec, details, stored)
