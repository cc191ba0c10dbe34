"""Countries by ISO 3166-1 alpha-2 code, named in Korean or English, found by what people type.

Korean names come from pycountry's own Korean translation of ISO 3166-1 (its gettext catalogue),
with the short forms Korean offices write instead of the long official ones (대만, 러시아, 호주)
and plain English where ISO inverts a name ("South Korea", not "Korea, Republic of");
`ALIASES` maps further short forms (미국, UAE, 싱가폴, 타이완, USA, UK) to codes."""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry

# The everyday Korean name where the ISO translation is the long official one.
KO_SHORT: dict[str, str] = {
    "AU": "호주",
    "BN": "브루나이",
    "BO": "볼리비아",
    "CD": "콩고민주공화국",
    "FK": "포클랜드 제도",
    "FM": "미크로네시아",
    "IR": "이란",
    "KP": "북한",
    "LA": "라오스",
    "MD": "몰도바",
    "RU": "러시아",
    "SY": "시리아",
    "TW": "대만",
    "TZ": "탄자니아",
    "VA": "바티칸",
    "VE": "베네수엘라",
    "VG": "영국령 버진아일랜드",
    "VI": "미국령 버진아일랜드",
}

# The everyday English name where ISO's is inverted ("Korea, Republic of").
EN_SHORT: dict[str, str] = {
    "BO": "Bolivia",
    "CD": "Democratic Republic of the Congo",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "MD": "Moldova",
    "PS": "Palestine",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

# Other ways people write a country (Korean short forms, English abbreviations, old names).
ALIASES: dict[str, str] = {
    "미국": "US",
    "미합중국": "US",
    "usa": "US",
    "america": "US",
    "중국": "CN",
    "중화인민공화국": "CN",
    "일본": "JP",
    "베트남": "VN",
    "월남": "VN",
    "vietnam": "VN",
    "uae": "AE",
    "아랍에미리트": "AE",
    "아랍에미레이트": "AE",
    "두바이": "AE",
    "영국": "GB",
    "uk": "GB",
    "britain": "GB",
    "독일": "DE",
    "싱가포르": "SG",
    "싱가폴": "SG",
    "대만": "TW",
    "타이완": "TW",
    "taiwan": "TW",
    "홍콩": "HK",
    "인도네시아": "ID",
    "한국": "KR",
    "남한": "KR",
    "대한민국": "KR",
    "korea": "KR",
    "south korea": "KR",
    "북한": "KP",
    "러시아": "RU",
    "russia": "RU",
    "호주": "AU",
    "오스트레일리아": "AU",
    "터키": "TR",
    "튀르키예": "TR",
    "turkey": "TR",
    "체코": "CZ",
    "czech republic": "CZ",
    "이란": "IR",
    "iran": "IR",
    "라오스": "LA",
    "laos": "LA",
    "사우디": "SA",
    "네덜란드": "NL",
    "holland": "NL",
    "뉴질랜드": "NZ",
    "마카오": "MO",
    "macau": "MO",
}


def _key(text: str) -> str:
    """Compare names without case, spaces, dots or hyphens ("U.S.A." = "usa", "홍 콩" = "홍콩")."""
    return re.sub(r"[\s.\-·]+", "", text).casefold()


@cache
def codes() -> tuple[str, ...]:
    return tuple(sorted(c.alpha_2 for c in pycountry.countries))


@cache
def _iso_korean() -> dict[str, str]:
    """The ISO 3166-1 names as pycountry translates them into Korean ("러시아 연방")."""
    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ko"])
    return {c.alpha_2: catalogue.gettext(c.name) for c in pycountry.countries}


@cache
def _korean() -> dict[str, str]:
    return {**_iso_korean(), **KO_SHORT}


def name(code: str, lang: str) -> str:
    """The country's name in `lang` ("베트남" / "Viet Nam"); an unknown code as it is."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        return code
    if lang == "ko":
        return _korean()[country.alpha_2]
    return EN_SHORT.get(country.alpha_2, str(country.name))


def label(code: str, lang: str) -> str:
    """A picker's label, holding what people type to find it: in Korean also the English name
    and the code ("베트남 (Viet Nam, VN)"), in English the code ("Viet Nam (VN)")."""
    english = name(code, "en")
    if lang == "ko":
        return f"{name(code, 'ko')} ({english}, {code})"
    return f"{english} ({code})"


def choices(lang: str) -> list[str]:
    """Every code, sorted by its name in `lang` (가나다 order in Korean)."""
    return sorted(codes(), key=lambda c: name(c, lang))


@cache
def _index() -> dict[str, str]:
    found: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for text in (
            code,
            getattr(country, "alpha_3", ""),
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
            _korean()[code],
            _iso_korean()[code],
            EN_SHORT.get(code, ""),
        ):
            if text:
                found.setdefault(_key(text), code)
    found.update({_key(alias): code for alias, code in ALIASES.items()})
    return found


def find(text: str) -> str | None:
    """The code a typed name stands for ("베트남", "미국", "UAE", "Viet Nam", "vn"), or None."""
    key = _key(text or "")
    return _index().get(key) if key else None
