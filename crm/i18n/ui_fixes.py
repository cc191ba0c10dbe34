"""Messages for everyday-use fixes: search labels per role, picker placeholders, country hints."""

KO: dict[str, str] = {
    "companies.search_masked": "검색 (기업명, 사업자등록번호)",
    "companies.search_hint": "예: 금남로보틱스, 123-45-67890",
    "common.country_hint": "국가 이름을 입력하세요 (예: 베트남, 미국, UAE)",
    "common.choose_one": "고르세요",
    "common.type_here": "입력하세요",
    "company.stage_choose": "옮길 단계를 고르세요",
}

EN: dict[str, str] = {
    "companies.search_masked": "Search (name, registration no.)",
    "companies.search_hint": "e.g. Geumnam Robotics, 123-45-67890",
    "common.country_hint": "Type a country (e.g. Viet Nam, United States, UAE)",
    "common.choose_one": "Choose one",
    "common.type_here": "Type here",
    "company.stage_choose": "Choose the stage to move to",
}
