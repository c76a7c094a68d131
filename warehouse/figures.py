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

from warehouse.db import (
    EVERYTHING_KNOWN,
    fetch_frame,
    last_bulletin_before,
    record_bulletin,
    run_sql_file,
)

__all__ = [
    "FIGURE_COLUMNS",
    "compute_figures",
    "data_version",
    "last_bulletin_before",
    "record_bulletin",
    "revisions",
]

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
FIGURE_COLUMNS = list(FIGURE_SCHEMA)
FIGURE_KEY = ["figure", "scope", "station", "category", "measure"]

# targets/<year>.yaml key → SQL parameter. Missing targets bind as null.
TARGET_PARAMS = {
    "placements": "target_placements",
    "events": "target_events",
    "new_stations": "target_new_stations",
    "uncleared_households": "target_uncleared_households",
}


def _params(
    as_of: date, known_at: datetime | None, targets: Mapping[str, Any], on_time_day: int
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "as_of": as_of,
        "known_at": known_at or EVERYTHING_KNOWN,
        "on_time_day": on_time_day,
    }
    for key, name in TARGET_PARAMS.items():
        value = targets.get(key)
        params[name] = None if value is None else float(value)
    return params


def compute_figures(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    known_at: datetime | None,
    targets: Mapping[str, Any],
    *,
    on_time_day: int = 5,
) -> pl.DataFrame:
    """All figures F01–F13 for `as_of` as known at `known_at`, in Contract 5 rows.

    `targets` is the mapping of `targets/<as_of.year>.yaml`
    (`load_reference().targets(as_of.year)`). `text` is null except for F13, whose
    text is the status label.
    """
    params = _params(as_of, known_at, targets, on_time_day)
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
    return pl.concat(frames).sort(FIGURE_KEY, nulls_last=False)


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
    targets: Mapping[str, Any] | None = None,
    *,
    on_time_day: int = 5,
) -> pl.DataFrame:
    """Figures for `as_of` that differ between `previous_known_at` and `known_at`.

    `as_of` is the as-of date of the earlier bulletin whose figures are revised.
    F13 (the returns register) is left out. `period` is the month a row is about
    (its `YYYY-MM` category, else the as-of month); `cause` lists the file names of
    the returns received in between (those of the row's station when the row is per
    station).
    """
    if targets is None:
        from doorstep.reference import load_reference

        targets = load_reference().targets(as_of.year)
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
    between = run_sql_file(
        con,
        "figures/select_returns_between.sql",
        {"from_known_at": previous_known_at, "to_known_at": known_at or EVERYTHING_KNOWN},
    ).fetchall()

    def cause(station: str | None) -> str | None:
        names = sorted({f for s, f in between if station is None or s == station})
        return "、".join(names) if names else None

    month = as_of.strftime("%Y-%m")
    rows = [
        {
            **{k: r[k] for k in FIGURE_KEY},
            "period": r["category"]
            if r["category"] and len(r["category"]) == 7 and r["category"][4] == "-"
            else month,
            "old_value": r["old_value"],
            "new_value": r["new_value"],
            "cause": cause(r["station"]),
        }
        for r in joined.iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema=REVISION_SCHEMA).select(list(REVISION_SCHEMA))
