"""The validate step: type the night's rows, run the GX suites, decide quarantine."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from doorstep.ingest import ParsedReturn
from doorstep.progress import track
from doorstep.steps.common import Batch, _logger
from foundation.context import RunContext
from foundation.fields import SHEETS
from foundation.issues import ISSUE_SCHEMA
from foundation.reference import Reference


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


def released(parsed: ParsedReturn) -> ParsedReturn:
    """A typed return without its raw text frames.

    Typing keeps every raw row (with null where a value could not be read), so once the
    night is typed nothing reads the raw text again; at a province's thousands of returns
    those small frames are the night's largest holding. A rejected return is never typed:
    it keeps its frames, whose rows it counts as received and refused.
    """
    return parsed if parsed.rejected else replace(parsed, sheets={})


def validate(batch: Batch, ctx: RunContext) -> Batch:
    """Parse values, run each sheet's GX suite once over the night's rows, decide
    quarantine; returns the batch with its typed rows, issues and decision, and its
    returns `released` of their raw text."""
    from expectations import decide, merge_issues

    settings, ref = ctx.settings, ctx.ref
    logger = _logger()
    typed, parse_issues = _typed_frames(batch, ref)
    gx_issues = []
    if typed:
        # Importing Great Expectations costs seconds: only on a night with rows to check.
        from expectations.runner import build_data_docs, validate_sheet
    for sheet, frame in track(typed.items(), "validate"):
        found = validate_sheet(sheet, frame, settings.gx_dir, batch.run_name)
        logger.debug("GX %s: %d rows checked, %d problems", sheet, frame.height, found.height)
        gx_issues.append(found.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))
    gx_all = pl.concat(gx_issues) if gx_issues else pl.DataFrame(schema=ISSUE_SCHEMA)
    issues = merge_issues(parse_issues, gx_all)
    received = (
        pl.concat(
            [
                f.select("return_id", pl.lit(s).alias("sheet"), "row_number")
                for s, f in typed.items()
            ]
        )
        if typed
        else pl.DataFrame(
            schema={"return_id": pl.String, "sheet": pl.String, "row_number": pl.Int64}
        )
    )
    decision = decide(issues, received, settings.holdback_share, ref)
    if typed:
        build_data_docs(settings.gx_dir, keep_nights=settings.gx_retention_nights)
    logger.info(
        "Validated %d rows of %d returns: %d problems",
        received.height,
        len(batch.returns),
        issues.height,
    )
    return replace(
        batch,
        returns=tuple(released(parsed) for parsed in batch.returns),
        typed=typed,
        issues=issues,
        decision=decision,
    )
