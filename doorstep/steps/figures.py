"""Step 4, figures: the analyst snapshot as of a date (as known at a date), published
atomically for the current run."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from doorstep.registry import home_reference
from doorstep.steps.common import _logger
from foundation.reference import Reference, load_reference, publication_labels
from foundation.settings import Settings


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
    from warehouse.db import fetch_frame

    return fetch_frame(con, sql_file, params).to_dicts()


def figures(
    settings: Settings,
    as_of: date,
    known_at: datetime | None,
    *,
    publish: bool = True,
    now: datetime | None = None,
    previous: Mapping[str, Any] | None = None,
) -> FiguresResult:
    """Build the analyst snapshot for `as_of` (as known at `known_at`), read what the bulletin
    needs from it, and — for the current run — publish it atomically.

    `now` is the run's clock: station-months whose deadline it has not reached are not
    yet due. `previous` is the published issue (a raw.bulletins row) whose figures the
    revisions are listed against; None lists none.
    """
    from doorstep.bulletin.narrative import fill_texts
    from warehouse.docs import write_data_dictionary
    from warehouse.publish import build_analyst_file, publish_analyst_db

    if not settings.private_db.exists():
        raise FileNotFoundError(f"no warehouse at {settings.private_db}: run `doorstep run` first")
    targets = load_reference().targets(as_of.year)
    options: dict[str, Any] = {
        "as_of": as_of,
        "known_at": known_at,
        "targets": targets,
        "on_time_day": settings.on_time_day,
        "figure_text": fill_texts,
        "now": now,
    }
    with tempfile.TemporaryDirectory(prefix="doorstep-snapshot-") as tmp:
        if publish:
            version = publish_analyst_db(settings.private_db, settings.analyst_db, **options)
            source = settings.analyst_db
            # The data dictionary analysts read beside the database, as of this publish.
            write_data_dictionary(settings.analyst_db, settings.docs)
        else:
            # A past as-of date or known-at: build the same marts, but never swap them in.
            source = Path(tmp) / "snapshot.duckdb"
            version = build_analyst_file(settings.private_db, source, **options)
        con = duckdb.connect(str(source), read_only=True)
        try:
            figure_rows = _rows(con, "reports/select_figures.sql")
            register = _rows(con, "reports/select_returns_register.sql")
            quarantine = _rows(con, "reports/select_quarantine_by_reason.sql")
            crosstab = _rows(con, "reports/select_station_category_gender.sql", {"as_of": as_of})
        finally:
            con.close()
    revisions = _revisions(settings, previous, known_at) if previous is not None else []
    # One line for the night's refresh; an issue's own snapshot is its publish step's detail.
    (_logger().info if publish else _logger().debug)(
        "Figures as of %s: %d rows, data version %s", as_of, len(figure_rows), version
    )
    return FiguresResult(
        as_of,
        known_at,
        figure_rows,
        register,
        quarantine,
        revisions,
        version,
        settings.analyst_db if publish else None,
        crosstab,
    )


def _revisions(
    settings: Settings, previous: Mapping[str, Any], known_at: datetime | None
) -> list[dict[str, Any]]:
    from warehouse.figures import revisions

    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        changed = revisions(
            con,
            previous["as_of"],
            previous["known_at"],
            known_at,
            on_time_day=settings.on_time_day,
        )
    finally:
        con.close()
    ref = home_reference(settings)
    labels = {row["figure"]: row["label"] for row in ref.definitions}
    return [
        {**r, "label": _revision_label(labels.get(r["figure"], r["figure"]), r, ref)}
        for r in changed.to_dicts()
    ]


def _revision_label(label: str, row: dict[str, Any], ref: Reference) -> str:
    """The figure's label with the station and breakdown member the revised row is about,
    so that two revised rows of one figure (district and a channel) read differently."""
    parts = []
    station = row.get("station")
    if station:
        parts.append(ref.stations[station].name if station in ref.stations else station)
    category = row.get("category")
    if category and category != row.get("period"):
        codes = {"F02": ref.categories, "F11": ref.channels}.get(row["figure"], {})
        parts.append(codes[category].label if category in codes else category)
    words = publication_labels()
    return (
        words["revised_row"].format(label=label, parts=words["revised_row_separator"].join(parts))
        if parts
        else label
    )


def figure_rows(
    settings: Settings, as_of: date, known_at: datetime | None, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The figures as `doorstep figures` prints them (not published)."""
    result = figures(settings, as_of, known_at, publish=False, now=now)
    keys = (
        "figure",
        "as_of",
        "known_at",
        "scope",
        "station",
        "category",
        "measure",
        "value",
        "text",
    )
    return [{k: r.get(k) for k in keys} for r in result.figures]
