"""Limits checked before a workbook is handed to the Rust reader.

calamine builds a dense grid from the top-left to the bottom-right filled cell, so a
sheet with one value in A1 and one in XFD1048576 would ask for billions of cells. The
zip directory and a streaming scan of the sheet XML tell us the extent first.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from doorstep.settings import Settings

# A cell with content: `<c r="AB12" …>` (self-closing `<c …/>` cells are style only).
_CELL = re.compile(rb' r="([A-Z]{1,3})(\d{1,7})"[^>/]*>')
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
        return f"解压后 {total // (1024 * 1024)} MB，超过上限"
    if compressed_size and total / compressed_size > settings.max_compression_ratio:
        return f"压缩比 {total / compressed_size:.0f}:1，超过上限"
    return None


def scanned_extent(zf: zipfile.ZipFile, member: str) -> Extent:
    """Last row and column holding a value, read in chunks so a huge sheet is never in memory."""
    rows = 0
    letters: set[bytes] = set()
    tail = b""
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = tail + chunk
            # Only complete tags are scanned; the part from the last `<` waits for the next chunk.
            cut = buf.rfind(b"<") if chunk else len(buf)
            if cut <= 0 and chunk:
                tail = buf
                continue
            found = _CELL.findall(buf, 0, cut)
            if found:
                letters.update(col for col, _ in found)
                rows = max(rows, max(int(row) for _, row in found))
            tail = buf[cut:]
            if not chunk:
                break
    return Extent(rows, max((column_number(c) for c in letters), default=0))


def sheet_extent(zf: zipfile.ZipFile, member: str) -> Extent:
    """The extent calamine will allocate. `<dimension>` is not trusted: it counts style-only
    cells (false alarms) and writers can leave it wrong (a crash on a far-away cell)."""
    return scanned_extent(zf, member)


def worksheet_members(zf: zipfile.ZipFile) -> list[str]:
    return [
        n
        for n in zf.namelist()
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and "/_rels/" not in n
    ]


def too_large(extent: Extent, settings: Settings) -> str | None:
    if extent.rows > settings.max_rows:
        return f"工作表有 {extent.rows} 行，上限 {settings.max_rows} 行"
    if extent.columns > settings.max_columns:
        return f"工作表有 {extent.columns} 列，上限 {settings.max_columns} 列"
    return None
