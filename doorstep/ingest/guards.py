"""Limits checked before a workbook is handed to the Rust reader.

calamine builds a dense grid from the top-left to the bottom-right filled cell, so a
sheet with one value in A1 and one in XFD1048576 would ask for billions of cells. The
zip directory and a streaming scan of the sheet XML tell us the extent first.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from foundation.reference import detail
from foundation.settings import Settings

# A cell with content: `<c r="AB12" …>` (self-closing `<c …/>` cells are style only).
_VALUE_CELL = re.compile(rb' r="([A-Z]{1,3})(\d{1,7})"[^>/]*>')
_ROW = re.compile(rb'<row r="(\d{1,7})"')
# Cell references past column Z; single-letter ones are bounded by 26 without a look.
_WIDE_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})\d')
_ANY_CELL = re.compile(rb"<c[ >]")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Extent:
    rows: int  # last filled row (Excel numbering)
    columns: int  # last filled column (1 = A)


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def zip_problem(zf: zipfile.ZipFile, compressed_size: int, settings: Settings) -> str | None:
    """Why this archive must not be expanded (zip bomb), or None."""
    total = sum(info.file_size for info in zf.infolist())
    if total > settings.max_uncompressed_bytes:
        return detail("unzipped_too_large", megabytes=total // (1024 * 1024))
    if compressed_size and total / compressed_size > settings.max_compression_ratio:
        return detail("compression_too_high", ratio=f"{total / compressed_size:.0f}")
    return None


def _complete_parts(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The sheet XML in ~1 MB parts that each end before a `<`, so no tag is cut in two."""
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            cut = buf.rfind(b"<")
            if cut <= 0:
                tail = buf
                continue
            yield buf[:cut]
            tail = buf[cut:]
    if tail:
        yield tail


def outer_extent(zf: zipfile.ZipFile, member: str) -> Extent:
    """Last row element and last cell reference, style-only ones included: an upper bound."""
    rows = columns = 0
    wide: set[bytes] = set()
    for part in _complete_parts(zf, member):
        rows = max(rows, max(map(int, _ROW.findall(part)), default=0))
        wide.update(_WIDE_CELL_COLUMN.findall(part))
        if not columns and _ANY_CELL.search(part):
            columns = 26
    return Extent(rows, max([columns, *map(column_number, wide)]))


def value_extent(zf: zipfile.ZipFile, member: str) -> Extent:
    """Last row and column of the cells that hold a value: what calamine allocates."""
    rows = 0
    letters: set[bytes] = set()
    for part in _complete_parts(zf, member):
        found = _VALUE_CELL.findall(part)
        if found:
            letters.update(col for col, _ in found)
            rows = max(rows, max(int(row) for _, row in found))
    return Extent(rows, max(map(column_number, letters), default=0))


def sheet_extent(zf: zipfile.ZipFile, member: str, settings: Settings) -> Extent:
    """The sheet's extent, streamed from the XML. `<dimension>` is not trusted: it counts
    style-only cells (false alarms) and writers can leave it wrong (a far-away cell would
    then crash the reader). The cheap upper bound settles almost every sheet."""
    outer = outer_extent(zf, member)
    if too_large(outer, settings) is None:
        return outer
    return value_extent(zf, member)


def worksheet_members(zf: zipfile.ZipFile) -> list[str]:
    return [
        n
        for n in zf.namelist()
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and "/_rels/" not in n
    ]


def too_large(extent: Extent, settings: Settings) -> str | None:
    if extent.rows > settings.max_rows:
        return detail("sheet_too_many_rows", rows=extent.rows, limit=settings.max_rows)
    if extent.columns > settings.max_columns:
        return detail("sheet_too_many_columns", columns=extent.columns, limit=settings.max_columns)
    return None
