"""The draft step: the PDF of a figures snapshot (an issue's too, rendered by publish)."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import duckdb

from doorstep.steps.common import _logger
from doorstep.steps.figures import FiguresResult
from foundation.context import RunContext
from foundation.reference import publication_labels
from foundation.settings import Settings


# Read once per process: a process runs the code of the one checkout it loaded, which a
# commit made meanwhile does not change (asking git again would then name code this
# process is not running), and a night or a backfill renders many bulletins, each of
# which spawned `git`.
@cache
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


def issue_number(year: int, number: int, edition: int = 1) -> str:
    """The label an issue prints: `2024年第5期`, `2024年第5期（更正版）` for edition 2, …
    (formats in reference/publication.yaml)."""
    labels = publication_labels()
    issue = labels["issue"].format(year=year, number=number)
    if edition <= 1:
        return issue
    if edition == 2:
        return labels["correction"].format(issue=issue)
    return labels["correction_nth"].format(issue=issue, corrections=edition - 1)


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


def context(
    ctx: RunContext,
    result: FiguresResult,
    *,
    known_at: datetime | None,
    issue_no: str,
    draft: bool,
) -> Any:
    """The bulletin's context (Contract 6) for a figures snapshot."""
    from doorstep.bulletin.context import BulletinContext

    ref = ctx.ref
    return BulletinContext(
        as_of=result.as_of,
        known_at=known_at,
        issue_no=issue_no,
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
        draft=draft,
    )


def draft_path(settings: Settings, as_of: date) -> Path:
    return settings.bulletins / "drafts" / f"{as_of:%Y-%m}.pdf"


def bulletin(ctx: RunContext, result: FiguresResult, out: Path | None = None) -> Path:
    """Render the draft of `result`'s month (marked 草稿, unnumbered, never recorded as
    published) to `out`, by default bulletins/drafts/<YYYY-MM>.pdf, replaced each night."""
    from doorstep.bulletin.render import render_bulletin

    # "Everything received" is stated as the minute of the last receipt, so the draft
    # can be regenerated with that --known-at after later corrections.
    known_at = result.known_at or _last_receipt(ctx.settings)
    content = context(
        ctx,
        result,
        known_at=known_at,
        issue_no=publication_labels()["draft"],
        draft=True,
    )
    out = out or draft_path(ctx.settings, result.as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    path = render_bulletin(content, out)
    _logger().info("Bulletin %s written to %s", content.issue_no, path)
    return path
