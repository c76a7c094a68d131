"""The feedback step: a workbook back to the station for every return with something to
say about it.

A return gets its feedback workbook (`feedback/<station>/<file>_反馈.xlsx`) when it has
any issue: a row with an error (quarantined) or a warning (loaded, flagged), a sheet or
file problem, a refusal (退回) or a hold-back (暂缓). A fully clean return — every row
loaded, nothing to flag — gets none: its clerk has nothing to do, and at a province's
thousands of returns a night the workbooks nobody needs would cost most of the step.
The returns register (F13, the bulletin's data-quality section) still lists every return.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from doorstep.ingest import ParsedReturn
from doorstep.ingest.cover import file_name_parts
from doorstep.progress import track
from doorstep.steps.common import Batch, _issues_of, _logger, _return_rows
from foundation.context import RunContext
from foundation.faults import fault_point
from foundation.reference import Reference
from foundation.settings import Settings


@dataclass(frozen=True)
class Feedback:
    """The workbooks written tonight: return_id → path (clean returns are absent)."""

    written: Mapping[str, Path] = field(default_factory=dict)
    clean: int = 0  # returns with nothing to report, so no workbook


def feedback(batch: Batch, ctx: RunContext) -> Feedback:
    """Write the feedback workbook of every return of `batch` that has an issue."""
    from doorstep.feedback import identity_rows, sweep_partials, write_feedback

    settings, ref = ctx.settings, ctx.ref
    sweep_partials(settings.feedback)
    # The clerk recognises a problem row by name and ID (masked forms only): the night's
    # identities, four columns wide, split by return once, held by this step alone.
    identities = identity_rows(batch.typed)
    by_return = identities.partition_by("return_id", as_dict=True, include_key=False)
    nobody = identities.drop("return_id").clear()
    written: dict[str, Path] = {}
    clean = 0
    for parsed in track(batch.returns, "feedback"):
        counts = _return_rows(batch, parsed)
        issues = _issues_of(batch, parsed)
        if not (parsed.rejected or counts["held_back"] or issues.height):
            clean += 1
            continue
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
        mine = by_return.get((parsed.sha256,), nobody)
        path = feedback_path(settings, parsed, ref)
        path.parent.mkdir(parents=True, exist_ok=True)
        written[parsed.sha256] = write_feedback(path, info, issues, mine, ref)
    _logger().info(
        "Feedback: %d workbooks written, %d clean returns need none", len(written), clean
    )
    fault_point("feedback:after_write")
    return Feedback(written, clean)


def feedback_path(settings: Settings, parsed: ParsedReturn, ref: Reference) -> Path:
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
