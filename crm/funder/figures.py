"""The catalogue of named figures a form's cell may show, read off the quarterly report's figures.

Every number comes from crm.reports (ReportFigures: computed now, or as frozen at the close of a
closed quarter); nothing is recomputed here. A code is stable ('supported_q', 'kind.mentoring.
krw_q', 'programme.12.executed_ytd', 'stage.growth.at_end', 'outcomes.ytd.new_hires'); its label
is in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from crm.i18n import t
from crm.models import Stage
from crm.reports.figures import ReportFigures


@dataclass(frozen=True)
class NamedFigure:
    code: str
    label: str
    value: Any
    money: bool = False
    group: str = "totals"


@dataclass(frozen=True)
class FillContext:
    """What the form says besides the figures: who fills it, for whom, on which day."""

    institution: str
    author: str
    written_on: date
    lang: str


TOTALS = (
    ("cohort_companies", False),
    ("target_companies", False),
    ("supported_q", False),
    ("supported_ytd", False),
    ("activities_q", False),
    ("activities_ytd", False),
    ("budget_krw", True),
    ("executed_q", True),
    ("executed_ytd", True),
    ("committed_q", True),
    ("committed_ytd", True),
    ("planned_q", True),
    ("planned_ytd", True),
)
# The cohort's own count of companies supported (ReportFigures.cohort_supported).
COHORT_TOTALS = ("cohort_supported_q", "cohort_supported_ytd")
KIND_FIELDS = (
    ("companies_q", False),
    ("activities_q", False),
    ("krw_q", True),
    ("companies_ytd", False),
    ("activities_ytd", False),
    ("krw_ytd", True),
)
PROGRAMME_FIELDS = (
    ("budget_krw", True),
    ("target_companies", False),
    ("companies_q", False),
    ("activities_q", False),
    ("executed_q", True),
    ("companies_ytd", False),
    ("activities_ytd", False),
    ("executed_ytd", True),
    ("executed_share", False),
)
STAGE_FIELDS = ("at_start", "entered", "moved_in", "moved_out", "at_end")
OUTCOME_FIELDS = (
    ("reports", False),
    ("new_hires", False),
    ("patents_filed", False),
    ("patents_registered", False),
    ("investment_krw", True),
    ("exports_krw", True),
)
TEXTS = ("institution", "period", "date_written", "author", "cohort_name")


def _executed_share(figures: ReportFigures) -> float | None:
    if figures.executed_ytd is None:
        return None
    return figures.executed_ytd / figures.budget_krw if figures.budget_krw else 0.0


def named_figures(
    figures: ReportFigures,
    context: FillContext,
    kind_names: dict[str, str],
) -> list[NamedFigure]:
    """Every named figure of the quarter, in catalogue order; money in won."""
    lang, f = context.lang, figures
    out = [
        NamedFigure("institution", t("funder.fig.institution", lang), context.institution,
                    group="texts"),
        NamedFigure("period", t("funder.fig.period", lang),
                    t("funder.period", lang, year=f.year, quarter=f.quarter), group="texts"),
        NamedFigure("date_written", t("funder.fig.date_written", lang), context.written_on,
                    group="texts"),
        NamedFigure("author", t("funder.fig.author", lang), context.author, group="texts"),
        NamedFigure("cohort_name", t("funder.fig.cohort_name", lang), f.cohort_name,
                    group="texts"),
    ]  # fmt: skip
    for code, money in TOTALS:
        out.append(NamedFigure(code, t(f"funder.fig.{code}", lang), getattr(f, code), money))
    for code, value in zip(COHORT_TOTALS, f.cohort_supported, strict=True):
        out.append(NamedFigure(code, t(f"funder.fig.{code}", lang), value))
    out.append(
        NamedFigure("executed_share", t("funder.fig.executed_share", lang), _executed_share(f))
    )
    for kind in f.kinds:
        name = kind_names.get(kind.kind, kind.kind)
        for field, money in KIND_FIELDS:
            label = t(f"funder.fig.kind.{field}", lang, kind=name)
            out.append(
                NamedFigure(
                    f"kind.{kind.kind}.{field}", label, getattr(kind, field), money, "kinds"
                )
            )
    for p in f.programmes:
        for field, money in PROGRAMME_FIELDS:
            value = p.executed_share if field == "executed_share" else getattr(p, field)
            label = t(f"funder.fig.programme.{field}", lang, programme=p.name)
            out.append(
                NamedFigure(
                    f"programme.{p.programme_id}.{field}", label, value, money, "programmes"
                )
            )
    for s in f.stages:
        stage = t(f"stage.{s.stage}", lang)
        for field in STAGE_FIELDS:
            label = t(f"funder.fig.stage.{field}", lang, stage=stage)
            out.append(NamedFigure(f"stage.{s.stage}.{field}", label, getattr(s, field), False,
                                   "stages"))  # fmt: skip
    for m in f.moves:
        label = t(
            "funder.fig.move",
            lang,
            source=t(f"stage.{m.from_stage}", lang),
            target=t(f"stage.{m.to_stage}", lang),
        )
        out.append(NamedFigure(f"move.{m.from_stage}.{m.to_stage}", label, m.moves, False, "moves"))
    for scope, outcomes in (("q", f.outcomes_q), ("ytd", f.outcomes_ytd)):
        for field, money in OUTCOME_FIELDS:
            label = t(f"funder.fig.outcome.{field}.{scope}", lang)
            out.append(
                NamedFigure(f"outcomes.{scope}.{field}", label, getattr(outcomes, field), money,
                            "outcomes")
            )  # fmt: skip
    return out


def in_unit(figure: NamedFigure, divisor: int) -> Any:
    """The value as the form shows it: money divided into the chosen unit (as the quarterly
    workbook divides it), everything else as it is."""
    if figure.money and isinstance(figure.value, int | float) and divisor != 1:
        return figure.value / divisor
    return figure.value


STAGES = tuple(s.value for s in Stage)
