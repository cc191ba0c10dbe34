"""The tables the analytics read, as pandas DataFrames loaded with plain SQL selects.

Everything in `crm.analytics` takes an `AnalyticsFrames`: five DataFrames with fixed columns and
dtypes. Load them once with `load_frames(engine)` (the page caches the result), narrow them with
`crm.analytics.filters.apply_filters`, and hand them to the pure functions.

Schemas (dates are `datetime64[s]`, money is int64 KRW):

companies   company_id, name_ko, cohort_year, industry, ai_field (NA if none), officer_id (Int64,
            NA if unassigned), officer_name (the officer's display name, NA if unassigned),
            location (NA if none), archived (bool). Sorted by company_id.
stages      entry_id, company_id, stage (a `Stage` value), rank (int8: 0 pre-startup, 1 startup,
            2 growth), entered_on. Sorted by company_id, entered_on, entry_id, so a company's last
            row is its current stage (the house rule: latest entry by date, then id).
activities  live activities only (status != 'cancelled'): activity_id, company_id, programme_id,
            programme (its name), kind (its programme's kind), start_on, amount_krw.
outcomes    company_id, year, quarter, employees, revenue_krw, investment_krw, exports_krw.
programmes  programme_id, name, kind, year.

Why it is loaded this way (measured on 100,000 demo companies, 980,000 live activities, SQLite):
- rows come from the DBAPI cursor and integer columns go into numpy in one `np.fromiter` pass;
  `pd.read_sql` took about twice as long, `DataFrame.from_records` 3.5x as long for the
  conversion;
- dates are selected as whole days since 1970-01-01 (`julianday` on SQLite, date subtraction on
  PostgreSQL), so no date strings are parsed and no `date` objects are built per row;
- an activity's kind and programme name are joined in pandas from the handful of programmes,
  instead of in SQL, which saves the join and a million Python strings.

`make_frames` builds the same frames from plain records; tests and the loaders share it, so a
hand-built cohort and a loaded one have identical dtypes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from crm.models import (
    BUILTIN_KINDS,
    Activity,
    ActivityStatus,
    Company,
    OutcomeReport,
    Programme,
    Stage,
    StageEntry,
    User,
)

DATE_DTYPE = "datetime64[s]"
STAGES: tuple[str, ...] = tuple(s.value for s in Stage)
STAGE_RANK: dict[str, int] = {s: i for i, s in enumerate(STAGES)}
EPOCH = date(1970, 1, 1)

COMPANY_COLUMNS = (
    "company_id",
    "name_ko",
    "cohort_year",
    "industry",
    "ai_field",
    "officer_id",
    "officer_name",
    "location",
    "archived",
)
STAGE_COLUMNS = ("entry_id", "company_id", "stage", "rank", "entered_on")
ACTIVITY_COLUMNS = (
    "activity_id",
    "company_id",
    "programme_id",
    "programme",
    "kind",
    "start_on",
    "amount_krw",
)
OUTCOME_COLUMNS = (
    "company_id",
    "year",
    "quarter",
    "employees",
    "revenue_krw",
    "investment_krw",
    "exports_krw",
)
PROGRAMME_COLUMNS = ("programme_id", "name", "kind", "year")


@dataclass(frozen=True)
class AnalyticsFrames:
    """The five frames every analytic reads; see the module docstring for their columns."""

    companies: pd.DataFrame
    stages: pd.DataFrame
    activities: pd.DataFrame
    outcomes: pd.DataFrame
    programmes: pd.DataFrame


class ActivitiesNotLoaded:
    """The activities of frames read without them (`load_frames(..., activities=False)`), for
    the analytics of companies, stages and outcomes, which never read activities. Any use fails
    at once: an analytic that started to read activities must not count an empty frame."""

    def _refuse(self, *_: object) -> NoReturn:
        raise RuntimeError("these frames were read without their activities")

    __getitem__ = _refuse
    __len__ = _refuse
    __iter__ = _refuse

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("__"):
            raise AttributeError(name)
        self._refuse()


NOT_LOADED: Any = ActivitiesNotLoaded()


def has_activities(frames: AnalyticsFrames) -> bool:
    return not isinstance(frames.activities, ActivitiesNotLoaded)


def day_number(day: date) -> int:
    """Days since 1970-01-01: the integer form dates take inside the vectorised code."""
    return (day - EPOCH).days


def days_of(column: pd.Series) -> np.ndarray:
    """A datetime64 column as int64 days since 1970-01-01."""
    return column.to_numpy().astype("datetime64[D]").astype(np.int64)


def quarter_numbers(column: pd.Series) -> np.ndarray:
    """year * 4 + quarter - 1 of each date in a datetime64 column (Quarter.index, vectorised).

    Through a per-day lookup table over the column's span: numpy's calendar conversion to
    months costs ~20 ms per million dates, a gather from a table of a few hundred days ~2 ms."""
    days = days_of(column)
    if len(days) == 0:
        return np.zeros(0, dtype=np.int64)
    first = int(days.min())
    span = np.arange(first, int(days.max()) + 1, dtype=np.int64)
    months = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return (months // 3)[days - first]


def dates_from_days(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(DATE_DTYPE)


def category_positions(column: pd.Series, values: Sequence[str]) -> np.ndarray:
    """For each row of a categorical column (activities' kind or programme), the position of
    its value in `values`, or -1. Works on the integer codes: comparing a million strings is
    what made the first version of the support analytics take most of a second."""
    categorical = column.astype("category") if column.dtype != "category" else column
    lookup = pd.Index(list(values), dtype=object).get_indexer(
        categorical.cat.categories.astype(object)
    )
    codes = categorical.cat.codes.to_numpy()
    return np.where(codes >= 0, lookup[codes], -1) if len(lookup) else np.full(len(codes), -1)


def categories_used(column: pd.Series) -> list[str]:
    """The categories that occur in a categorical column, in category order."""
    categorical = column.astype("category") if column.dtype != "category" else column
    counts = np.bincount(categorical.cat.codes.to_numpy() + 1, minlength=1)[1:]
    return [str(c) for c, n in zip(categorical.cat.categories, counts, strict=False) if n > 0]


def kinds_of(frames: AnalyticsFrames) -> list[str]:
    """Every kind in the programmes or activities: built-in kinds first, others by name. (An
    activity's kind is its programme's: frames read without activities give the same list.)"""
    found = set(frames.programmes["kind"].dropna().astype(str))
    if has_activities(frames):
        found |= set(categories_used(frames.activities["kind"]))
    builtin = [k for k in BUILTIN_KINDS if k in found]
    return builtin + sorted(found - set(builtin))


def _as_dates(values: Any) -> np.ndarray:
    """Anything date-like (date objects, ISO strings, datetime64, epoch-day ints) as DATE_DTYPE."""
    series = pd.Series(values)
    if series.empty:
        return np.array([], dtype=DATE_DTYPE)
    if pd.api.types.is_integer_dtype(series.dtype):
        return dates_from_days(series.to_numpy())
    return pd.to_datetime(series).to_numpy().astype(DATE_DTYPE)


def _frame(records: Iterable[Any] | pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    if isinstance(records, pd.DataFrame):
        return records.reset_index(drop=True)
    rows = list(records)
    if rows and isinstance(rows[0], Mapping):
        return pd.DataFrame.from_records(rows)
    return pd.DataFrame.from_records(rows, columns=list(columns))


def _ints(df: pd.DataFrame, column: str, default: int | None = None) -> np.ndarray:
    if column in df:
        return df[column].to_numpy(dtype=np.int64)
    if default is None:
        raise KeyError(f"column {column!r} is required")
    return np.full(len(df), default, dtype=np.int64)


def _texts(df: pd.DataFrame, column: str, *, required: bool = False) -> pd.Series:
    """A text column in pandas' string dtype; missing values (and a missing column) are NA."""
    if column in df:
        return pd.Series(df[column].to_numpy(dtype=object), dtype="str")
    if required:
        raise KeyError(f"column {column!r} is required")
    return pd.Series([None] * len(df), dtype="str")


def _lookup_categorical(per_programme: pd.Series, positions: np.ndarray) -> pd.Categorical:
    """Per-activity values from per-programme ones, as codes into the programmes' categories."""
    categories = pd.Index(per_programme.unique())
    codes = categories.get_indexer(per_programme.to_numpy())
    return pd.Categorical.from_codes(
        np.where(positions >= 0, codes[positions], -1), categories=categories
    )


def normalise_companies(records: Iterable[Any] | pd.DataFrame) -> pd.DataFrame:
    df = _frame(records, COMPANY_COLUMNS)
    officer = df["officer_id"] if "officer_id" in df else [None] * len(df)
    archived = df["archived"] if "archived" in df else [False] * len(df)
    out = pd.DataFrame(
        {
            "company_id": _ints(df, "company_id"),
            "name_ko": _texts(df, "name_ko", required=True),
            "cohort_year": _ints(df, "cohort_year", 0),
            "industry": _texts(df, "industry"),
            "ai_field": _texts(df, "ai_field"),
            "officer_id": pd.array(officer, dtype="Int64"),
            "officer_name": _texts(df, "officer_name"),
            "location": _texts(df, "location"),
            "archived": np.asarray(archived, dtype=bool),
        }
    )
    return out.sort_values("company_id", kind="stable").reset_index(drop=True)


def normalise_stages(records: Iterable[Any] | pd.DataFrame) -> pd.DataFrame:
    df = _frame(records, ("entry_id", "company_id", "stage", "entered_on"))
    stage = _texts(df, "stage", required=True)
    unknown = set(stage.dropna().unique()) - set(STAGES)
    if unknown or stage.isna().any():
        raise ValueError(f"unknown stage values {sorted(unknown)}; expected one of {STAGES}")
    out = pd.DataFrame(
        {
            "entry_id": _ints(df, "entry_id") if "entry_id" in df else np.arange(1, len(df) + 1),
            "company_id": _ints(df, "company_id"),
            "stage": stage,
            "rank": stage.map(STAGE_RANK).to_numpy(dtype=np.int8),
            "entered_on": _as_dates(df["entered_on"]),
        }
    )
    return out.sort_values(["company_id", "entered_on", "entry_id"], kind="stable").reset_index(
        drop=True
    )


def normalise_activities(records: Iterable[Any] | pd.DataFrame) -> pd.DataFrame:
    df = _frame(records, ACTIVITY_COLUMNS)
    kind = _texts(df, "kind", required=True)
    programme = _texts(df, "programme") if "programme" in df else kind
    return pd.DataFrame(
        {
            "activity_id": _ints(df, "activity_id")
            if "activity_id" in df
            else np.arange(1, len(df) + 1),
            "company_id": _ints(df, "company_id"),
            "programme_id": _ints(df, "programme_id", 0),
            "programme": pd.Categorical(programme),
            "kind": pd.Categorical(kind),
            "start_on": _as_dates(df["start_on"]),
            "amount_krw": _ints(df, "amount_krw", 0),
        }
    )


def normalise_outcomes(records: Iterable[Any] | pd.DataFrame) -> pd.DataFrame:
    df = _frame(records, OUTCOME_COLUMNS)
    required = ("company_id", "year", "quarter")
    return pd.DataFrame(
        {c: _ints(df, c) if c in required else _ints(df, c, 0) for c in OUTCOME_COLUMNS}
    )


def normalise_programmes(records: Iterable[Any] | pd.DataFrame) -> pd.DataFrame:
    df = _frame(records, PROGRAMME_COLUMNS)
    return pd.DataFrame(
        {
            "programme_id": _ints(df, "programme_id"),
            "name": _texts(df, "name", required=True),
            "kind": _texts(df, "kind", required=True),
            "year": _ints(df, "year", 0),
        }
    )


def make_frames(
    *,
    companies: Iterable[Any] | pd.DataFrame,
    stages: Iterable[Any] | pd.DataFrame,
    activities: Iterable[Any] | pd.DataFrame = (),
    outcomes: Iterable[Any] | pd.DataFrame = (),
    programmes: Iterable[Any] | pd.DataFrame = (),
) -> AnalyticsFrames:
    """Frames from plain records (dicts or DataFrames); missing optional columns get defaults.

    Required: companies(company_id, name_ko), stages(company_id, stage, entered_on),
    activities(company_id, kind, start_on). Dates may be `date`s or ISO strings."""
    return AnalyticsFrames(
        companies=normalise_companies(companies),
        stages=normalise_stages(stages),
        activities=normalise_activities(activities),
        outcomes=normalise_outcomes(outcomes),
        programmes=normalise_programmes(programmes),
    )


# --- loading -----------------------------------------------------------------------------------


def _epoch_days(column: Any, dialect: str) -> sa.ColumnElement[int]:
    """Days since 1970-01-01 of a DATE column, computed by the database."""
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(column) - 2440587.5, sa.Integer)
    # PostgreSQL: date - date is an integer number of days.
    return sa.cast(column - sa.literal_column("DATE '1970-01-01'"), sa.Integer)


def _fetch(
    conn: Connection, query: sa.Select, columns: Sequence[str], integers: Sequence[str]
) -> pd.DataFrame:
    """Run a select and build a frame straight from the raw DBAPI rows.

    `integers` name the never-null integer columns: they become int64 arrays in one
    `np.fromiter` pass (3.5x faster than `DataFrame.from_records` on a million rows); other
    columns stay Python objects for the normalisers to type."""
    result = conn.execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    dtype = np.dtype([(c, np.int64 if c in integers else object) for c in columns])
    table = np.fromiter(rows, dtype=dtype, count=len(rows))
    return pd.DataFrame({c: table[c] for c in columns})


def _cohort_companies(cohort_years: Sequence[int] | None) -> sa.Select | None:
    if not cohort_years:
        return None
    company = Company.__table__  # type: ignore[attr-defined]
    return sa.select(company.c.id).where(company.c.cohort_year.in_(list(cohort_years)))


def load_companies(conn: Connection, *, cohort_years: Sequence[int] | None = None) -> pd.DataFrame:
    company = Company.__table__  # type: ignore[attr-defined]
    user = User.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(
            company.c.id,
            company.c.name_ko,
            company.c.cohort_year,
            company.c.industry,
            company.c.ai_field,
            company.c.officer_id,
            user.c.display_name,
            company.c.location,
            company.c.archived,
        )
        .select_from(company.outerjoin(user, user.c.id == company.c.officer_id))
        .order_by(company.c.id)
    )
    if cohort_years:
        query = query.where(company.c.cohort_year.in_(list(cohort_years)))
    return normalise_companies(
        _fetch(conn, query, COMPANY_COLUMNS, integers=("company_id", "cohort_year"))
    )


def load_stage_entries(
    conn: Connection, *, cohort_years: Sequence[int] | None = None
) -> pd.DataFrame:
    entry = StageEntry.__table__  # type: ignore[attr-defined]
    query = sa.select(
        entry.c.id,
        entry.c.company_id,
        entry.c.stage,
        _epoch_days(entry.c.entered_on, conn.dialect.name),
    ).order_by(entry.c.company_id, entry.c.entered_on, entry.c.id)
    subset = _cohort_companies(cohort_years)
    if subset is not None:
        query = query.where(entry.c.company_id.in_(subset))
    columns = ("entry_id", "company_id", "stage", "entered_on")
    return normalise_stages(
        _fetch(conn, query, columns, integers=("entry_id", "company_id", "entered_on"))
    )


def load_programmes(conn: Connection) -> pd.DataFrame:
    programme = Programme.__table__  # type: ignore[attr-defined]
    query = sa.select(
        programme.c.id, programme.c.name, programme.c.kind, programme.c.year
    ).order_by(programme.c.id)
    return normalise_programmes(
        _fetch(conn, query, PROGRAMME_COLUMNS, integers=("programme_id", "year"))
    )


def load_activities(
    conn: Connection,
    *,
    programmes: pd.DataFrame | None = None,
    cohort_years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Live activities with their programme's name and kind (joined here, see module doc)."""
    activity = Activity.__table__  # type: ignore[attr-defined]
    if programmes is None:
        programmes = load_programmes(conn)
    query = sa.select(
        activity.c.id,
        activity.c.company_id,
        activity.c.programme_id,
        _epoch_days(activity.c.start_on, conn.dialect.name),
        activity.c.amount_krw,
    ).where(activity.c.status != ActivityStatus.CANCELLED.value)
    subset = _cohort_companies(cohort_years)
    if subset is not None:
        query = query.where(activity.c.company_id.in_(subset))
    columns = ("activity_id", "company_id", "programme_id", "start_on", "amount_krw")
    raw = _fetch(conn, query, columns, integers=columns)
    programme_ids = raw["programme_id"].to_numpy(dtype=np.int64)
    positions = pd.Index(programmes["programme_id"]).get_indexer(programme_ids)
    return pd.DataFrame(
        {
            "activity_id": raw["activity_id"].to_numpy(dtype=np.int64),
            "company_id": raw["company_id"].to_numpy(dtype=np.int64),
            "programme_id": programme_ids,
            "programme": _lookup_categorical(programmes["name"], positions),
            "kind": _lookup_categorical(programmes["kind"], positions),
            "start_on": dates_from_days(raw["start_on"].to_numpy()),
            "amount_krw": raw["amount_krw"].to_numpy(dtype=np.int64),
        }
    )


def load_activity_span(conn: Connection) -> tuple[date, date] | None:
    """The first and last day of the live activities (None if there are none): what the sidebar
    needs of them without reading them all."""
    activity = Activity.__table__  # type: ignore[attr-defined]
    live = sa.select(_epoch_days(activity.c.start_on, conn.dialect.name)).where(
        activity.c.status != ActivityStatus.CANCELLED.value
    )
    # Each end walks the start_on index and stops at its first live activity (a min/max over
    # the status filter would read every row: 30 ms at 10,000 companies).
    first = conn.execute(live.order_by(activity.c.start_on).limit(1)).scalar()
    last = conn.execute(live.order_by(activity.c.start_on.desc()).limit(1)).scalar()
    if first is None or last is None:
        return None
    return date.fromordinal(EPOCH.toordinal() + int(first)), date.fromordinal(
        EPOCH.toordinal() + int(last)
    )


def load_outcomes(conn: Connection, *, cohort_years: Sequence[int] | None = None) -> pd.DataFrame:
    report = OutcomeReport.__table__  # type: ignore[attr-defined]
    query = sa.select(*(report.c[c] for c in OUTCOME_COLUMNS))
    subset = _cohort_companies(cohort_years)
    if subset is not None:
        query = query.where(report.c.company_id.in_(subset))
    return normalise_outcomes(_fetch(conn, query, OUTCOME_COLUMNS, integers=OUTCOME_COLUMNS))


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: on PostgreSQL one snapshot for every select in it."""
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def read_activities(engine: Engine) -> pd.DataFrame:
    """The activities frame alone, with its programmes' names and kinds read in the same
    snapshot."""
    with _snapshot(engine) as conn:
        return load_activities(conn)


def load_frames(
    bind: Engine | Connection,
    *,
    cohort_years: Sequence[int] | None = None,
    activities: bool = True,
) -> AnalyticsFrames:
    """All five frames in one read transaction (one snapshot on PostgreSQL too).

    `cohort_years` narrows the load in SQL; leave it empty when the page caches one load and
    filters in pandas (a filter change then never goes back to the database). With
    `activities=False` the activities are not read (`NOT_LOADED` stands in for them), for a
    page that reads them only when a section needs them (`crm.ui.funnel_view`)."""
    if isinstance(bind, Engine):
        with _snapshot(bind) as conn:
            return load_frames(conn, cohort_years=cohort_years, activities=activities)
    programmes = load_programmes(bind)
    return AnalyticsFrames(
        companies=load_companies(bind, cohort_years=cohort_years),
        stages=load_stage_entries(bind, cohort_years=cohort_years),
        activities=load_activities(bind, programmes=programmes, cohort_years=cohort_years)
        if activities
        else NOT_LOADED,
        outcomes=load_outcomes(bind, cohort_years=cohort_years),
        programmes=programmes,
    )
