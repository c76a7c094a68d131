"""Step 3, load: each return in its own transaction into the private warehouse."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from doorstep.ingest import ParsedReturn
from doorstep.ingest.cover import file_name_parts
from doorstep.progress import track
from doorstep.steps.common import Batch, _issues_of, _logger, _return_rows
from doorstep.steps.ingest import set_aside_id
from foundation.context import RunContext
from foundation.faults import fault_point
from foundation.reference import Reference


@dataclass(frozen=True)
class LoadSummary:
    returns_read: int
    returns_loaded: int
    returns_rejected: int
    returns_held_back: int
    duplicates: int
    rows_received: int
    rows_loaded: int
    rows_quarantined: int

    @property
    def with_quarantines(self) -> bool:
        return bool(self.rows_quarantined or self.returns_rejected or self.returns_held_back)


def _quarantine_rows(batch: Batch, parsed: ParsedReturn, ref: Reference) -> pl.DataFrame:
    issues = _issues_of(batch, parsed)
    messages = pl.DataFrame(
        {
            "reason_code": list(ref.reasons),
            "message_zh": [r.message_zh for r in ref.reasons.values()],
        }
    )
    return (
        issues.join(messages, on="reason_code", how="left")
        .with_columns(
            pl.lit(parsed.file_name).alias("file_name"),
            pl.when(pl.col("detail").fill_null("") == "")
            .then(pl.col("message_zh"))
            .otherwise(pl.col("message_zh") + "：" + pl.col("detail"))
            .alias("message"),
        )
        .select("file_name", "sheet", "row_number", "column_name", "reason_code", "message")
    )


def station_and_period(parsed: ParsedReturn, ref: Reference) -> tuple[str, str]:
    """From the cover; for a file too broken to show one, from its name (`XH_2024-05…`),
    so a rejected file still lands on its station-month in the register."""
    named = file_name_parts(parsed.file_name)
    station = parsed.station_code or (named[0] if named and named[0] in ref.stations else "")
    period = parsed.period or (named[1] if named else "")
    return station, period


def load(batch: Batch, ctx: RunContext) -> LoadSummary:
    """Load each return (its passing rows, its quarantine and its line in the file
    manifest) in one transaction of its own: a kill at any instant leaves each return
    either wholly on record or not at all, so the next night reads it again."""
    from warehouse.db import connect_private, load_return, record_file, record_key

    settings, ref = ctx.settings, ctx.ref
    key = ctx.key  # checked against the private DB when the run's context was built
    if not key:
        raise ValueError("load needs a context built with the pseudonym key")
    logger = _logger()
    loaded = rejected = held = rows_loaded = rows_quarantined = rows_received = 0
    con = connect_private(settings.private_db)
    try:
        record_key(con, key)
        for parsed in track(batch.returns, "load"):
            counts = _return_rows(batch, parsed)
            status = (
                "rejected"
                if parsed.rejected
                else "held_back"
                if counts["held_back"]
                else "accepted"
            )
            station, period = station_and_period(parsed, ref)
            passing = _passing_rows(batch, parsed) if status != "rejected" else {}
            load_return(
                con,
                return_id=parsed.sha256,
                station_code=station,
                period=period,
                received_at=parsed.received_at,
                file_name=parsed.file_name,
                status=status,
                sheets=passing,
                quarantine=_quarantine_rows(batch, parsed, ref),
                rows_received=int(counts["rows_received"]),
                key=key,
                manifest={
                    "size": parsed.size,
                    "outcome": status,
                    "reason_code": next(
                        (
                            i.reason_code
                            for i in parsed.issues
                            if parsed.rejected and ref.reasons[i.reason_code].severity == "error"
                        ),
                        None,
                    ),
                    "first_seen_run": batch.run_name,
                    "mtime": parsed.mtime,
                },
            )
            fault_point("load:after_commit")
            loaded += status == "accepted"
            rejected += status == "rejected"
            held += status == "held_back"
            rows_received += int(counts["rows_received"])
            rows_quarantined += int(counts["rows_quarantined"])
            if status == "accepted":
                rows_loaded += sum(f.height for f in passing.values())
        # Each a single insert (atomic by itself); a kill before them leaves copies that
        # the next night finds again, as copies of what has committed.
        fault_point("load:before_duplicates")
        for dup in batch.duplicates:
            record_file(
                con,
                {
                    "sha256": dup.sha256,
                    "file_name": dup.file_name,
                    "size": dup.size,
                    "received_at": dup.received_at,
                    "outcome": "duplicate",
                    "reason_code": "FILE_DUPLICATE",
                    "first_seen_run": batch.run_name,
                    "mtime": dup.mtime,
                },
            )
        for entry in batch.ignored:
            named = file_name_parts(entry.name)
            record_file(
                con,
                {
                    "sha256": set_aside_id(entry),
                    "file_name": entry.name,
                    "size": entry.size,
                    "received_at": None,  # never received as a return
                    "station_code": named[0] if named else None,
                    "period": named[1] if named else None,
                    "outcome": "ignored",
                    "reason_code": entry.reason_code,
                    "first_seen_run": batch.run_name,
                    "mtime": entry.mtime,
                },
            )
    finally:
        con.close()
    summary = LoadSummary(
        returns_read=len(batch.returns),
        returns_loaded=loaded,
        returns_rejected=rejected,
        returns_held_back=held,
        duplicates=len(batch.duplicates),
        rows_received=rows_received,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
    )
    if rows_loaded + rows_quarantined + _clean_rows_held_back(batch) != rows_received:
        raise AssertionError("rows loaded + quarantined + held back differ from rows received")
    logger.info(
        "Loaded %d of %d returns (%d rejected, %d held back, %d duplicates): "
        "%d rows loaded, %d quarantined",
        summary.returns_loaded,
        summary.returns_read,
        summary.returns_rejected,
        summary.returns_held_back,
        summary.duplicates,
        summary.rows_loaded,
        summary.rows_quarantined,
    )
    return summary


def _clean_rows_held_back(batch: Batch) -> int:
    if batch.decision is None:
        return 0
    return batch.decision.rows.filter(pl.col("status") == "held_back").height


def _passing_rows(batch: Batch, parsed: ParsedReturn) -> dict[str, pl.DataFrame]:
    """The rows of a return with no error. For a held-back return these are kept on
    record too (they never become current), so its register shows only the bad rows
    as quarantined."""
    keys = (
        batch.rows_of("decision.rows", batch.decision.rows, parsed.sha256).filter(
            pl.col("status") != "quarantined"
        )
        if batch.decision is not None
        else None
    )
    out: dict[str, pl.DataFrame] = {}
    for sheet, frame in batch.typed.items():
        mine = batch.rows_of(f"typed.{sheet}", frame, parsed.sha256)
        if keys is not None:
            mine = mine.join(
                keys.filter(pl.col("sheet") == sheet).select("return_id", "row_number"),
                on=["return_id", "row_number"],
                how="semi",
            )
        out[sheet] = mine
    return out
