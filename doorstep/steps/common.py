"""What the steps of the nightly run share: the batch that flows through the night and
the issue shape every step speaks."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from doorstep.ingest import ParsedReturn
from doorstep.ingest.discover import SetAside
from foundation.fields import SHEETS
from foundation.issues import ISSUE_SCHEMA, issue_frame

log = logging.getLogger("doorstep")


def _logger() -> Any:
    """Prefect's run logger inside a run (so operators see it in the UI), else ours."""
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:
        return log


BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_now() -> datetime:
    """The wall clock in Beijing time, naive: the bureau's clock, which received and
    known-at times are stated in. Read once where a run starts (CLI, flow) and passed
    down as the run's `now`; steps called without a clock read it here."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def month_end(period: str) -> date:
    """The last day of a 'YYYY-MM' month: the as-of date of its issue."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 1) - timedelta(days=1)


def yesterday_in_beijing(now: datetime | None = None) -> date:
    """The calendar day before `now` (default: the current time) in Beijing time."""
    beijing = BEIJING
    current = datetime.now(beijing) if now is None else now.astimezone(beijing)
    return (current - timedelta(days=1)).date()


@dataclass(frozen=True)
class Batch:
    """The returns that arrived since the last run, as they go through the night: ingest
    makes it, validate returns a copy with the rows typed and judged, and its returns
    without their raw text frames (a refused return keeps its own: it is never typed)."""

    run_name: str
    returns: tuple[ParsedReturn, ...] = ()
    duplicates: tuple[ParsedReturn, ...] = ()
    # Hidden/system files in the inbox: recorded as ignored, never read.
    ignored: tuple[SetAside, ...] = ()
    typed: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ISSUE_SCHEMA))
    decision: Any = None
    # Night-wide frames split by return_id once, not filtered again for every return:
    # name → (the frame split, its parts). A frame replaced is split again; a copy made
    # by `dataclasses.replace` starts with an empty cache.
    parts: dict[str, tuple[pl.DataFrame, dict[str, pl.DataFrame]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def by_return(self, name: str, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        """`frame`'s rows per return_id (a return with none is absent), split once a night."""
        cached = self.parts.get(name)
        if cached is None or cached[0] is not frame:
            split = frame.partition_by("return_id", as_dict=True, maintain_order=True)
            cached = self.parts[name] = (frame, {str(k[0]): v for k, v in split.items()})
        return cached[1]

    def rows_of(self, name: str, frame: pl.DataFrame, return_id: str) -> pl.DataFrame:
        """One return's rows of a night-wide frame (empty, with its columns, when none)."""
        part = self.by_return(name, frame).get(return_id)
        return frame.clear() if part is None else part


def _return_rows(batch: Batch, parsed: ParsedReturn) -> dict[str, int | bool]:
    if parsed.rejected:
        # Never typed, never loaded: every row it carried is received and refused, so
        # the register shows what the refusal kept out (returns.md §6).
        n = sum(f.height for s, f in parsed.sheets.items() if s in SHEETS)
        return {"rows_received": n, "rows_accepted": 0, "rows_quarantined": n, "held_back": False}
    returns = (
        batch.rows_of("decision.returns", batch.decision.returns, parsed.sha256)
        if batch.decision
        else None
    )
    if returns is None or returns.height == 0:
        return {"rows_received": 0, "rows_accepted": 0, "rows_quarantined": 0, "held_back": False}
    row = returns.row(0, named=True)
    return {k: row[k] for k in ("rows_received", "rows_accepted", "rows_quarantined", "held_back")}


def _file_issues(parsed: ParsedReturn) -> pl.DataFrame:
    return issue_frame(parsed.sha256, parsed.issues)


def _issues_of(batch: Batch, parsed: ParsedReturn) -> pl.DataFrame:
    """Every problem of one return: file/sheet level first, then rows."""
    rows = (
        batch.rows_of("decision.issues", batch.decision.issues, parsed.sha256)
        .select(list(ISSUE_SCHEMA))
        .cast(ISSUE_SCHEMA)
        if batch.decision is not None
        else pl.DataFrame(schema=ISSUE_SCHEMA)
    )
    return pl.concat([_file_issues(parsed), rows])
