"""Every message exists in both languages, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from crm.i18n import CATALOGUES, InEachLanguage, t

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_same_keys_in_both_languages() -> None:
    ko, en = CATALOGUES["ko"], CATALOGUES["en"]
    assert sorted(set(ko) - set(en)) == []
    assert sorted(set(en) - set(ko)) == []


def test_same_placeholders() -> None:
    ko, en = CATALOGUES["ko"], CATALOGUES["en"]
    mismatched = [
        key for key in ko if set(PLACEHOLDER.findall(ko[key])) != set(PLACEHOLDER.findall(en[key]))
    ]
    assert mismatched == []


def test_every_key_used_in_code_exists() -> None:
    """Keys written literally in crm/, pages/ and Home.py must be in the catalogue."""
    root = Path(__file__).resolve().parents[2]
    sources = [*root.joinpath("crm").rglob("*.py"), *root.joinpath("pages").glob("*.py")]
    home = root / "Home.py"
    if home.exists():
        sources.append(home)
    pattern = re.compile(r"""\b(?:t|tr|_t)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    used = {m for path in sources for m in pattern.findall(path.read_text(encoding="utf-8"))}
    assert sorted(k for k in used if k not in CATALOGUES["ko"]) == []


def test_formatting() -> None:
    assert t("error.too_long", "ko", max=5) == "5자 이내로 입력해 주세요."
    assert t("error.too_long", "en", max=5) == "Use at most 5 characters."
    assert t("no.such.key", "en") == "no.such.key"


def test_a_value_in_each_language_shows_in_the_messages_language() -> None:
    kind = InEachLanguage("시험·실증 장비", "Test equipment")
    assert t("importer.error.programme_for_kind", "ko", year=2022, kind=kind) == (
        "2022년 '시험·실증 장비' 유형의 지원사업이 없습니다. 지원사업을 먼저 만들거나 지원사업을 지정하세요."
    )
    assert "'Test equipment'" in t("importer.error.programme_for_kind", "en", year=2022, kind=kind)
