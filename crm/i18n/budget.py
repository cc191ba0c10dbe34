"""Budget execution on the home dashboard and the support log: executed apart from committed and
planned (definitions in crm.services.budget; the workbook's own wording is in reports.py)."""

KO: dict[str, str] = {
    "budget.col.committed": "약정액",
    "budget.col.planned": "계획액",
    "budget.col.allocated": "집행+약정+계획",
    "budget.help.executed": "완료된 지원의 금액 합계: 실제로 지출된 돈입니다.",
    "budget.help.committed": "진행 중인 지원의 금액 합계: 약정·착수했으나 아직 정산되지 않아 집행액에 넣지 않습니다. 완료로 바꾸면 집행액이 됩니다.",
    "budget.help.planned": "계획 상태 지원의 금액 합계: 아직 시작하지 않은 지원입니다.",
    "budget.help.executed_pct": "집행률 = 집행액(완료) ÷ 예산. 약정액·계획액은 넣지 않습니다.",
    "budget.help.allocated": "예산 초과 경고는 집행액 + 약정액 + 계획액(+ 새로 기록하는 금액)이 예산을 넘을 때 나옵니다.",
    "budget.kpi_caption": "집행 {executed} / 예산 {budget} · 약정 {committed} · 계획 {planned}",
    "budget.over_allocated": "'{programme}': 집행 {executed} + 약정 {committed} + 계획 {planned} = {total}으로 예산 {budget}을 넘습니다.",
}

EN: dict[str, str] = {
    "budget.col.committed": "Committed",
    "budget.col.planned": "Planned",
    "budget.col.allocated": "Executed + committed + planned",
    "budget.help.executed": "Sum of the amounts of completed activities: money actually spent.",
    "budget.help.committed": "Sum over activities in progress: agreed and under way but not yet settled, so not executed. It becomes executed when the activity is completed.",
    "budget.help.planned": "Sum over planned activities: support that has not started yet.",
    "budget.help.executed_pct": "% executed = KRW executed (completed) / budget. Committed and planned KRW are not in it.",
    "budget.help.allocated": "The over-budget warning fires when executed + committed + planned (+ the amount being logged) exceeds the budget.",
    "budget.kpi_caption": "Executed {executed} of {budget} · committed {committed} · planned {planned}",
    "budget.over_allocated": "'{programme}': executed {executed} + committed {committed} + planned {planned} = {total}, over its budget of {budget}.",
}
