"""Stage-funnel analytics: pure functions over pandas frames, no Streamlit.

How a page uses it:

    frames = load_frames(engine)                      # cache this (the one expensive step)
    filter_choices(frames)                            # options for the sidebar widgets
    view = apply_filters(frames, Filters(...))        # every filter change: vectorised, no SQL
    funnel(view, entry_stage="pre_startup", entry_year=2022, as_of=day)
    funnel_by(view, "industry", ...)                  # small multiples
    companies_behind(view, "startup", measure="reached", ...)   # a clicked bar -> companies
    time_in_stage(view, as_of=day); time_in_stage_curve(view, as_of=day)
    stage_counts_by_month(view, start=..., end=...); transitions(view, period="quarter")
    support_before_move(view, as_of=day); outcomes_after_support(view, horizon=1)

Every function takes an `AnalyticsFrames` and returns a new DataFrame with plain columns (stage and
kind codes, ints, floats, datetime64); translate codes with `crm.i18n.t("stage." + code)`.
Functions that write sentences (warnings, notes) take `lang`. Rates come with n and a 95% Wilson
interval; groups under `min_n` (10) are flagged with a warning; open stays are right-censored,
never dropped; backward moves are counted and flagged. Module map:

frames         schemas, loaders (`load_frames`), `make_frames` for hand-built data
filters        `Filters`, `apply_filters`, `filter_choices` (sidebar), `restrict_to_companies`
history        stage spells, per-company progress, stage on a day
intervals      `wilson_interval`, vectorised bounds, small-sample warnings
survival       Kaplan–Meier curve and quantiles
funnel         funnel, funnel per group, drill-down to companies
time_in_stage  median / quartiles of days in each stage (censored)
flow           stage counts at month ends, transitions per month / quarter
support        conversion with vs without each kind of support before the move
outcomes       outcome changes after support vs same-stage companies without it
groups         breakdowns (industry, AI field, officer, location, programme)
keys           fast integer-key membership used by the others
"""

from crm.analytics.filters import (
    Filters,
    apply_filters,
    filter_choices,
    restrict_to_companies,
)
from crm.analytics.flow import month_ends, stage_counts_by_month, transitions
from crm.analytics.frames import AnalyticsFrames, kinds_of, load_frames, make_frames
from crm.analytics.funnel import (
    MEASURES,
    cohort_progress,
    companies_behind,
    companies_in_stage_on,
    funnel,
    funnel_by,
)
from crm.analytics.groups import BREAKDOWNS, NO_GROUP, by_group, company_groups
from crm.analytics.history import company_progress, stage_at, stage_spells
from crm.analytics.intervals import MIN_N, wilson_bounds, wilson_interval
from crm.analytics.outcomes import METRICS, outcomes_after_support
from crm.analytics.support import support_before_move
from crm.analytics.survival import kaplan_meier, km_quantile
from crm.analytics.time_in_stage import stage_durations, time_in_stage, time_in_stage_curve

__all__ = [
    "BREAKDOWNS",
    "MEASURES",
    "METRICS",
    "MIN_N",
    "NO_GROUP",
    "AnalyticsFrames",
    "Filters",
    "apply_filters",
    "by_group",
    "cohort_progress",
    "companies_behind",
    "companies_in_stage_on",
    "company_groups",
    "company_progress",
    "filter_choices",
    "funnel",
    "funnel_by",
    "kaplan_meier",
    "kinds_of",
    "km_quantile",
    "load_frames",
    "make_frames",
    "month_ends",
    "outcomes_after_support",
    "restrict_to_companies",
    "stage_at",
    "stage_counts_by_month",
    "stage_durations",
    "stage_spells",
    "support_before_move",
    "time_in_stage",
    "time_in_stage_curve",
    "transitions",
    "wilson_bounds",
    "wilson_interval",
]
