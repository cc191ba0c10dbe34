"""Messages that name the office's time zone (workbooks say which zone their times are in)."""

from __future__ import annotations

KO: dict[str, str] = {
    "report.about.generated_at_zone": "작성 시각 ({zone})",
    "report.about.data_as_of_zone": "데이터 기준 시각 ({zone}, 마지막 변경)",
    "report.about.timezone": "시간대",
    "report.about.timezone_value": "{zone}. 이 통합 문서의 모든 시각은 이 시간대 기준입니다.",
    "report.about.closed_at": "{at} ({zone})",
    "report.col.recorded_at_zone": "기록 시각 ({zone})",
}

EN: dict[str, str] = {
    "report.about.generated_at_zone": "Generated at ({zone})",
    "report.about.data_as_of_zone": "Data as of ({zone}, last recorded change)",
    "report.about.timezone": "Time zone",
    "report.about.timezone_value": "{zone}. Every time in this workbook is in this zone.",
    "report.about.closed_at": "{at} ({zone})",
    "report.col.recorded_at_zone": "Recorded at ({zone})",
}
