"""Step 2, validate: type the night's rows, run the GX suites, decide quarantine, write feedback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from doorstep.ingest import ParsedReturn
from doorstep.ingest.cover import file_name_parts
from doorstep.progress import track
from doorstep.steps.common import Batch, _issues_of, _logger, _return_rows
from foundation.faults import fault_point
from foundation.fields import SHEETS
from foundation.issues import ISSUE_SCHEMA
from foundation.reference import Reference
from foundation.settings import Settings


def _typed_frames(batch: Batch, ref: Reference) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Each sheet's rows of every usable return, typed in one call per sheet (the parsers'
    cost is per call, not per row)."""
    from transforms.sheets import parse_sheet

    raw: dict[str, list[pl.DataFrame]] = {s: [] for s in SHEETS}
    for parsed in batch.returns:
        if parsed.rejected:
            continue
        for sheet, frame in parsed.sheets.items():
            if sheet in raw:
                raw[sheet].append(
                    frame.with_columns(
                        pl.lit(parsed.sha256).alias("return_id"),
                        pl.lit(parsed.station_code).alias("station_code"),
                        pl.lit(parsed.period).alias("period"),
                    )
                )
    frames: dict[str, pl.DataFrame] = {}
    issues: list[pl.DataFrame] = []
    for sheet, parts in raw.items():
        if not parts:
            continue
        rows = pl.concat(parts, how="diagonal_relaxed")
        frame, frame_issues = parse_sheet(sheet, rows, ref)
        # Columns the template does not have stay with their row in the private
        # layer (returns.md §4.3); nothing downstream reads them.
        if "extra" in rows.columns and "extra" not in frame.columns:
            frame = frame.join(
                rows.select("return_id", "row_number", "extra"),
                on=["return_id", "row_number"],
                how="left",
            )
        frames[sheet] = frame
        issues.append(frame_issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))
    all_issues = pl.concat(issues) if issues else pl.DataFrame(schema=ISSUE_SCHEMA)
    return frames, all_issues


def validate(batch: Batch, settings: Settings) -> Batch:
    """Parse values, run each sheet's GX suite once over the night's rows, decide quarantine."""
    from expectations import decide, merge_issues

    ref = batch.ref
    logger = _logger()
    batch.typed, parse_issues = _typed_frames(batch, ref)
    gx_issues = []
    if batch.typed:
        # Importing Great Expectations costs seconds: only on a night with rows to check.
        from expectations.runner import build_data_docs, validate_sheet
    for sheet, frame in track(batch.typed.items(), "validate"):
        found = validate_sheet(sheet, frame, settings.gx_dir, batch.run_name)
        logger.debug("GX %s: %d rows checked, %d problems", sheet, frame.height, found.height)
        gx_issues.append(found.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))
    gx_all = pl.concat(gx_issues) if gx_issues else pl.DataFrame(schema=ISSUE_SCHEMA)
    batch.issues = merge_issues(parse_issues, gx_all)
    received = (
        pl.concat(
            [
                f.select("return_id", pl.lit(s).alias("sheet"), "row_number")
                for s, f in batch.typed.items()
            ]
        )
        if batch.typed
        else pl.DataFrame(
            schema={"return_id": pl.String, "sheet": pl.String, "row_number": pl.Int64}
        )
    )
    batch.decision = decide(batch.issues, received, settings.holdback_share, ref)
    if batch.typed:
        build_data_docs(settings.gx_dir, keep_nights=settings.gx_retention_nights)
    batch.feedback = _write_feedback(batch, settings, ref)
    logger.info(
        "Validated %d rows of %d returns: %d problems, %d feedback workbooks written",
        received.height,
        len(batch.returns),
        batch.issues.height,
        len(batch.feedback),
    )
    fault_point("validate:after_feedback")
    return batch


def _feedback_path(settings: Settings, parsed: ParsedReturn, ref: Reference) -> Path:
    # A file too broken to show its cover still goes back to the station its name names.
    named = file_name_parts(parsed.file_name)
    station = parsed.station_code or (named[0] if named and named[0] in ref.stations else None)
    folder = settings.feedback / (station or "_unknown")
    # A CSV set is named `XH_2024-05_*.csv`; its feedback is `XH_2024-05_反馈.xlsx`.
    return folder / feedback_name(parsed.file_name)


# File systems allow 255 bytes a name; a return's own name may be that long already.
MAX_NAME_BYTES = 200
FEEDBACK_SUFFIX = "_反馈.xlsx"


def feedback_name(file_name: str) -> str:
    """`<stem>_反馈.xlsx`; a stem too long for the file system is cut at a character
    boundary and given `~` and 8 hex of the full name's sha256, so two long names that
    share their beginning still get two workbooks."""
    stem = Path(file_name).stem.removesuffix("_*")
    if "/" in stem or stem in ("", ".", ".."):
        stem = stem.replace("/", "_").strip(".") or "_"
    name = stem + FEEDBACK_SUFFIX
    if len(name.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES:
        return name
    tag = "~" + hashlib.sha256(file_name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    room = MAX_NAME_BYTES - len((tag + FEEDBACK_SUFFIX).encode("utf-8"))
    cut = stem.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return cut + tag + FEEDBACK_SUFFIX


def _write_feedback(batch: Batch, settings: Settings, ref: Reference) -> dict[str, Path]:
    from doorstep.feedback import identity_rows, sweep_partials, write_feedback

    sweep_partials(settings.feedback)
    written: dict[str, Path] = {}
    for parsed in batch.returns:
        counts = _return_rows(batch, parsed)
        info = {
            "file_name": parsed.file_name,
            "station_code": parsed.station_code,
            "station_name": ref.stations[parsed.station_code].name
            if parsed.station_code in ref.stations
            else None,
            "period": parsed.period,
            "received_at": parsed.received_at,
            "rejected": parsed.rejected,
            **counts,
        }
        # The clerk recognises a problem row by name and ID: masked forms only.
        identities = identity_rows(
            {
                s: batch.rows_of(f"typed.{s}", f, parsed.sha256)
                for s, f in batch.typed.items()
                if s in ("placements", "households")
            }
        )
        path = _feedback_path(settings, parsed, ref)
        path.parent.mkdir(parents=True, exist_ok=True)
        written[parsed.sha256] = write_feedback(
            path, info, _issues_of(batch, parsed), identities, ref
        )
    return written
