"""Loading the private warehouse: a night's returns, set-based, in chunks of many
returns, each chunk one transaction; the file manifest and the publication register.

Python here only shapes frames and binds parameters; all SQL lives in the files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from foundation.faults import fault_point
from foundation.fields import SHEETS, typed_columns
from foundation.issues import QUARANTINE_SCHEMA
from transforms.pseudonym import with_person_key
from warehouse.sql import fetch_frame, registered, run_sql_file
from warehouse.warehouse import Warehouse

# Far enough ahead to mean "everything received so far" as a bound timestamp.
EVERYTHING_KNOWN = datetime(9999, 12, 31, 23, 59, 59)

RETURN_STATUSES = ("accepted", "held_back", "rejected")

# Columns of each staging table's incoming frame and their types, from the field registry;
# a typed frame that lacks one (an empty or missing sheet) gets it as nulls.
STAGING_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    sheet: typed_columns(sheet) for sheet in SHEETS
}

# One issue row of a return, as raw.quarantine keeps it.
QUARANTINE_COLUMNS: dict[str, pl.DataType] = {"return_id": pl.String(), **QUARANTINE_SCHEMA}

# One line per return of a night: its identity and outcome (raw.returns) and what its
# line in the file manifest (raw.files) adds.
RETURN_COLUMNS: dict[str, pl.DataType] = {
    "return_id": pl.String(),
    "station_code": pl.String(),
    "period": pl.String(),
    "received_at": pl.Datetime("us"),
    "file_name": pl.String(),
    "status": pl.String(),
    "rows_received": pl.Int64(),
    "size": pl.Int64(),
    "reason_code": pl.String(),
    "first_seen_run": pl.String(),
    "mtime": pl.Datetime("us"),
}

# Files recorded without being loaded (copies, set-aside entries): raw.files' columns.
FILE_COLUMNS: dict[str, pl.DataType] = {
    "sha256": pl.String(),
    "file_name": pl.String(),
    "size": pl.Int64(),
    "received_at": pl.Datetime("us"),
    "station_code": pl.String(),
    "period": pl.String(),
    "outcome": pl.String(),
    "reason_code": pl.String(),
    "first_seen_run": pl.String(),
    "mtime": pl.Datetime("us"),
}

# Returns per transaction. A chunk's statements cost the same for 1 return or 500, so
# bigger is faster; the bound keeps one transaction's frames and undo log small.
RETURNS_PER_CHUNK = 500

# Sheets with a person in them: the column the pseudonym is made from, and its name.
_PSEUDONYMS = {
    "placements": ("id_number", "person_key"),
    "households": ("head_id_number", "head_key"),
}


def connect_private(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection to the private DB at `path` (see `warehouse.Warehouse`)."""
    return Warehouse(path).connect()


def record_file(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> bool:
    """Record a delivered file in raw.files; False when its bytes were seen before
    (a byte-identical copy, possibly under another name, which is recorded but not loaded)."""
    seen = file_seen(con, manifest["sha256"])
    params = {name: manifest.get(name) for name in FILE_COLUMNS}
    run_sql_file(con, "raw/insert_file.sql", params)
    return not seen


def record_files(con: duckdb.DuckDBPyConnection, files: pl.DataFrame) -> None:
    """Record files that are not loaded (copies, set-aside entries) in raw.files with
    one statement: all of them or none."""
    if files.height == 0:
        return
    with registered(con, {"incoming_files": _conform(files, FILE_COLUMNS)}):
        run_sql_file(con, "raw/insert_files.sql")


def files_seen(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """sha256 → the names each content was received under."""
    seen: dict[str, set[str]] = {}
    for sha256, file_name in run_sql_file(con, "raw/select_files_seen.sql").fetchall():
        seen.setdefault(sha256, set()).add(file_name)
    return seen


def file_seen(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    rows = run_sql_file(con, "raw/select_file_seen.sql", {"sha256": sha256}).fetchall()
    return bool(rows and rows[0][0])


def _conform(frame: pl.DataFrame | None, columns: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Exactly these columns, in order and typed; absent ones as nulls."""
    if frame is None:
        return pl.DataFrame(schema=dict(columns))
    exprs = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in columns.items()
    ]
    return frame.select(exprs)


def _staged(
    sheet: str, frame: pl.DataFrame | None, returns: pl.DataFrame, key: bytes
) -> pl.DataFrame:
    """A sheet's rows for the whole night as its staging table takes them: each row's
    station and period from its return's line (never from the frame), pseudonym added."""
    columns = STAGING_COLUMNS[sheet]
    if frame is None or frame.height == 0:
        staged = _conform(None, columns)
    else:
        identity = returns.select("return_id", "station_code", "period", "chunk")
        own = frame.drop([c for c in ("station_code", "period", "chunk") if c in frame.columns])
        staged = own.join(identity, on="return_id", how="left", maintain_order="left")
        if staged.filter(pl.col("chunk").is_null()).height:
            raise ValueError(f"{sheet}: rows of a return that is not in the night's returns")
        staged = _conform(staged, {**columns, "chunk": pl.Int64()})
    if sheet in _PSEUDONYMS:
        id_column, name = _PSEUDONYMS[sheet]
        staged = with_person_key(staged, key, column=id_column, name=name)
    return staged


def _by_chunk(frame: pl.DataFrame, chunks: int) -> list[pl.DataFrame]:
    """The frame's rows of each chunk (split once), without the chunk column."""
    if "chunk" not in frame.columns:
        return [frame] * chunks if chunks else []
    parts = frame.partition_by("chunk", as_dict=True, include_key=False)
    empty = frame.drop("chunk").clear()
    return [parts.get((i,), empty) for i in range(chunks)]


def load_night(
    con: duckdb.DuckDBPyConnection,
    returns: pl.DataFrame,
    sheets: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame | None,
    *,
    key: bytes,
    manifest: bool = True,
    returns_per_chunk: int = RETURNS_PER_CHUNK,
) -> list[str]:
    """Load a night's returns set-based: each sheet's rows, the quarantine, raw.returns
    and the returns' lines in raw.files with one statement each per chunk of returns,
    each chunk in one transaction. A kill at any instant leaves every return wholly on
    record or not at all (its file line with it, Contract 8), so the next night reads
    the rest again.

    `returns` has RETURN_COLUMNS (one row per return, unique return_id); `sheets` and
    `quarantine` hold the rows of all of them, keyed by return_id (rows of held-back
    returns are kept for the record; only accepted returns ever become current). A
    return loaded before is left as it is. Returns the return_ids loaded now.
    """
    unknown = set(sheets) - set(SHEETS) - {"cover"}
    if unknown:
        raise ValueError(f"unknown sheet keys: {sorted(unknown)}")
    bad = set(returns["status"].to_list()) - set(RETURN_STATUSES) if returns.height else set()
    if bad:
        raise ValueError(f"status must be one of {RETURN_STATUSES}, not {sorted(bad)}")
    if returns["return_id"].n_unique() != returns.height:
        raise ValueError("a return_id appears twice in the night's returns")
    if returns_per_chunk < 1:
        raise ValueError("returns_per_chunk must be at least 1")

    # The night partitioned once: every row tagged with its return's chunk.
    returns = _conform(returns, RETURN_COLUMNS).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) // returns_per_chunk).alias("chunk")
    )
    chunks = -(-returns.height // returns_per_chunk)
    staged = {sheet: _staged(sheet, sheets.get(sheet), returns, key) for sheet in SHEETS}
    passed = (
        pl.concat([f.select("return_id") for f in staged.values()])
        .group_by("return_id")
        .len("rows_passed")
    )
    returns = returns.join(passed, on="return_id", how="left", maintain_order="left").with_columns(
        pl.col("rows_passed").fill_null(0).cast(pl.Int64)
    )
    issues = _conform(quarantine, QUARANTINE_COLUMNS).join(
        returns.select("return_id", "chunk"), on="return_id", how="left", maintain_order="left"
    )
    if issues.filter(pl.col("chunk").is_null()).height:
        raise ValueError("quarantine rows of a return that is not in the night's returns")

    parts = {f"incoming_{sheet}": _by_chunk(frame, chunks) for sheet, frame in staged.items()}
    parts["incoming_quarantine"] = _by_chunk(issues, chunks)
    parts["incoming_returns"] = _by_chunk(returns, chunks)
    del staged, issues  # the parts are copies: keep the night in memory once
    loaded: list[str] = []
    for i in range(chunks):
        frames = {name: chunk[i] for name, chunk in parts.items()}
        loaded.extend(_load_chunk(con, frames, manifest=manifest))
        fault_point("load:after_commit")
    return loaded


def _load_chunk(
    con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], *, manifest: bool
) -> Sequence[str]:
    with registered(con, frames):
        con.begin()
        try:
            present = fetch_frame(con, "raw/select_returns_present.sql")["return_id"].to_list()
            if present:
                # Loaded on an earlier night (or by a night killed after this commit).
                for name, frame in frames.items():
                    frames[name] = frame.filter(~pl.col("return_id").is_in(present))
                    con.register(name, frames[name])
            run_sql_file(con, "raw/insert_returns.sql")
            if manifest:
                run_sql_file(con, "raw/insert_return_files.sql")
            fault_point("load:after_record")
            run_sql_file(con, "raw/insert_quarantine.sql")
            for sheet in SHEETS:
                run_sql_file(con, f"staging/insert_staging_{sheet}.sql")
                run_sql_file(con, f"core/insert_core_{sheet}.sql")
            fault_point("load:before_commit")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return frames["incoming_returns"]["return_id"].to_list()


def record_publication(con: duckdb.DuckDBPyConnection, row: Mapping[str, Any]) -> None:
    """Add one published issue or edition to the register (raw.bulletins); its `seq`
    (publication order) is the next number."""
    keys = (
        "as_of",
        "known_at",
        "data_version",
        "issue_no",
        "path",
        "period",
        "issue_number",
        "edition",
        "published_at",
        "code_version",
        "file_name",
        "sha256",
        "revises_seq",
    )
    run_sql_file(con, "raw/insert_bulletin.sql", {k: row.get(k) for k in keys})


def publications(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every published issue and edition, in publication order."""
    cur = run_sql_file(con, "raw/select_publications.sql")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def last_known_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest known-at anything was published with (None before the first)."""
    rows = run_sql_file(con, "raw/select_last_known_at.sql").fetchall()
    return rows[0][0] if rows else None
