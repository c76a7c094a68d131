"""Step 5, bulletin: the PDF from a figures snapshot, recorded when it is the published one."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import duckdb

from doorstep.reference import load_reference
from doorstep.settings import Settings
from doorstep.steps.figures import FiguresResult


def code_version() -> str:
    """Package version plus the git commit when running from a checkout."""
    version = package_version("doorstep")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+{commit}" if commit else version


def issue_number(as_of: date) -> str:
    return f"{as_of.year}年第{as_of.month}期"


def _disclosed(result: FiguresResult) -> dict[str, Any]:
    """The people breakdown and the figure cells the issue may publish, audited together
    with every other figure of the issue (doorstep.bulletin.tables)."""
    from doorstep.bulletin.tables import disclose

    return disclose(result.crosstab, result.figures)


def _last_receipt(settings: Settings) -> datetime | None:
    """When the last return was received, rounded up to the minute the bulletin shows."""
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        row = con.execute("select max(received_at) from raw.returns").fetchone()
    finally:
        con.close()
    last: datetime | None = row[0] if row else None
    if last is None or last == last.replace(second=0, microsecond=0):
        return last
    return last.replace(second=0, microsecond=0) + timedelta(minutes=1)


def bulletin(settings: Settings, result: FiguresResult) -> Path:
    from doorstep.bulletin.context import BulletinContext
    from doorstep.bulletin.render import render_bulletin
    from warehouse.db import connect_private, record_bulletin

    ref = load_reference()
    # "Everything received" is stated as the minute of the last receipt (what
    # raw.bulletins records), so `doorstep bulletin --as-of … --known-at <that minute>`
    # renders the same bytes after later corrections.
    known_at = result.known_at or _last_receipt(settings)
    ctx = BulletinContext(
        as_of=result.as_of,
        known_at=known_at,
        issue_no=issue_number(result.as_of),
        figures=result.figures,
        stations=[
            {
                "station_code": s.code,
                "name": s.name,
                "street": s.street,
                "opened_on": s.opened_on,
                "kind": s.kind,
            }
            for s in ref.stations.values()
        ],
        returns_register=result.returns_register,
        quarantine_by_reason=result.quarantine_by_reason,
        revisions=result.revisions,
        definitions=list(ref.definitions),
        data_version=result.data_version,
        code_version=code_version(),
        disclosure=_disclosed(result),
    )
    out = settings.bulletins / f"{result.as_of.isoformat()}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    render_bulletin(ctx, out)
    if result.analyst_db is not None:
        con = connect_private(settings.private_db)
        try:
            record_bulletin(
                con,
                as_of=result.as_of,
                known_at=known_at,
                data_version=result.data_version,
                issue_no=ctx.issue_no,
                path=out,
            )
        finally:
            con.close()
    return out
