"""Messages of quick entry, typed amounts (one message wherever money is typed), what each amount
field means, and logging a new activity in a closed quarter."""

KO: dict[str, str] = {
    "error.amount": "금액을 읽을 수 없습니다: '{value}'. 1,200,000 · 120만원 · 1.2억처럼 입력하세요.",
    "help.amount_krw": (
        "이 지원에 쓴 사업비입니다. 지원사업의 집행액, 예산 대비 집행률, 보고서의 지원 금액은 "
        "모두 이 금액으로 계산합니다. 시제품 제작·투자펀드에서 비워 두면 제작 예산·투자금액과 "
        "같은 금액으로 저장됩니다."
    ),
    "restate.new_not_allowed": (
        "{year}년 {quarter}분기는 마감되어 새 지원을 기록할 수 없습니다. 빠진 지원은 사업 "
        "관리자에게 정정으로 추가해 달라고 요청하세요."
    ),
    "restate.new_needed": (
        "{year}년 {quarter}분기는 마감되었습니다. 아래에 정정 사유를 입력하고 다시 저장하면 "
        "정정으로 추가됩니다."
    ),
    "quick.closed_row_manager": (
        "{year}년 {quarter}분기는 마감되었습니다. 이 지원은 '새 지원 기록'에서 정정 사유와 함께 "
        "추가하세요."
    ),
    "quick.day": "세션 날짜 (모든 행)",
    "quick.day_help": "표의 모든 행이 이 날짜로 저장됩니다. 날짜가 다른 세션은 날짜를 바꿔 따로 저장하세요.",
    "quick.amount_help": "예: 1,200,000 · 120만원 · 1.2억. 읽을 수 없는 금액이 있으면 아무 행도 저장하지 않습니다.",
    "quick.grid": "하루 멘토링 입력 표",
    "quick.saved": "{count}건을 저장했습니다 ({day}, 합계 {amount}).",
}

EN: dict[str, str] = {
    "error.amount": "Cannot read the amount '{value}'. Type it like 1,200,000 · 120만원 · 1.2억.",
    "help.amount_krw": (
        "The programme money spent on this support. Execution against budget, the execution rate "
        "and the report's support totals all use this amount. For prototyping and fund "
        "investment, leave it blank to store the production budget / invested amount here."
    ),
    "restate.new_not_allowed": (
        "{year} Q{quarter} is closed: new support cannot be logged in it. Ask a programme "
        "manager to add the missing activity as a restatement."
    ),
    "restate.new_needed": (
        "{year} Q{quarter} is closed. Enter a restatement reason below and save again to add "
        "it as a restatement."
    ),
    "quick.closed_row_manager": (
        "{year} Q{quarter} is closed. Add this activity with 'New activity' and a restatement "
        "reason."
    ),
    "quick.day": "Session date (all rows)",
    "quick.day_help": "Every row is saved with this date. Save sessions of another day separately.",
    "quick.amount_help": "e.g. 1,200,000 · 120만원 · 1.2억. If any amount cannot be read, no row is saved.",
    "quick.grid": "A day's mentoring sessions",
    "quick.saved": "Saved {count} activities ({day}, total {amount}).",
}
