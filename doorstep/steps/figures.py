"""The figures step: the analyst snapshot as of the context's date (as known at its
known-at), published atomically for the current run, and what the bulletin reads of it."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from doorstep.steps.common import _logger
from foundation.context import RunContext
from foundation.reference import labels
from warehouse.calendar import year_start


@dataclass(frozen=True)
class FiguresResult:
    as_of: date
    known_at: datetime | None
    figures: list[dict[str, Any]]
    returns_register: list[dict[str, Any]]
    quarantine_by_reason: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    data_version: str
    analyst_db: Path | None  # set when this snapshot was published
    crosstab: list[dict[str, Any]] = field(default_factory=list)  # before disclosure control


def _rows(
    con: duckdb.DuckDBPyConnection, sql_file: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    from warehouse.sql import fetch_frame

    return fetch_frame(con, sql_file, params).to_dicts()


def figures(
    ctx: RunContext, *, publish: bool = True, previous: Mapping[str, Any] | None = None
) -> FiguresResult:
    """Build the analyst snapshot for `ctx.as_of` (as known at `ctx.known_at`), read what
    the bulletin needs from it, and — for the current run — publish it atomically.

    Station-months whose deadline the context's clock has not reached are not yet due.
    `previous` is the published issue (a raw.bulletins row) whose figures the revisions
    are listed against; None lists none.
    """
    from doorstep.bulletin.narrative import fill_texts
    from doorstep.steps.revisions import revisions
    from warehouse.publish import build_analyst_file, publish_analyst_db

    settings = ctx.settings
    if not settings.private_db.exists():
        raise FileNotFoundError(f"no warehouse at {settings.private_db}: run `doorstep run` first")
    options: dict[str, Any] = {
        "as_of": ctx.as_of,
        "known_at": ctx.known_at,
        "targets": ctx.targets,
        "on_time_day": ctx.on_time_day,
        "figure_text": fill_texts,
        "now": ctx.now,
    }
    with tempfile.TemporaryDirectory(prefix="doorstep-snapshot-") as tmp:
        if publish:
            version = publish_analyst_db(settings.private_db, settings.analyst_db, **options)
            source = settings.analyst_db
        else:
            # A past as-of date or known-at: build the same marts, but never swap them in.
            source = Path(tmp) / "snapshot.duckdb"
            version = build_analyst_file(settings.private_db, source, **options)
        con = duckdb.connect(str(source), read_only=True)
        try:
            figure_rows = _rows(con, "reports/select_figures.sql")
            register = _rows(con, "reports/select_returns_register.sql")
            quarantine = _rows(con, "reports/select_quarantine_by_reason.sql")
            crosstab = _rows(
                con,
                "reports/select_station_category_gender.sql",
                {
                    "as_of": ctx.as_of,
                    "year_start": year_start(ctx.as_of),
                    "genders": labels(ctx.ref.genders),
                },
            )
        finally:
            con.close()
    revised = revisions(ctx, previous) if previous is not None else []
    # One line for the night's refresh; an issue's own snapshot is its publish step's detail.
    (_logger().info if publish else _logger().debug)(
        "Figures as of %s: %d rows, data version %s", ctx.as_of, len(figure_rows), version
    )
    return FiguresResult(
        ctx.as_of,
        ctx.known_at,
        figure_rows,
        register,
        quarantine,
        revised,
        version,
        settings.analyst_db if publish else None,
        crosstab,
    )
