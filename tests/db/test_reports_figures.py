"""Every Summary figure of the demo cohort reconciles with direct queries, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from crm import demo
from crm.models import Stage
from crm.reports.figures import compute_figures
from crm.reports.options import Period, ReportOptions, Unit
from crm.reports.workbook import write_report
from tests.db.reports_support import COUNTS, SPENDS, direct_figures, pick, read_summary


@pytest.fixture
def demo_session(session: Session) -> Session:
    demo.load(session)
    return session


@pytest.mark.parametrize("quarter", [1, 3, 4])
def test_figures_reconcile_with_direct_queries(demo_session: Session, quarter: int) -> None:
    figures = compute_figures(demo_session, Period(2022, quarter))
    direct = direct_figures(demo_session, 2022, quarter)
    assert (figures.target_companies, figures.cohort_companies) == (99, 99)
    assert figures.cohort_companies == direct["cohort_companies"]
    assert (figures.supported_q, figures.activities_q, figures.krw_q) == pick(direct["q"], COUNTS)
    assert (figures.supported_ytd, figures.activities_ytd, figures.krw_ytd) == pick(
        direct["ytd"], COUNTS
    )
    f = figures
    assert (f.executed_q, f.committed_q, f.planned_q) == pick(direct["q"], SPENDS)
    assert (f.executed_ytd, f.committed_ytd, f.planned_ytd) == pick(direct["ytd"], SPENDS)
    # The demo's activities from mid-November on are also planned or in progress.
    assert (f.committed_ytd > 0 and f.planned_ytd > 0) == (quarter == 4)
    assert f.executed_ytd + f.committed_ytd + f.planned_ytd == f.krw_ytd
    assert figures.activities_q > 0
    assert (figures.krw_ytd > figures.krw_q) == (quarter > 1)
    assert figures.budget_krw == direct["budget"]
    assert len(figures.programmes) == 6  # four cohort programmes, HPC and test equipment
    for p in figures.programmes:
        d = direct["programmes"][p.programme_id]
        assert (p.name, p.budget_krw, p.target_companies) == (d["name"], d["budget"], d["target"])
        assert (p.companies_q, p.activities_q, p.krw_q) == pick(d["q"], COUNTS)
        assert (p.companies_ytd, p.activities_ytd, p.krw_ytd) == pick(d["ytd"], COUNTS)
        assert (p.executed_q, p.committed_q, p.planned_q) == pick(d["q"], SPENDS)
        assert (p.executed_ytd, p.committed_ytd, p.planned_ytd) == pick(d["ytd"], SPENDS)
        assert p.executed_share == pytest.approx(d["ytd"]["executed"] / d["budget"])
    for k in figures.kinds:
        d = direct["kinds"][k.kind]
        assert (k.companies_q, k.activities_q, k.krw_q) == pick(d["q"], COUNTS)
        assert (k.companies_ytd, k.activities_ytd, k.krw_ytd) == pick(d["ytd"], COUNTS)
    for s in figures.stages:
        assert s.at_start == direct["at_start"][s.stage]
        assert s.at_end == direct["at_end"][s.stage]
        assert s.entered == direct["entered"][s.stage]
        # What a quarter ends with is what it started with plus what came in, minus what left.
        assert s.at_end == s.at_start + s.entered + s.moved_in - s.moved_out
    assert {(m.from_stage, m.to_stage): m.moves for m in figures.moves if m.moves} == dict(
        direct["moves"]
    )
    assert len(figures.moves) == 6
    for name in ("reports", "new_hires", "patents_filed", "patents_registered"):
        assert getattr(figures.outcomes_q, name) == direct["outcomes_q"][name]
        assert getattr(figures.outcomes_ytd, name) == direct["outcomes_ytd"][name]
    assert figures.outcomes_q.investment_krw == direct["outcomes_q"]["investment_krw"]
    assert figures.outcomes_ytd.exports_krw == direct["outcomes_ytd"]["exports_krw"]
    assert figures.data_as_of is not None


def test_first_quarter_starts_empty(demo_session: Session) -> None:
    """Demo companies enter in Q1: nobody has a stage before 1 January, all 99 enter."""
    figures = compute_figures(demo_session, Period(2022, 1))
    assert sum(s.at_start for s in figures.stages) == 0
    assert sum(s.entered for s in figures.stages) == 99
    assert sum(s.at_end for s in figures.stages) == 99


def test_summary_sheet_shows_the_direct_figures(demo_session: Session, tmp_path: Path) -> None:
    path = tmp_path / "q3.xlsx"
    write_report(
        demo_session, ReportOptions(2022, 3, Unit.THOUSAND, "ko"), path, generated_by="테스트"
    )
    d = direct_figures(demo_session, 2022, 3)
    s = read_summary(path)
    cohort = {row[0]: row[1:] for row in s["cohort"]}
    assert cohort["코호트 기업 수"][1:3] == (99, 99)
    # Against the target: the cohort's companies; apart: every company supported (the
    # infrastructure programmes also support companies outside the cohort).
    assert cohort["지원 기업 수"][:3] == (
        d["q"]["cohort_companies"],
        d["ytd"]["cohort_companies"],
        99,
    )
    assert cohort["지원 기업 수 (인프라 지원 포함)"][:2] == (
        d["q"]["companies"],
        d["ytd"]["companies"],
    )
    assert d["ytd"]["cohort_companies"] < d["ytd"]["companies"]  # the demo has both kinds
    assert cohort["지원 건수"][:2] == (d["q"]["activities"], d["ytd"]["activities"])
    # Executed = completed only; committed (in progress) and planned on rows of their own.
    krw = cohort["집행액 (완료, 천원)"]
    assert krw[0] == pytest.approx(d["q"]["executed"] / 1000)
    assert krw[1] == pytest.approx(d["ytd"]["executed"] / 1000)
    assert krw[2] == pytest.approx(d["budget"] / 1000)
    assert krw[3] == pytest.approx(d["ytd"]["executed"] / d["budget"])
    for label, key in (("약정액 (진행 중, 천원)", "committed"), ("계획액 (천원)", "planned")):
        assert cohort[label][:2] == pytest.approx((d["q"][key] / 1000, d["ytd"][key] / 1000))
        assert cohort[label][2:4] == (None, None)
    *programme_rows, total = s["programmes"]
    by_name = {p["name"]: p for p in d["programmes"].values()}
    for row in programme_rows:
        p = by_name[row[0]]
        assert row[2] == pytest.approx(p["budget"] / 1000)
        assert row[4:6] == (p["q"]["companies"], p["q"]["activities"])
        assert row[6] == pytest.approx(p["q"]["executed"] / 1000)
        assert row[7:9] == (p["ytd"]["companies"], p["ytd"]["activities"])
        assert row[9:12] == pytest.approx(tuple(p["ytd"][k] / 1000 for k in SPENDS))
        assert row[12] == pytest.approx(p["ytd"]["executed"] / p["budget"])
    assert total[0] == "합계"
    assert total[2] == pytest.approx(d["budget"] / 1000)
    assert total[4] == d["q"]["companies"]
    assert total[5] == d["q"]["activities"]
    assert total[6] == pytest.approx(d["q"]["executed"] / 1000)
    assert total[7] == d["ytd"]["companies"]
    assert total[8] == d["ytd"]["activities"]
    assert total[9:12] == pytest.approx(tuple(d["ytd"][k] / 1000 for k in SPENDS))
    assert total[12] == pytest.approx(d["ytd"]["executed"] / d["budget"])
    *stage_rows, stage_total = s["stages"]
    labels = {"예비창업": Stage.PRE_STARTUP, "창업/초기": Stage.STARTUP, "성장": Stage.GROWTH}
    for row in stage_rows:
        stage = labels[row[0]].value
        assert (row[1], row[2], row[5]) == (
            d["at_start"][stage],
            d["entered"][stage],
            d["at_end"][stage],
        )
    assert stage_total[1] == sum(d["at_start"].values())
    assert stage_total[5] == sum(d["at_end"].values())
    *move_rows, move_total = s["moves"]
    assert move_total[2] == sum(d["moves"].values()) > 0
    outcomes = {row[0]: row[1:3] for row in s["outcomes"]}
    oq, oy = d["outcomes_q"], d["outcomes_ytd"]
    assert outcomes["성과 보고 건수"] == (oq["reports"], oy["reports"])
    assert outcomes["일자리 창출 (신규 고용)"] == (oq["new_hires"], oy["new_hires"])
    assert outcomes["특허 출원"] == (oq["patents_filed"], oy["patents_filed"])
    assert outcomes["특허 등록"] == (oq["patents_registered"], oy["patents_registered"])
    assert outcomes["투자 유치 (천원)"] == pytest.approx(
        (oq["investment_krw"] / 1000, oy["investment_krw"] / 1000)
    )
    assert outcomes["수출 (천원)"] == pytest.approx(
        (oq["exports_krw"] / 1000, oy["exports_krw"] / 1000)
    )
