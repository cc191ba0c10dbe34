"""Korean particles chosen by the name put into a message (crm.i18n.particles)."""

from __future__ import annotations

import pytest

from crm.i18n import t
from crm.i18n.particles import fit_particles


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("지원 유형 '피칭 데이'을(를) 추가했습니다.", "지원 유형 '피칭 데이'를 추가했습니다."),
        ("항목 '참석 인원'을(를) 저장했습니다.", "항목 '참석 인원'을 저장했습니다."),
        ("'광천데이터 (가상)'을(를) 열었습니다", "'광천데이터 (가상)'을 열었습니다"),
        ("'전화번호'이(가) 바뀌었습니다", "'전화번호'가 바뀌었습니다"),
        ("'성장'은(는) 마지막 단계", "'성장'은 마지막 단계"),
        ("'회사'은(는)", "'회사'는"),
        ("'멘토'과(와) '기업'과(와)", "'멘토'와 '기업'과"),
        ("'등급' (선택)을(를)", "'등급' (선택)을"),
    ],
)
def test_the_particle_follows_the_last_syllable(written: str, read: str) -> None:
    assert fit_particles(written) == read


@pytest.mark.parametrize(
    "kept",
    [
        "기업 #5을(를) 찾을 수 없습니다",  # a number: read either way
        "'Pitch day'을(를) 추가했습니다",  # not Hangul
        "양식-2022-Q3.xlsx을(를) 만들었습니다",
        "을(를)",
        "괄호 (참고) 안의 글",  # no particle pair
    ],
)
def test_what_it_cannot_read_keeps_both_forms(kept: str) -> None:
    assert fit_particles(kept) == kept


def test_korean_messages_get_it_and_english_ones_are_untouched() -> None:
    assert t("kinds.added", "ko", name="피칭 데이") == "지원 유형 '피칭 데이'를 추가했습니다."
    assert t("kinds.added", "ko", name="장비 대여") == "지원 유형 '장비 대여'를 추가했습니다."
    assert t("kinds.added", "ko", name="컴퓨팅 자원") == "지원 유형 '컴퓨팅 자원'을 추가했습니다."
    assert t("kinds.added", "en", name="Pitching day") == "Added the kind 'Pitching day'."
