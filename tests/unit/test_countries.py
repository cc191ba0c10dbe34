"""Country names in Korean and English, and finding a country by what people type."""

from __future__ import annotations

import pycountry
import pytest

from crm import countries
from crm.i18n import t


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("미국", "US"),
        ("중국", "CN"),
        ("일본", "JP"),
        ("베트남", "VN"),
        ("UAE", "AE"),
        ("아랍에미리트", "AE"),
        ("영국", "GB"),
        ("독일", "DE"),
        ("싱가포르", "SG"),
        ("싱가폴", "SG"),
        ("대만", "TW"),
        ("타이완", "TW"),
        ("홍콩", "HK"),
        ("인도네시아", "ID"),
        ("러시아", "RU"),
        ("러시아 연방", "RU"),
        ("호주", "AU"),
        ("Viet Nam", "VN"),
        ("vietnam", "VN"),
        ("vn", "VN"),
        ("VNM", "VN"),
        ("U.S.A.", "US"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        (" 홍 콩 ", "HK"),
    ],
)
def test_find_by_korean_english_and_short_names(typed: str, code: str) -> None:
    assert countries.find(typed) == code


@pytest.mark.parametrize("typed", ["", "   ", "아틀란티스", "XX"])
def test_find_nothing(typed: str) -> None:
    assert countries.find(typed) is None


def test_every_iso_country_has_a_korean_name() -> None:
    codes = {c.alpha_2 for c in pycountry.countries}
    assert set(countries.codes()) == codes and len(codes) >= 249
    for code in codes:
        korean = countries.name(code, "ko")
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), (code, korean)


def test_names_and_labels_per_language() -> None:
    assert countries.name("VN", "ko") == "베트남"
    assert countries.name("VN", "en") == "Viet Nam"
    assert countries.name("de", "ko") == "독일"
    assert countries.name("TW", "ko") == "대만"
    assert countries.name("TW", "en") == "Taiwan"
    assert countries.name("KR", "en") == "South Korea"
    assert countries.name("ZZ", "ko") == "ZZ"
    assert countries.label("VN", "ko") == "베트남 (Viet Nam, VN)"
    assert countries.label("AE", "en") == "United Arab Emirates (AE)"
    assert t("country.US", "ko") == "미국" and t("country.US", "en") == "United States"


def test_choices_are_sorted_by_the_shown_name() -> None:
    ko = countries.choices("ko")
    assert [countries.name(c, "ko") for c in ko] == sorted(countries.name(c, "ko") for c in ko)
    assert ko[0] == "GH"  # 가나
    assert countries.choices("en")[0] == "AF"  # Afghanistan
