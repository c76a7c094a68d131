"""Grid → raw text frame: header-row detection, form rows, column mapping (pure).

Both readers (xlsx and CSV) first turn a sheet into a `Grid`: rows of cell texts as the
station sees them, plus a parallel grid of "this cell was a NUMBER in the workbook"
flags. Everything from there on is here, shared, and free of I/O.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import polars as pl
import yaml

from doorstep.ingest.model import Issue
from foundation.fields import registry
from foundation.reference import detail
from transforms.headers import (
    HeaderMap,
    HeaderReference,
    canonical_label,
    map_headers,
    match_header,
)
from transforms.text import normalize_text

# Columns where a NUMBER cell means Excel has already dropped digits (15 significant
# digits kept of 18), so the parser must reject the row instead of trusting the text:
# the ID and certificate numbers of the field registry.
FLAG_FIELDS = tuple(s.name for s in registry() if s.parse in ("id", "cert"))
HEADER_SCAN_ROWS = 15
MIN_HEADER_MATCHES = 2

Row = Sequence[str | None]


@dataclass(frozen=True)
class Grid:
    """One sheet as text. `rows[i]` is the row Excel shows as `first_row + i`."""

    rows: list[list[str | None]]
    was_number: list[list[bool]] | None = None  # parallel to rows; None when no cell was a number
    first_row: int = 1

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def number_flag(self, i: int, j: int) -> bool:
        if self.was_number is None:
            return False
        row = self.was_number[i]
        return j < len(row) and row[j]


@dataclass(frozen=True)
class Markers:
    sign_off: tuple[str, ...]
    footnote_prefixes: tuple[str, ...]
    totals: tuple[str, ...]


@cache
def load_markers() -> Markers:
    data: dict[str, Any] = yaml.safe_load(
        (files("doorstep.ingest") / "markers.yaml").read_text(encoding="utf-8")
    )
    return Markers(
        sign_off=tuple(normalize_text(s) for s in data["sign_off"]),
        footnote_prefixes=tuple(normalize_text(s) for s in data["footnote_prefixes"]),
        totals=tuple(normalize_text(s) for s in data["totals"]),
    )


def cell_text(value: str | None) -> str | None:
    """Whitespace-only cells count as blank; anything else is kept exactly."""
    if value is None or not value.strip():
        return None
    return value


def is_blank(row: Row) -> bool:
    return all(cell_text(c) is None for c in row)


def first_filled(row: Row) -> str | None:
    for cell in row:
        if cell_text(cell) is not None:
            return cell
    return None


def row_kind(row: Row, markers: Markers | None = None) -> str:
    """'blank', 'end' (sign-off or footnote: the table stops here), 'totals' or 'data'."""
    first = first_filled(row)
    if first is None:
        return "blank"
    if first.isascii():
        return "data"  # every marker word is Chinese; seq numbers and IDs need no normalising
    markers = markers or load_markers()
    text = normalize_text(first).replace(" ", "")
    if any(word in text for word in markers.sign_off):
        return "end"
    if text.startswith(markers.footnote_prefixes):
        return "end"
    if text in markers.totals:
        return "totals"
    return "data"


def find_header_row(
    sheet: str, grid: Grid, ref: HeaderReference, scan_rows: int = HEADER_SCAN_ROWS
) -> tuple[int, HeaderMap] | None:
    """The header: the row with the most known headers (at least two) in the first rows.

    Returns the index of the header's last row (data starts below it) and its mapping. A
    two-row header (`就业情况` merged over `就业单位 | 就业岗位 | 就业日期`, other headers
    merged down) is read as one when that maps more columns than either row alone.
    """
    best: tuple[int, HeaderMap] | None = None
    for i, row in enumerate(grid.rows[:scan_rows]):
        if is_blank(row):
            continue
        mapping = map_headers(sheet, row, ref)
        if mapping.matched >= MIN_HEADER_MATCHES and (
            best is None or mapping.matched > best[1].matched
        ):
            best = (i, mapping)
    if best is None:
        return None
    i, mapping = best
    for upper, lower in ((i - 1, i), (i, i + 1)):
        if (
            upper < 0
            or lower >= grid.height
            or is_blank(grid.rows[upper])
            or is_blank(grid.rows[lower])
        ):
            continue
        cells = merge_header_rows(sheet, grid.rows[upper], grid.rows[lower], ref)
        merged = map_headers(sheet, cells, ref)
        if merged.matched > mapping.matched:
            return lower, merged
    return best


def merge_header_rows(sheet: str, upper: Row, lower: Row, ref: HeaderReference) -> list[str | None]:
    """One header cell per column from two header rows: the one naming a known field wins
    (the lower one if both do); else the lower text, else the upper (a merged group label)."""
    cells: list[str | None] = []
    for j in range(max(len(upper), len(lower))):
        top = cell_text(upper[j]) if j < len(upper) else None
        bottom = cell_text(lower[j]) if j < len(lower) else None
        if bottom is not None and match_header(sheet, bottom, ref) is not None:
            cells.append(bottom)
        elif top is not None and match_header(sheet, top, ref) is not None:
            cells.append(top)
        else:
            cells.append(bottom if bottom is not None else top)
    return cells


def sheet_fields(sheet: str, ref: HeaderReference) -> list[str]:
    return list(ref.headers.get(sheet, {}))


def frame_schema(sheet: str, ref: HeaderReference) -> dict[str, Any]:
    """Raw frame columns: every canonical field as text, number flags, row_number, extra."""
    fields = sheet_fields(sheet, ref)
    schema: dict[str, Any] = {name: pl.String for name in fields}
    for name in FLAG_FIELDS:
        if name in fields:
            schema[f"{name}_was_number"] = pl.Boolean
    schema["row_number"] = pl.Int64
    schema["extra"] = pl.String
    return schema


def empty_frame(sheet: str, ref: HeaderReference) -> pl.DataFrame:
    return pl.DataFrame(schema=frame_schema(sheet, ref))


def _extra_keys(mapping: HeaderMap) -> dict[int, str]:
    keys: dict[int, str] = {}
    used: set[str] = set()
    for j, header in mapping.unknown.items():
        key = header.strip() or header
        n = 2
        while key in used:  # two unknown columns under one header: keep both
            key = f"{header.strip()}#{n}"
            n += 1
        used.add(key)
        keys[j] = key
    return keys


def is_column_number_row(row: Row) -> bool:
    """The `1 2 3 4 …` row government forms put under the header (栏次): form, not data."""
    filled = [text.strip() for c in row if (text := cell_text(c)) is not None]
    return len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]


def data_row_indices(grid: Grid, header_index: int) -> list[int]:
    """Rows below the header that hold data: blank and totals rows skipped, and the table
    ends at a sign-off or footnote row."""
    markers = load_markers()
    indices: list[int] = []
    start = header_index + 1
    if start < grid.height and is_column_number_row(grid.rows[start]):
        start += 1
    for i in range(start, grid.height):
        kind = row_kind(grid.rows[i], markers)
        if kind == "end":
            break
        if kind == "data":
            indices.append(i)
    return indices


def _column(grid: Grid, indices: list[int], j: int) -> list[str | None]:
    rows = grid.rows
    return [cell_text(rows[i][j]) if j < len(rows[i]) else None for i in indices]


def build_rows(
    sheet: str, grid: Grid, header_index: int, mapping: HeaderMap, ref: HeaderReference
) -> pl.DataFrame:
    """The raw frame: one row per data row, columns filled column by column."""
    schema = frame_schema(sheet, ref)
    fields = sheet_fields(sheet, ref)
    indices = data_row_indices(grid, header_index)
    columns: dict[str, list[Any]] = {name: [None] * len(indices) for name in fields}
    for j, name in mapping.fields.items():
        columns[name] = _column(grid, indices, j)
    j_of = {f: j for j, f in mapping.fields.items()}
    for name in FLAG_FIELDS:
        if name not in fields:
            continue
        if name in j_of and grid.was_number is not None:
            j = j_of[name]
            values = columns[name]
            columns[f"{name}_was_number"] = [
                v is not None and grid.number_flag(i, j)
                for v, i in zip(values, indices, strict=True)
            ]
        else:
            columns[f"{name}_was_number"] = [False] * len(indices)
    columns["row_number"] = [grid.first_row + i for i in indices]
    columns["extra"] = _extra_column(grid, indices, mapping)
    return pl.DataFrame(columns, schema=schema)


def _extra_column(grid: Grid, indices: list[int], mapping: HeaderMap) -> list[str | None]:
    """JSON of the cells under unknown headers, and of data under no header at all."""
    known = set(mapping.fields) | set(mapping.unknown)
    keys = _extra_keys(mapping)
    # Data under no header is still what the station sent: keep it raw too.
    keys.update(
        {j: detail("headerless_column", column=j + 1) for j in range(grid.width) if j not in known}
    )
    if not keys:
        return [None] * len(indices)
    extra_columns = {key: _column(grid, indices, j) for j, key in sorted(keys.items())}
    out: list[str | None] = []
    for n in range(len(indices)):
        extra = {key: values[n] for key, values in extra_columns.items() if values[n] is not None}
        out.append(json.dumps(extra, ensure_ascii=False) if extra else None)
    return out


def sheet_frame(
    sheet: str, grid: Grid, ref: HeaderReference, file_name: str
) -> tuple[pl.DataFrame | None, list[Issue]]:
    """The raw frame of one sheet (None when no header row is found) with the sheet-level
    issues. A sheet lacking a required column keeps its rows, so the return they
    reject can count them (returns.md §6); with no data rows it is just an empty sheet."""
    if all(is_blank(row) for row in grid.rows):
        return empty_frame(sheet, ref), []  # an empty template sheet: nothing to report
    found = find_header_row(sheet, grid, ref)
    if found is None:
        return None, [Issue(file_name, sheet, None, None, "HEADER_NOT_FOUND")]
    header_index, mapping = found
    if mapping.missing:
        frame = build_rows(sheet, grid, header_index, mapping, ref)
        if frame.height == 0:
            return frame, []
        return frame, [
            Issue(file_name, sheet, None, canonical_label(sheet, name, ref), "COLUMN_MISSING")
            for name in mapping.missing
        ]
    duplicates = set(mapping.duplicates)
    issues = [
        Issue(
            file_name,
            sheet,
            None,
            header,
            "COLUMN_UNKNOWN",
            detail("duplicate_column") if j in duplicates else "",
        )
        for j, header in mapping.unknown.items()
    ]
    return build_rows(sheet, grid, header_index, mapping, ref), issues
