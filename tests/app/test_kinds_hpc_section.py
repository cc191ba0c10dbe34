"""The support log's HPC utilisation section on the demo data: the overall utilisation and the
allocations to reclaim are the ones crm/kinds/hpc.py computes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from crm.clock import to_office
from crm.kinds import hpc
from tests.app.conftest import OpenAs
from tests.app.helpers import expand


def test_hpc_section_lists_the_allocations_to_reclaim(open_as: OpenAs, app_db: Engine) -> None:
    with Session(app_db) as s:
        found = hpc.allocations(s, year=2022)
    today = to_office(datetime.now(UTC)).date()
    flagged = hpc.to_reclaim(found, today, 0.5)
    assert found and flagged  # the demo has HPC allocations, some idle
    at = open_as("manager", "pages/2_Support_log.py")
    at.selectbox(key="sl_budget_year").set_value(2022).run()
    overall = hpc.overall(found)
    assert overall is not None
    [section] = [e for e in at.expander if e.label == "HPC 자원 활용률"]
    assert not section.markdown  # closed: nothing read or drawn
    expand(at, "sl_hpc_open")
    [section] = [e for e in at.expander if e.label == "HPC 자원 활용률"]
    assert f"**활용률 {overall:.0%}**" in [m.value for m in section.markdown]
    assert f"**회수 검토 대상 {len(flagged)}건**" in [m.value for m in section.markdown]
    table = section.dataframe[0].value
    assert len(table) == len(flagged)
    assert table["기업"].tolist() == [a.company for a in flagged]
    assert table["활용률"].tolist() == [f"{a.utilisation:.0%}" for a in flagged]


def test_company_page_activity_rows_say_hpc_utilisation(open_as: OpenAs, app_db: Engine) -> None:
    import json

    from sqlalchemy import text

    with app_db.connect() as c:
        company_id, details = c.execute(
            text(
                "SELECT a.company_id, a.details FROM activity a JOIN programme p ON "
                "p.id = a.programme_id WHERE p.kind = 'hpc' AND a.status != 'cancelled' "
                "ORDER BY a.id LIMIT 1"
            )
        ).one()
    values = json.loads(details) if isinstance(details, str) else details
    used = hpc.utilisation(values)
    assert used is not None
    at = open_as("officer", "pages/1_Companies.py")
    at.query_params["company"] = str(company_id)
    at.query_params["tab"] = "support"
    at.run()
    what = [w for frame in at.dataframe for w in frame.value.get("내용", [])]
    allocated = f"{float(values['allocated_gpu_hours']):,g}"
    expected = [w for w in what if f"배정 GPU 시간: {allocated}" in w]
    assert expected and expected[0].endswith(f"활용률 {used:.0%}")
    # On the company's own page the company column is left out (it pushed 금액 off a phone).
    table = at.dataframe[0].value
    assert "기업" not in table.columns
    assert list(table.columns[:3]) == ["번호", "시작일", "유형"]
    assert "금액" in table.columns
