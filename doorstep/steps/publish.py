"""Publication: one numbered issue a month, corrections as new editions, and backfills
(figures.md "Publication: nightly drafts, monthly issues").

The nightly run renders a draft; the first run on or after a month's deadline
(returns.md §6) publishes that month's issue — as of its last day, as known at that run
— unless it is already out. Issues are numbered in publication order within the year of
the month they report on, written once under bulletins/issues/ and recorded in
raw.bulletins (marts.bulletins for analysts); a published file is never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from doorstep.steps.bulletin import code_version, context, issue_number
from doorstep.steps.common import _logger, month_end
from doorstep.steps.figures import FiguresResult, figures
from foundation.context import RunContext
from foundation.faults import fault_point
from foundation.settings import Settings
from warehouse.calendar import deadline


class PublicationError(RuntimeError):
    """An issue that cannot be published as asked; the message says why."""


@dataclass(frozen=True)
class Publication:
    period: str
    issue_no: str  # e.g. 2024年第5期 (the same for every edition)
    label: str  # as printed: the issue, with （更正版） for a correction
    edition: int
    as_of: date
    known_at: datetime
    path: Path
    sha256: str
    revisions: int


def ceil_minute(moment: datetime) -> datetime:
    """Bulletins print known-at to the minute; rounding up keeps what the run recorded
    inside it, and the ingest keeps later receipts after it."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def period_of(day: date) -> str:
    return f"{day:%Y-%m}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


def due_period(now: datetime, on_time_day: int) -> str:
    """The latest month whose deadline `now` has reached: the issue a run at `now` owes."""
    period = previous_period(period_of(now.date()))
    while deadline(period, on_time_day) > now:
        period = previous_period(period)
    return period


def published(settings: Settings) -> list[dict[str, Any]]:
    """The register of published issues and editions, in publication order."""
    if not settings.private_db.exists():
        return []
    import duckdb

    from warehouse.db import publications

    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        return publications(con)
    except duckdb.CatalogException:
        return []  # a private DB from before the register (its DDL runs on next load)
    finally:
        con.close()


def revised_issue(
    rows: list[dict[str, Any]], period: str, *, correction: bool = False
) -> dict[str, Any] | None:
    """The last published issue a new one is revised against: for a correction, the
    latest edition of its own month; otherwise the latest edition of the latest month
    before `period`."""
    earlier = [r for r in rows if (r["period"] <= period if correction else r["period"] < period)]
    if not earlier:
        return None
    return max(earlier, key=lambda r: (r["period"], r["seq"]))


def issue_file(period: str, edition: int) -> str:
    """File under bulletins/: issues/2024-05.pdf, a correction issues/2024-05-e2.pdf."""
    return f"issues/{period}.pdf" if edition == 1 else f"issues/{period}-e{edition}.pdf"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# An issue is rendered in a working folder of the home and linked into place from there;
# the folder is removed only once the register has the issue. So a publish killed in
# between leaves, beside its unrecorded PDF, a copy of those very bytes: the proof that the
# file is ours to replace (and not, say, an issue whose register row a restore lost).
WORK_PREFIX = ".publish-"
WORK_PDF = "issue.pdf"


def _write_once(pdf: Path, out: Path) -> None:
    """Link a rendered PDF to `out`, which must not exist (a link fails if it does); the
    working copy stays until the issue is recorded."""
    out.parent.mkdir(parents=True, exist_ok=True)
    os.link(pdf, out)


def _clear_unrecorded(home: Path, out: Path) -> None:
    """Remove what publishes killed before recording left behind: their working folders,
    and `out` when one of them holds its bytes. `out` is a name the register does not
    have, so that file was never published: a publish run again later (a later clock, so
    other bytes) would otherwise find it in the way for good."""
    for work in home.glob(f"{WORK_PREFIX}*"):
        left = work / WORK_PDF
        if out.is_file() and left.is_file() and left.read_bytes() == out.read_bytes():
            out.unlink()
        shutil.rmtree(work, ignore_errors=True)


def render_issue(
    ctx: RunContext, result: FiguresResult, label: str, known_at: datetime, out: Path
) -> Path:
    """Render an issue's PDF (numbered, not a draft) to `out`."""
    from doorstep.bulletin.render import render_bulletin

    return render_bulletin(
        context(ctx, result, known_at=known_at, issue_no=label, draft=False), out
    )


def publish_issue(
    ctx: RunContext,
    period: str,
    *,
    known_at: datetime | None = None,
    correction: bool = False,
) -> Publication:
    """Publish the issue of `period` (as of its last day, as known at `known_at`, by default
    the run's clock rounded up to the minute), or with `correction` a new edition of an
    issue already out. Refuses to publish a month twice, a month not yet over, or a
    correction that corrects nothing."""
    from warehouse.db import connect_private, record_publication

    logger = _logger()
    settings, now = ctx.settings, ctx.now
    known_at = ceil_minute(known_at or now)
    as_of = month_end(period)
    if as_of >= known_at.date():
        raise PublicationError(f"{period} is not over on {known_at:%Y-%m-%d}: nothing to publish")
    if not settings.private_db.exists():
        raise PublicationError(f"no warehouse at {settings.private_db}: run `doorstep run` first")
    rows = published(settings)
    editions = [r for r in rows if r["period"] == period]
    if editions and not correction:
        last = editions[-1]
        raise PublicationError(
            f"{last['issue_no']} ({period}) is already published as bulletins/{last['file_name']}; "
            "a correction is published with --correction"
        )
    if correction and not editions:
        raise PublicationError(f"{period} has no published issue to correct")
    year = int(period[:4])
    number = (
        editions[0]["issue_number"]
        if editions
        else 1
        + len(
            {
                r["period"]
                for r in rows
                if r["period"].startswith(f"{year:04d}-") and r["edition"] == 1
            }
        )
    )
    edition = len(editions) + 1
    previous = revised_issue(rows, period, correction=correction)
    issue_ctx = ctx.seeing(as_of, known_at, clock=known_at)
    result = figures(issue_ctx, publish=False, previous=previous)
    if correction and result.data_version == editions[-1]["data_version"]:
        raise PublicationError(
            f"{editions[-1]['issue_no']} ({period}): no return received since it was published "
            "changes its data; nothing to correct"
        )
    issue_no = issue_number(year, number)
    label = issue_number(year, number, edition)
    file_name = issue_file(period, edition)
    out = settings.bulletins / file_name
    _clear_unrecorded(settings.home, out)
    with tempfile.TemporaryDirectory(dir=settings.home, prefix=WORK_PREFIX) as tmp:
        pdf = render_issue(issue_ctx, result, label, known_at, Path(tmp) / WORK_PDF)
        if out.exists():
            # Unrecorded, and no working folder says whose: the same bytes are this
            # publication; anything else is not ours to replace.
            if out.read_bytes() != pdf.read_bytes():
                raise PublicationError(f"{out} exists and is not this issue; not overwriting it")
        else:
            _write_once(pdf, out)
        digest = _sha256(out)
        fault_point("issue:before_record")
        con = connect_private(settings.private_db)
        try:
            record_publication(
                con,
                {
                    "as_of": as_of,
                    "known_at": known_at,
                    "data_version": result.data_version,
                    "issue_no": issue_no,
                    "path": str(out),
                    "period": period,
                    "issue_number": number,
                    "edition": edition,
                    "published_at": now,
                    "code_version": code_version(),
                    "file_name": file_name,
                    "sha256": digest,
                    "revises_seq": None if previous is None else previous["seq"],
                },
            )
        finally:
            con.close()
    logger.info("Published %s (%s, known at %s): %s", label, period, known_at, file_name)
    return Publication(
        period, issue_no, label, edition, as_of, known_at, out, digest, len(result.revisions)
    )


def publish_due(ctx: RunContext) -> Publication | None:
    """The nightly rule: publish the issue of the latest month whose deadline the run's
    clock has reached, unless it is out already or no return for it was ever recorded."""
    settings = ctx.settings
    if not settings.private_db.exists():
        return None
    period = due_period(ctx.now, ctx.on_time_day)
    if any(r["period"] == period for r in published(settings)):
        _logger().info("The issue for %s is already published", period)
        return None
    if not _has_returns(settings, period):
        _logger().info("No return recorded for %s: no issue published", period)
        return None
    return publish_issue(ctx, period)


def _has_returns(settings: Settings, period: str) -> bool:
    import duckdb

    from warehouse.sql import run_sql_file

    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        rows = run_sql_file(con, "raw/select_period_returns.sql", {"period": period}).fetchall()
    except duckdb.CatalogException:
        return False
    finally:
        con.close()
    return bool(rows and rows[0][0])


def months(first: str, last: str) -> list[str]:
    out = []
    period = last
    while period >= first:
        out.append(period)
        period = previous_period(period)
    return out[::-1]


def publish_backfill(ctx: RunContext, first: str, last: str) -> list[Publication]:
    """Publish each month from `first` to `last` not yet out, as it would have been
    published at its deadline: as known at that moment. Months already out are left
    alone, so a second backfill changes nothing; months not yet due are not published."""
    done = {r["period"] for r in published(ctx.settings)}
    out = []
    for period in months(first, last):
        moment = deadline(period, ctx.on_time_day)
        if period in done or moment > ctx.now:
            continue
        out.append(publish_issue(ctx, period, known_at=moment))
    return out


def find_issue(settings: Settings, as_of: date, known_at: datetime | None) -> dict[str, Any] | None:
    """The published issue or edition with this as-of date and known-at, if any: what
    `doorstep bulletin` reproduces."""
    if known_at is None:
        return None
    hits = [r for r in published(settings) if r["as_of"] == as_of and r["known_at"] == known_at]
    return hits[-1] if hits else None


def reproduce(ctx: RunContext, *, out_dir: Path | None = None) -> Path:
    """Render the bulletin for `ctx.as_of` as known at `ctx.known_at` again, under
    bulletins/regenerated/: a published issue when the pair is one (same label, same
    revisions, same bytes with the same code), else a draft. Records nothing and leaves
    the analyst database alone."""
    from doorstep.steps.bulletin import bulletin

    settings, as_of, known_at = ctx.settings, ctx.as_of, ctx.known_at
    out_dir = out_dir or settings.bulletins / "regenerated"
    issue = find_issue(settings, as_of, known_at)
    if issue is None:
        result = figures(ctx, publish=False)
        return bulletin(ctx, result, out_dir / f"{as_of.isoformat()}.pdf")
    assert known_at is not None
    rows = published(settings)
    previous = next((r for r in rows if r["seq"] == issue["revises_seq"]), None)
    issue_ctx = ctx.seeing(as_of, known_at, clock=known_at)
    result = figures(issue_ctx, publish=False, previous=previous)
    label = issue_number(int(issue["period"][:4]), issue["issue_number"], issue["edition"])
    return render_issue(issue_ctx, result, label, known_at, out_dir / Path(issue["file_name"]).name)


def backfill(ctx: RunContext, first: str, last: str) -> tuple[Any, list[Publication]]:
    """`doorstep backfill`: record what the inbox holds (each file stamped with its logged
    arrival or the run's clock), then publish the months from `first` to `last` that are
    not out yet, each as known at its deadline."""
    from doorstep.steps.record import record

    loaded = record(ctx)
    return loaded, publish_backfill(ctx, first, last)
