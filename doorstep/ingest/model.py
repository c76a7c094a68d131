"""The shapes ingest hands on (design.md, Contract 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

# The issue shape is a contract of every layer; ingest records it as found.
from foundation.issues import Issue

__all__ = ["Issue", "ParsedReturn", "ReturnSource"]


@dataclass
class ParsedReturn:
    path: Path
    file_name: str
    sha256: str  # of the file's bytes (for CSV sets: of the sorted member names + digests)
    size: int
    # When doorstep recorded the bytes (Beijing time, naive): stamped by the ingest step
    # from the run's clock or the delivery log, never from the file (returns.md §6).
    received_at: datetime
    station_code: str | None  # from the cover (authoritative); None when unknown
    period: str | None  # 'YYYY-MM' from the cover
    sheets: dict[str, pl.DataFrame]  # raw text frames, one per canonical sheet read
    issues: list[Issue]  # file- and sheet-level problems
    rejected: bool  # True when the whole file cannot be used
    mtime: datetime | None = None  # the file's modification time (UTC), information only


@dataclass(frozen=True)
class ReturnSource:
    """What arrived for one return: a single file, or the CSV files of one CSV set.

    `name` is the file name, or `<code>_<YYYY-MM>_*.csv` for a CSV set (the clerk sees
    which files were taken together). `paths` are sorted by name.
    """

    name: str
    paths: tuple[Path, ...]
    is_csv_set: bool = False

    @classmethod
    def single(cls, path: Path) -> ReturnSource:
        return cls(name=path.name, paths=(path,))
