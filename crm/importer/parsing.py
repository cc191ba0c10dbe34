"""Cell values as people type them → typed values: text, dates, KRW amounts, counts, choices.

Every parser returns None for an empty cell and raises `ParseFailure` (an i18n key and values)
for one it cannot read; none of them guesses silently (see `read_slash_dates` for the one rule
that has to choose)."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pycountry
from openpyxl.utils.datetime import from_excel

from crm.models import Industry

LAST_EXCEL_SERIAL = 2_958_465  # 9999-12-31, the last day Excel can show
EMPTY_WORDS = {"nan", "none", "null", "n/a", "#n/a", "na", "-", "--", "—", "–", "_"}
_EMPTY_WORD_MAX = max(map(len, EMPTY_WORDS))
UNDISCLOSED_WORDS = {
    "undisclosed", "notdisclosed", "unknown", "미공개", "비공개", "nd", "tbd", "미정",
}  # fmt: skip
KOREAN_UNITS = {
    "조": 10**12, "억": 10**8, "천만": 10**7, "백만": 10**6, "십만": 10**5, "만": 10**4,
    "천": 10**3, "백": 10**2,
}  # fmt: skip
USD = "USD"

_ESCAPED_BYTES = re.compile(r"(?:\\+x[0-9a-fA-F]{2})+")
_ESCAPED_BREAK = re.compile(r"\\+[nrt]")
_HTML_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_NEEDS_CLEANING = re.compile(r"[\\&\t\n\r\u00a0\u3000\u200b-\u200d\u2060\ufeff]|  ")
_ISO = re.compile(
    r"^(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_KOREAN_DATE = re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?$")
_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{2}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}\.?$")
_NAMED_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%B-%Y")
_PLAIN_NUMBER = re.compile(r"^\d{1,3}(?:,\d{2,3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_KOREAN_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(조|억|천만|백만|십만|만|천|백)?")
_QUARTER = re.compile(
    r"^(?:(\d{4})\s*(?:년|[-./])?\s*)?(?:제\s*)?(?:q\s*([1-4])|([1-4])\s*(?:q|분기|/4)?)$",
    re.IGNORECASE,
)
_COUNT_SUFFIX = re.compile(r"\s*(?:명|건|개|인|people|persons)$", re.IGNORECASE)
_HOURS_SUFFIX = re.compile(r"\s*(?:시간|hours?|hrs?|h)$", re.IGNORECASE)
_BRN_PUNCTUATION = re.compile(r"[\s.\-–]")
_NON_WORD = re.compile(r"[\W_]+")


class ParseFailure(Exception):
    """A cell that cannot be read; `key` is an i18n key, `params` its values."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)


def _decode_escapes(match: re.Match[str]) -> str:
    hexes = re.findall(r"x([0-9a-fA-F]{2})", match.group(0))
    try:
        return bytes(int(h, 16) for h in hexes).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def clean_text(value: Any, *, multiline: bool = False) -> tuple[str | None, bool]:
    """Cell → stripped text (None if empty) and whether debris had to be repaired: escaped
    bytes written out as text ("\\xc2\\xa0"), HTML entities ("R&amp;amp;D"), invisible and
    non-breaking spaces. Placeholders such as "nan", "N/A" or "-" count as empty."""
    if type(value) is str:  # the common case first; the same text as str(value) below
        text = value
    elif value is None:
        return None, False
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    if not _NEEDS_CLEANING.search(text):
        text = text.strip()
        # lower() never shortens a text, so a longer one cannot be a placeholder
        if text == "" or (len(text) <= _EMPTY_WORD_MAX and text.lower() in EMPTY_WORDS):
            return None, False
        return text, False
    original = text
    text = _ESCAPED_BYTES.sub(_decode_escapes, text)
    text = _ESCAPED_BREAK.sub("\n" if multiline else " ", text)
    while _HTML_ENTITY.search(text):  # "&amp;amp;amp;D" was escaped once per export
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = text.translate(_INVISIBLE)
    if multiline:
        text = text.replace("\u00a0", " ").strip()
    else:
        text = _SPACES.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()
    repaired = text != original.strip()
    if text == "" or text.lower() in EMPTY_WORDS:
        return None, False
    return text, repaired


_COLUMN_SEPARATOR = "\x01"  # joins a column's cells for one search: no cleaning pattern has it


def clean_column(values: list[Any], *, multiline: bool = False) -> tuple[list[str | None], int]:
    """clean_text for every cell of a column: the texts (None for empty cells) and how many
    cells had debris repaired. A column of plain text with nothing to repair anywhere (one
    search over the whole column says so) only needs stripping and the placeholder check."""
    if all(type(v) is str or v is None for v in values) and not _NEEDS_CLEANING.search(
        _COLUMN_SEPARATOR.join([v for v in values if v is not None])
    ):
        if None not in values:
            stripped = list(map(str.strip, values))
            if not stripped or min(map(len, stripped)) > _EMPTY_WORD_MAX:
                return stripped, 0  # nothing empty, and too long to be a placeholder
        out: list[str | None] = []
        for value in values:
            if value is None:
                out.append(None)
                continue
            text = value.strip()
            # as clean_text: lower() never shortens a text, so a longer one is no placeholder
            empty = text == "" or (len(text) <= _EMPTY_WORD_MAX and text.lower() in EMPTY_WORDS)
            out.append(None if empty else text)
        return out, 0
    cleaned = [clean_text(v, multiline=multiline) for v in values]
    return [text for text, _ in cleaned], sum(repaired for _, repaired in cleaned)


def _text_of(value: Any) -> str | None:
    return clean_text(value)[0]


# --- dates -------------------------------------------------------------------------------------


def slash_order_evidence(text: str) -> str | None:
    """'dmy' or 'mdy' if a a/b/yyyy date can only be read one way, else None."""
    match = _SLASHED.match(text.strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


def read_slash_dates(texts: list[str], choice: str = "auto") -> tuple[str, bool]:
    """The rule for a/b/yyyy in one column: an explicit choice wins; otherwise the column's own
    unambiguous dates decide (13/01/2020 → day first, 01/13/2020 → month first); a column with
    neither reads day first (dd/mm/yyyy, as Korean and European sheets write it). Returns the
    order and whether the column contradicts itself (then ambiguous dates are errors)."""
    if choice in ("dmy", "mdy"):
        return choice, False
    seen = {slash_order_evidence(t) for t in texts} - {None}
    if seen == {"mdy"}:
        return "mdy", False
    if seen == {"dmy", "mdy"}:
        return "dmy", True
    return "dmy", False


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ParseFailure("importer.error.date_invalid", value=raw) from exc


def parse_date(value: Any, order: str = "dmy", *, contradictory: bool = False) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or isinstance(value, time | timedelta):
        raise ParseFailure("importer.error.date", value=str(value))
    if isinstance(value, int | float):
        return _from_serial(float(value), str(value))
    text = _text_of(value)
    if text is None:
        return None
    if m := _ISO.match(text):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if m := _KOREAN_DATE.match(text):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if m := _COMPACT.match(text):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if m := _SLASHED.match(text):
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        evidence = slash_order_evidence(text)
        if evidence is None and contradictory and first != second:
            raise ParseFailure("importer.error.date_ambiguous", value=text)
        use = evidence or order
        day, month = (first, second) if use == "dmy" else (second, first)
        return _make_date(year, month, day, text)
    for fmt in _NAMED_MONTH_FORMATS:
        try:
            return datetime.strptime(text.replace(",", ""), fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text) and 10_000 <= float(text) < 73_000:
        return _from_serial(float(text), text)
    if re.fullmatch(r"(?:19|20)\d{2}\s*년?", text):
        raise ParseFailure("importer.error.date_year_only", value=text)
    if _SHORT_YEAR.match(text):
        raise ParseFailure("importer.error.date_short_year", value=text)
    raise ParseFailure("importer.error.date", value=text)


def _from_serial(serial: float, raw: str) -> date:
    """An Excel serial day through openpyxl's helper (which knows Excel's 1900 leap-year bug)."""
    if math.isnan(serial) or not 1 <= serial < LAST_EXCEL_SERIAL + 1:
        raise ParseFailure("importer.error.date", value=raw)
    return from_excel(math.floor(serial)).date()  # the day; its time of day is dropped


# --- money and numbers ---------------------------------------------------------------------------


def _to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise ParseFailure("importer.error.amount", value=text) from exc


def _whole(amount: Decimal, raw: str) -> int:
    if amount != amount.to_integral_value():
        raise ParseFailure("importer.error.amount_fraction", value=raw)
    return int(amount)


def parse_krw(value: Any, unit: int | str = 1, usd_rate: float | None = None) -> int | None:
    """An amount in won: 1200000, "1,200,000원", "120만원", "1.2억", "3천만원", "1억 2천만".
    `unit` is the column's unit from its header ("(천원)" → 1000, "USD")."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseFailure("importer.error.amount", value=str(value))
    currency = USD if unit == USD else "KRW"
    multiplier = 1 if unit == USD else int(unit)
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise ParseFailure("importer.error.amount", value=str(value))
        amount = Decimal(str(value)) * multiplier
        raw = str(value)
    else:
        text = _text_of(value)
        if text is None:
            return None
        raw = text
        compact = re.sub(r"\s+", "", text).lower()
        if compact.strip(".") in UNDISCLOSED_WORDS:
            raise ParseFailure("importer.error.undisclosed", value=text)
        if compact.startswith(("$", "us$", "usd")) or compact.endswith(("usd", "달러", "$")):
            currency = USD
        compact = re.sub(r"^(us\$|usd|\$|₩|krw|\\)|(usd|달러|\$|원|krw|won)$", "", compact)
        negative = compact.startswith("-") or (compact.startswith("(") and compact.endswith(")"))
        compact = compact.strip("-()")
        if any(u in compact for u in KOREAN_UNITS):
            amount = _korean_amount(compact.replace(",", ""), raw)
        elif _PLAIN_NUMBER.match(compact):
            amount = _to_decimal(compact) * multiplier
        else:
            raise ParseFailure("importer.error.amount", value=raw)
        if negative:
            amount = -amount
    if currency == USD:
        if not usd_rate:
            raise ParseFailure("importer.error.usd_rate", value=raw)
        won = (amount * Decimal(str(usd_rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(won)
    return _whole(amount, raw)


def _korean_amount(text: str, raw: str) -> Decimal:
    pos, total = 0, Decimal(0)
    for match in _KOREAN_AMOUNT.finditer(text):
        if match.start() != pos:
            raise ParseFailure("importer.error.amount", value=raw)
        number = _to_decimal(match.group(1))
        total += number * KOREAN_UNITS.get(match.group(2) or "", 1)
        pos = match.end()
    if pos != len(text) or pos == 0:
        raise ParseFailure("importer.error.amount", value=raw)
    return total


def parse_int(value: Any) -> int | None:
    """A count: 12, 12.0, "12명", "1,200"."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseFailure("importer.error.integer", value=str(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            raise ParseFailure("importer.error.integer", value=str(value))
        return int(value)
    text = _text_of(value)
    if text is None:
        return None
    compact = _COUNT_SUFFIX.sub("", text).replace(",", "").strip()
    if not re.fullmatch(r"-?\d+(?:\.0+)?", compact):
        raise ParseFailure("importer.error.integer", value=text)
    return int(Decimal(compact))


def parse_decimal(value: Any) -> float | None:
    """A number such as hours: 2, 1.5, "1.5시간", "2h"."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseFailure("importer.error.number", value=str(value))
    if isinstance(value, int | float):
        return float(value)
    text = _text_of(value)
    if text is None:
        return None
    compact = _HOURS_SUFFIX.sub("", text).replace(",", "").strip()
    try:
        return float(Decimal(compact))
    except InvalidOperation as exc:
        raise ParseFailure("importer.error.number", value=text) from exc


def parse_year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.year
    text = _text_of(value)
    if text is None:
        return None
    match = re.fullmatch(r"((?:19|20|21)\d{2})(?:\.0+)?\s*(?:년|년도)?", text)
    if not match:
        raise ParseFailure("importer.error.year", value=text)
    return int(match.group(1))


def parse_quarter(value: Any) -> tuple[int | None, int] | None:
    """(year or None, quarter) from 1, "1분기", "Q1", "2022-Q1", "2022년 1분기"."""
    text = _text_of(value)
    if text is None:
        return None
    match = _QUARTER.match(text.replace(".0", "") if isinstance(value, float) else text)
    if not match:
        raise ParseFailure("importer.error.quarter", value=text)
    year = int(match.group(1)) if match.group(1) else None
    return year, int(match.group(2) or match.group(3))


def parse_brn(value: Any) -> str | None:
    """A registration number as typed (dashes, spaces, dots dropped); crm.validation checks it."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text_of(value)
    if text is None:
        return None
    return _BRN_PUNCTUATION.sub("", text)


# --- choices -----------------------------------------------------------------------------------


def choice_key(text: str) -> str:
    """Text reduced for comparing choices: NFKC, lower case, no spaces or punctuation."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def parse_choice(value: Any, synonyms: dict[str, str], allowed: list[str]) -> str | None:
    text = _text_of(value)
    if text is None:
        return None
    found = synonyms.get(choice_key(text))
    if found is None:
        raise ParseFailure("error.choice", allowed=", ".join(allowed), value=text)
    return found


INDUSTRY_KEYWORDS: dict[str, tuple[str, ...]] = {
    Industry.AUTOMOTIVE: tuple(
        "자동차 모빌리티 차량 자율주행 전기차 automotive automobile mobility vehicle".split()
    ),
    Industry.HEALTHCARE: tuple(
        "의료 헬스 바이오 제약 병원 health medical pharma biotech hospital".split()
    ),
    Industry.ENERGY: tuple(
        "에너지 전력 태양광 배터리 이차전지 수소 energy solar battery hydrogen".split()
    ),
}


def parse_industry(value: Any, synonyms: dict[str, str]) -> tuple[str | None, bool]:
    """(industry, recognised): exact names first, then keywords; anything else is 'other'."""
    text = _text_of(value)
    if text is None:
        return None, True
    key = choice_key(text)
    if key in synonyms:
        return synonyms[key], True
    for industry, words in INDUSTRY_KEYWORDS.items():
        if any(word in key for word in words):
            return industry.value, True
    return Industry.OTHER.value, False


def parse_round(value: Any) -> tuple[str | None, bool]:
    """(investment round, recognised) from the many ways people write one; else 'other'."""
    text = _text_of(value)
    if text is None:
        return None, True
    words = " " + re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).lower()) + " "
    squashed = words.replace(" ", "")
    if re.search(r" pre ?(series )?a ", words) or squashed in ("prea", "프리a", "프리시리즈a"):
        return "pre_a", True
    if match := re.search(r" series ([a-c]) ", words) or re.search(r"시리즈([a-c])", squashed):
        return f"series_{match.group(1)}", True
    if match := re.search(r"([abc])라운드", squashed):
        return f"series_{match.group(1)}", True
    if any(w in squashed for w in ("seed", "angel", "angle", "시드", "엔젤")):
        return "seed", True
    if "bridge" in squashed or "브릿지" in squashed:
        return "bridge", True
    if squashed in ("other", "기타"):
        return "other", True
    return "other", False


COUNTRY_NAMES_KO = {
    "미국": "US", "베트남": "VN", "일본": "JP", "중국": "CN", "싱가포르": "SG", "싱가폴": "SG",
    "독일": "DE", "아랍에미리트": "AE", "uae": "AE", "인도네시아": "ID", "인도": "IN", "영국": "GB",
    "프랑스": "FR", "대만": "TW", "태국": "TH", "캐나다": "CA", "호주": "AU", "말레이시아": "MY",
    "필리핀": "PH", "홍콩": "HK", "몽골": "MN", "카자흐스탄": "KZ", "사우디아라비아": "SA",
    "네덜란드": "NL", "스페인": "ES", "이탈리아": "IT", "멕시코": "MX", "브라질": "BR",
}  # fmt: skip


def parse_country(value: Any) -> str | None:
    """An ISO code from "US", "미국", "United States", "Viet Nam"."""
    text = _text_of(value)
    if text is None:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    if code := COUNTRY_NAMES_KO.get(choice_key(text)):
        return code
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError as exc:
        raise ParseFailure("importer.error.country", value=text) from exc
