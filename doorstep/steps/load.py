"""The load step: the night's returns into the private warehouse, set-based."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from doorstep.ingest import ParsedReturn
from doorstep.ingest.cover import file_name_parts
from doorstep.steps.common import Batch, _file_issues, _logger, _return_rows
from doorstep.steps.ingest import set_aside_id
from foundation.context import RunContext
from foundation.faults import fault_point
from foundation.issues import ISSUE_SCHEMA
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


def station_and_period(parsed: ParsedReturn, ref: Reference) -> tuple[str, str]:
    """From the cover; for a file too broken to show one, from its name (`XH_2024-05…`),
    so a rejected file still lands on its station-month in the register."""
    named = file_name_parts(parsed.file_name)
    station = parsed.station_code or (named[0] if named and named[0] in ref.stations else "")
    period = parsed.period or (named[1] if named else "")
    return station, period


def load(batch: Batch, ctx: RunContext) -> LoadSummary:
    """Load the night set-based (`warehouse.db.load_night`): every return's passing
    rows, quarantine and line in the file manifest, many returns to a transaction; a
    kill at any instant leaves each return wholly on record or not at all, so the next
    night reads it again."""
    from warehouse.db import connect_private, load_night, record_files
    from warehouse.pseudonyms import record_key

    settings, ref = ctx.settings, ctx.ref
    key = ctx.key  # checked against the private DB when the run's context was built
    if not key:
        raise ValueError("load needs a context built with the pseudonym key")
    logger = _logger()
    returns = _returns_frame(batch, ref)
    passing = _passing_rows(batch)
    con = connect_private(settings.private_db)
    try:
        record_key(con, key)
        load_night(con, returns, passing, _quarantine_rows(batch, returns, ref), key=key)
        # One insert (atomic by itself); a kill before it leaves copies that the next
        # night finds again, as copies of what has committed.
        fault_point("load:before_duplicates")
        record_files(con, _files_not_loaded(batch))
    finally:
        con.close()
    status = returns["status"]
    accepted = set(returns.filter(status == "accepted")["return_id"].to_list())
    rows_received = int(returns["rows_received"].sum())
    rows_quarantined = int(returns["rows_quarantined"].sum())
    rows_loaded = sum(
        f.filter(pl.col("return_id").is_in(list(accepted))).height for f in passing.values()
    )
    loaded = len(accepted)
    rejected = int((status == "rejected").sum())
    held = int((status == "held_back").sum())
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


def _returns_frame(batch: Batch, ref: Reference) -> pl.DataFrame:
    """One line per return of the night (RETURN_COLUMNS, plus rows_quarantined): its
    identity, its outcome and its line in the file manifest."""
    from warehouse.db import RETURN_COLUMNS

    lines = []
    for parsed in batch.returns:
        counts = _return_rows(batch, parsed)
        status = (
            "rejected" if parsed.rejected else "held_back" if counts["held_back"] else "accepted"
        )
        station, period = station_and_period(parsed, ref)
        lines.append(
            {
                "return_id": parsed.sha256,
                "station_code": station,
                "period": period,
                "received_at": parsed.received_at,
                "file_name": parsed.file_name,
                "status": status,
                "rows_received": int(counts["rows_received"]),
                "size": parsed.size,
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
                "rows_quarantined": int(counts["rows_quarantined"]),
            }
        )
    return pl.DataFrame(lines, schema={**RETURN_COLUMNS, "rows_quarantined": pl.Int64()})


def _quarantine_rows(batch: Batch, returns: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """Every problem of every return, each return's file and sheet problems first, then
    its rows', with the message the register shows."""
    files = pl.concat(
        [_file_issues(parsed) for parsed in batch.returns] or [pl.DataFrame(schema=ISSUE_SCHEMA)]
    ).with_columns(pl.lit(0).alias("part"))
    rows = (
        batch.decision.issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA)
        if batch.decision is not None
        else pl.DataFrame(schema=ISSUE_SCHEMA)
    ).with_columns(pl.lit(1).alias("part"))
    messages = pl.DataFrame(
        {
            "reason_code": list(ref.reasons),
            "message_zh": [r.message_zh for r in ref.reasons.values()],
        }
    )
    order = returns.select("return_id", "file_name").with_row_index("position")
    return (
        pl.concat([files, rows])
        .join(order, on="return_id", how="inner", maintain_order="left")
        .sort("position", "part", maintain_order=True)
        .join(messages, on="reason_code", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("detail").fill_null("") == "")
            .then(pl.col("message_zh"))
            .otherwise(pl.col("message_zh") + "：" + pl.col("detail"))
            .alias("message"),
        )
        .select(
            "return_id", "file_name", "sheet", "row_number", "column_name", "reason_code", "message"
        )
    )


def _files_not_loaded(batch: Batch) -> pl.DataFrame:
    """Tonight's copies of files already received and the set-aside inbox entries: their
    lines in the file manifest."""
    from warehouse.db import FILE_COLUMNS

    lines = [
        {
            "sha256": dup.sha256,
            "file_name": dup.file_name,
            "size": dup.size,
            "received_at": dup.received_at,
            "outcome": "duplicate",
            "reason_code": "FILE_DUPLICATE",
            "first_seen_run": batch.run_name,
            "mtime": dup.mtime,
        }
        for dup in batch.duplicates
    ]
    for entry in batch.ignored:
        named = file_name_parts(entry.name)
        lines.append(
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
            }
        )
    return pl.DataFrame(lines, schema=FILE_COLUMNS)


def _passing_rows(batch: Batch) -> dict[str, pl.DataFrame]:
    """The night's rows with no error, per sheet. For a held-back return these are kept
    on record too (they never become current), so its register shows only the bad rows
    as quarantined; a rejected return is never typed, so it has none here.

    The rows are picked by position, judged on the key columns alone: joining the wide
    typed frames themselves would copy them whole, twice, at the load's peak."""
    if batch.decision is None:
        return dict(batch.typed)
    passing = batch.decision.rows.filter(pl.col("status") != "quarantined")
    out: dict[str, pl.DataFrame] = {}
    for sheet, frame in batch.typed.items():
        keys = passing.filter(pl.col("sheet") == sheet).select("return_id", "row_number")
        positions = (
            frame.select("return_id", "row_number")
            .with_row_index("position")
            .join(keys, on=["return_id", "row_number"], how="semi", maintain_order="left")
            .get_column("position")
        )
        out[sheet] = frame[positions]
    return out
