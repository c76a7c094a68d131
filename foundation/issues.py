"""The one shape of an issue (a problem found in a return), spoken by every layer.

Ingest finds problems before the return has an id, so it records `Issue`s naming the
file; from typing on, issues are rows of a frame of `ISSUE_SCHEMA`, keyed by return_id;
the load stores them as quarantine rows (`QUARANTINE_SCHEMA`) with the clerk's message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Issue:
    """One problem found while reading a file."""

    file_name: str
    sheet: str | None  # canonical sheet key, None for file-level
    row_number: int | None  # the row number Excel shows (1-based), None for file/sheet-level
    column_name: str | None  # the Chinese header as the station wrote it, or canonical label
    reason_code: str  # a code from foundation/reference/reasons.csv
    detail: str = ""  # extra words for the clerk (never a personal value)


# Where the issue is, and why: the columns every issue frame and quarantine row share.
_WHERE_WHY: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "row_number": pl.Int64(),
    "column_name": pl.String(),
    "reason_code": pl.String(),
}

# The issue rows every step speaks (parse, GX, decide, quarantine, feedback).
ISSUE_SCHEMA = pl.Schema({"return_id": pl.String(), **_WHERE_WHY, "detail": pl.String()})

# A quarantine row as loaded into raw.quarantine (its return_id is bound by the load).
QUARANTINE_SCHEMA = pl.Schema({"file_name": pl.String(), **_WHERE_WHY, "message": pl.String()})


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def issue_frame(return_id: str, issues: Iterable[Issue]) -> pl.DataFrame:
    """Ingest's issues of one return as issue rows."""
    return pl.DataFrame(
        [
            {
                "return_id": return_id,
                "sheet": i.sheet,
                "row_number": i.row_number,
                "column_name": i.column_name,
                "reason_code": i.reason_code,
                "detail": i.detail,
            }
            for i in issues
        ],
        schema=ISSUE_SCHEMA,
    )
