"""Revisions: the figures of a published issue that a new one changes, labelled for the
bulletin's revisions table (figures.md "Publication")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from foundation.context import RunContext
from foundation.reference import Reference, publication_labels


def revisions(ctx: RunContext, previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of `previous` (a raw.bulletins row: its as-of and known-at) whose value
    differs as known at `ctx.known_at`, each with the label the bulletin prints."""
    from warehouse.figures import revisions as changed_figures

    con = duckdb.connect(str(ctx.settings.private_db), read_only=True)
    try:
        changed = changed_figures(
            con,
            previous["as_of"],
            previous["known_at"],
            ctx.known_at,
            ctx.ref.targets(previous["as_of"].year),
            on_time_day=ctx.on_time_day,
        )
    finally:
        con.close()
    labels = {row["figure"]: row["label"] for row in ctx.ref.definitions}
    return [
        {**r, "label": _revision_label(labels.get(r["figure"], r["figure"]), r, ctx.ref)}
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
