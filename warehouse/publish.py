"""Publish the analyst DB: build a new file beside the target, then swap it in atomically.

Readers keep whatever file they opened (POSIX rename leaves their inode alone), so a
reader never sees a half-built database, and a publish killed half-way leaves the
published file untouched.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from foundation.faults import fault_point
from warehouse.calendar import year_start
from warehouse.db import EVERYTHING_KNOWN
from warehouse.figures import FIGURE_SCHEMA, compute_figures, data_version, due_at
from warehouse.sql import run_sql_file

log = logging.getLogger(__name__)

# Fills the narrative `text` of Contract 5 rows (doorstep.bulletin.narrative.fill_texts).
FigureText = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

MARTS_DIR = Path(__file__).parent / "marts"

# Order matters: quarantine_by_reason reads marts.quarantine.
MART_FILES = (
    "create_marts_schema.sql",
    "create_marts_stations.sql",
    "create_marts_placements.sql",
    "create_marts_placement_history.sql",
    "create_marts_training.sql",
    "create_marts_events.sql",
    "create_marts_incubated.sql",
    "create_marts_households.sql",
    "create_marts_quarantine.sql",
    "create_marts_quarantine_by_reason.sql",
    "create_marts_returns_register.sql",
    "create_marts_figures.sql",
    "create_marts_data_version.sql",
    "create_marts_bulletins.sql",
)

_TEMP = re.compile(r"\.new-(\d+)(\.wal)?$")


class PublishInProgress(RuntimeError):
    """Another live process is building the analyst DB right now."""


def temp_path(analyst_db: Path, pid: int | None = None) -> Path:
    return analyst_db.with_name(f"{analyst_db.name}.new-{pid or os.getpid()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_leftovers(analyst_db: Path) -> list[Path]:
    """Remove temp files of interrupted publishes; move a stale WAL aside.

    A WAL beside the published file can only be left by something that opened it
    for writing, which publishing never does: replaying it onto a freshly swapped-in
    file would corrupt it, so it is kept for inspection under another name.
    Returns the paths removed or moved.
    """
    handled: list[Path] = []
    wal = analyst_db.with_name(analyst_db.name + ".wal")
    if wal.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = wal.with_name(f"{wal.name}.stale-{stamp}")
        os.replace(wal, aside)
        log.warning("Moved a stale WAL beside the analyst DB aside to %s", aside.name)
        handled.append(wal)
    for leftover in sorted(analyst_db.parent.glob(analyst_db.name + ".new-*")):
        match = _TEMP.search(leftover.name)
        if not match:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and _pid_alive(pid):
            raise PublishInProgress(f"{leftover.name}: process {pid} is still publishing")
        leftover.unlink(missing_ok=True)
        log.warning("Removed %s left by an interrupted publish", leftover.name)
        handled.append(leftover)
    return handled


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_analyst_file(
    private_db: Path,
    target: Path,
    *,
    as_of: date,
    known_at: datetime | None = None,
    targets: Mapping[str, Any],
    on_time_day: int,
    figure_text: FigureText | None = None,
    now: datetime | None = None,
) -> str:
    """Write every mart into a new DuckDB file `target`; returns the data version.

    Used directly for snapshots that are never swapped in (a past as-of or known-at).
    `targets` and `on_time_day` are the run context's (`RunContext.targets`,
    `RunContext.on_time_day`).
    """
    target = Path(target)
    if target.exists():
        # Marts are only ever built into a fresh file; an existing one is someone's data.
        raise FileExistsError(f"{target} exists; build_analyst_file writes a new file only")
    con = duckdb.connect(":memory:")
    try:
        run_sql_file(
            con,
            MARTS_DIR / "attach_databases.sql",
            {"private_db": str(private_db), "analyst_db": str(target)},
        )
        version = data_version(con, known_at)
        figures = compute_figures(con, as_of, known_at, targets, on_time_day=on_time_day, now=now)
        if figure_text is not None:
            figures = pl.DataFrame(figure_text(figures.to_dicts()), schema=FIGURE_SCHEMA)
        params = {
            "as_of": as_of,
            "year_start": year_start(as_of),
            "known_at": known_at or EVERYTHING_KNOWN,
            "published_known_at": known_at,
            "on_time_day": on_time_day,
            "due_at": due_at(known_at, now),
            "data_version": version,
        }
        con.register("published_figures", figures)
        # One transaction for every mart: committed statement by statement, each of the
        # ~150 `comment on` paid its own commit to the new file (0.5 s of a province's
        # night). The file is swapped in only once whole, so nothing sees it half-built.
        con.begin()
        for name in MART_FILES:
            run_sql_file(con, MARTS_DIR / name, params)
        con.commit()
        con.unregister("published_figures")
        run_sql_file(con, MARTS_DIR / "detach_databases.sql")
    finally:
        con.close()
    return version


def publish_analyst_db(
    private_db: Path,
    analyst_db: Path,
    *,
    as_of: date,
    known_at: datetime | None = None,
    targets: Mapping[str, Any],
    on_time_day: int,
    figure_text: FigureText | None = None,
    now: datetime | None = None,
) -> str:
    """Build the analyst DB for `as_of` (as known at `known_at`) and swap it in.

    The private DB must not be open for writing in this process (close the loading
    connection first). Returns the data version published.
    """
    private_db = Path(private_db)
    analyst_db = Path(analyst_db)
    analyst_db.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(analyst_db)
    tmp = temp_path(analyst_db)
    tmp_wal = tmp.with_name(tmp.name + ".wal")
    try:
        version = build_analyst_file(
            private_db,
            tmp,
            as_of=as_of,
            known_at=known_at,
            targets=targets,
            on_time_day=on_time_day,
            figure_text=figure_text,
            now=now,
        )
        if tmp_wal.exists():
            # Checkpoint and detach should have folded it in; a WAL that survives would
            # be orphaned by the rename and replayed onto the wrong file later.
            raise RuntimeError(f"{tmp_wal.name} survived the checkpoint; not publishing")
        _fsync(tmp)
        fault_point("publish:before_swap")
        os.replace(tmp, analyst_db)
        _fsync(analyst_db.parent)
        fault_point("publish:after_swap")
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp_wal.unlink(missing_ok=True)
        raise
    log.info("Published analyst DB for %s (data version %s)", as_of, version[:12])
    return version
