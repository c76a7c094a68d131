"""District figures (Contract 5) computed by `warehouse/figures/*.sql`, and revisions.

`known_at=None` means everything received so far; a past `known_at` reproduces the
figures exactly as an earlier bulletin saw them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from foundation.reference import scope_labels, value_lists
from warehouse.calendar import year_start
from warehouse.db import EVERYTHING_KNOWN
from warehouse.sql import fetch_frame, run_sql_file

FIGURES_DIR = Path(__file__).parent / "figures"

FIGURE_SCHEMA: dict[str, pl.DataType] = {
    "figure": pl.String(),
    "as_of": pl.Date(),
    "known_at": pl.Datetime("us"),
    "scope": pl.String(),
    "station": pl.String(),
    "category": pl.String(),
    "measure": pl.String(),
    "value": pl.Float64(),
    "text": pl.String(),
}
FIGURE_KEY = ["figure", "scope", "station", "category", "measure"]

# targets/<year>.yaml key → SQL parameter. Missing targets bind as null.
TARGET_PARAMS = {
    "placements": "target_placements",
    "events": "target_events",
    "new_stations": "target_new_stations",
    "uncleared_households": "target_uncleared_households",
}


def due_at(known_at: datetime | None, now: datetime | None) -> datetime:
    """The moment deadlines are judged at: a station-month whose deadline has not passed
    by then is not yet due (returns.md §6). Figures as known at a past time judge them at
    that time; the current figures at the run's clock; with neither, everything is due."""
    moments = [t for t in (known_at, now) if t is not None]
    return min(moments) if moments else EVERYTHING_KNOWN


def _params(
    as_of: date,
    known_at: datetime | None,
    targets: Mapping[str, Any],
    on_time_day: int,
    now: datetime | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "as_of": as_of,
        "year_start": year_start(as_of),
        "known_at": known_at or EVERYTHING_KNOWN,
        "on_time_day": on_time_day,
        "due_at": due_at(known_at, now),
    }
    for key, name in TARGET_PARAMS.items():
        value = targets.get(key)
        params[name] = None if value is None else float(value)
    statuses = value_lists()["household_statuses"]
    params["uncleared"] = statuses["uncleared"].label
    params["cleared"] = statuses["cleared"].label
    return params


def compute_figures(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    known_at: datetime | None,
    targets: Mapping[str, Any],
    *,
    on_time_day: int,
    now: datetime | None = None,
) -> pl.DataFrame:
    """All figures F01–F13 for `as_of` as known at `known_at`, in Contract 5 rows.

    `targets` is the mapping of `targets/<as_of.year>.yaml`
    (`load_reference().targets(as_of.year)`). `text` is null except for F13, whose
    text is the status label. `now` is the run's clock, which decides (with `known_at`)
    which station-months are due yet (`due_at`); `on_time_day` is the run context's
    deadline day (`RunContext.on_time_day`), passed in so the day has one route here.
    """
    params = _params(as_of, known_at, targets, on_time_day, now)
    frames = []
    for path in sorted(FIGURES_DIR.glob("f*.sql")):
        frame = fetch_frame(con, path, params)
        frames.append(
            frame.with_columns(pl.lit(known_at, dtype=pl.Datetime("us")).alias("known_at")).select(
                [pl.col(c).cast(t) for c, t in FIGURE_SCHEMA.items()]
            )
        )
    if not frames:
        return pl.DataFrame(schema=FIGURE_SCHEMA)
    # A figure's rows are listed by their scope's label, the order bulletins (and their
    # revision tables) have always printed: the codes would sort `month` before `ytd`.
    order = [
        pl.col("scope").replace(scope_labels()) if k == "scope" else pl.col(k) for k in FIGURE_KEY
    ]
    return pl.concat(frames).sort(order, nulls_last=False)


def data_version(con: duckdb.DuckDBPyConnection, known_at: datetime | None = None) -> str:
    """sha256 over the sorted return_ids of the current accepted versions."""
    rows = run_sql_file(
        con, "figures/select_current_return_ids.sql", {"known_at": known_at or EVERYTHING_KNOWN}
    ).fetchall()
    digest = hashlib.sha256()
    for (return_id,) in rows:
        digest.update(return_id.encode("ascii"))
        digest.update(b"\n")
    return digest.hexdigest()


NOT_REVISED = ["F13"]

REVISION_SCHEMA: dict[str, pl.DataType] = {
    "figure": pl.String(),
    "period": pl.String(),
    "scope": pl.String(),
    "station": pl.String(),
    "category": pl.String(),
    "measure": pl.String(),
    "old_value": pl.Float64(),
    "new_value": pl.Float64(),
    "cause": pl.String(),
}


def revisions(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    previous_known_at: datetime,
    known_at: datetime | None,
    targets: Mapping[str, Any],
    *,
    on_time_day: int,
) -> pl.DataFrame:
    """Figures for `as_of` that differ between `previous_known_at` and `known_at`.

    `as_of` and `previous_known_at` are those of the published issue whose figures are
    revised. F13 (the returns register) is left out. `period` is the month a row is
    about (its `YYYY-MM` category, else the as-of month); `cause` names the returns
    that changed it: the accepted versions received in between of station-months up
    to the as-of month, narrowed to the row's station and to its month when the row
    has them.
    """
    # F13 describes deliveries, not the district: a resubmission changes it by design.
    statistics = pl.col("figure").is_in(NOT_REVISED).not_()
    old = compute_figures(con, as_of, previous_known_at, targets, on_time_day=on_time_day).filter(
        statistics
    )
    new = compute_figures(con, as_of, known_at, targets, on_time_day=on_time_day).filter(statistics)
    joined = (
        old.select([*FIGURE_KEY, pl.col("value").alias("old_value")])
        .join(
            new.select([*FIGURE_KEY, pl.col("value").alias("new_value")]),
            on=FIGURE_KEY,
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .filter(pl.col("old_value").ne_missing(pl.col("new_value")))
    )
    month = as_of.strftime("%Y-%m")
    between = run_sql_file(
        con,
        "figures/select_returns_between.sql",
        {
            "from_known_at": previous_known_at,
            "to_known_at": known_at or EVERYTHING_KNOWN,
            "last_period": month,
        },
    ).fetchall()

    def cause(station: str | None, period: str | None) -> str | None:
        # A person counts once, at their first placement: a return of another month or
        # station can move a row, so widen the search when the narrow one finds none.
        for st, pe in ((station, period), (station, None), (None, None)):
            names = sorted({f for s, p, f in between if st in (None, s) and pe in (None, p)})
            if names:
                return "、".join(names)
        return None

    rows = []
    for r in joined.iter_rows(named=True):
        category = r["category"]
        is_month = bool(category and len(category) == 7 and category[4] == "-")
        rows.append(
            {
                **{k: r[k] for k in FIGURE_KEY},
                "period": category if is_month else month,
                "old_value": r["old_value"],
                "new_value": r["new_value"],
                "cause": cause(r["station"], category if is_month else None),
            }
        )
    return pl.DataFrame(rows, schema=REVISION_SCHEMA).select(list(REVISION_SCHEMA))
