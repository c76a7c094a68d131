"""Cover sheet (填报信息): key/value cells → station and period, checked against the file name.

Pure: works on a `Grid`; the cover is authoritative, the file name only a cross-check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from doorstep.ingest.grid import Grid, cell_text
from doorstep.ingest.model import Issue
from foundation.reference import Reference, detail
from transforms.headers import match_header
from transforms.text import normalize_header, normalize_text
from transforms.values import parse_period

COVER_SCAN_ROWS = 30
COVER_SCAN_COLUMNS = 12

# `<code>_<YYYY-MM>` then anything (`_更正`, ` (2)`, `_placements` …); `202405` accepted too.
_FILE_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_(\d{4})-?(\d{2})(?:[^0-9].*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-\d{2}$")


@dataclass(frozen=True)
class CoverResult:
    station_code: str | None
    period: str | None
    fields: dict[str, str] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
    rejected: bool = False


def cover_fields(grid: Grid, ref: Reference) -> dict[str, str]:
    """Cover field → value: the value is the next filled cell to the right of its key cell,
    else the cell below it (a header row with a value row under it); `编码：XH` in one cell
    works too. The first occurrence of a key wins."""
    rows = [list(r[:COVER_SCAN_COLUMNS]) for r in grid.rows[:COVER_SCAN_ROWS]]
    keys: dict[tuple[int, int], str] = {}
    inline: dict[str, str] = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if (written := cell_text(cell)) is None:
                continue
            name = match_header("cover", written, ref)
            if name is not None:
                keys[(i, j)] = name
                continue
            text = normalize_text(written)
            if ":" in text:
                key, _, rest = text.partition(":")
                name = match_header("cover", key, ref)
                if name is not None and rest.strip():
                    inline.setdefault(name, rest.strip())
    found: dict[str, str] = {}
    for (i, j), name in keys.items():
        if name in found:
            continue
        value: str | None = _right_of(rows, keys, i, j)
        if value is None:
            value = _below(rows, keys, i, j)
        if value is not None:
            found[name] = value.strip()
    for name, value in inline.items():
        found.setdefault(name, value)
    return found


def _right_of(
    rows: list[list[str | None]], keys: dict[tuple[int, int], str], i: int, j: int
) -> str | None:
    for k in range(j + 1, len(rows[i])):
        if (i, k) in keys:
            return None
        if (text := cell_text(rows[i][k])) is not None:
            return text
    return None


def _below(
    rows: list[list[str | None]], keys: dict[tuple[int, int], str], i: int, j: int
) -> str | None:
    if i + 1 < len(rows) and j < len(rows[i + 1]) and (i + 1, j) not in keys:
        return cell_text(rows[i + 1][j])
    return None


def looks_like_cover(grid: Grid, ref: Reference) -> bool:
    """A sheet under an odd name that still says which station and which month."""
    values = cover_fields(grid, ref)
    return ("station_code" in values or "station_name" in values) and "period" in values


def cover_period(text: str | None) -> str | None:
    """`2024年5月`, `2024-05`, `202405`, or an Excel date cell (read as `2024-05-01`)."""
    period = parse_period(text)
    if period is None and text is not None and (m := _ISO_DATE.match(text.strip())):
        period = parse_period(f"{m.group(1)}-{m.group(2)}")
    return period


def station_by_name(name: str, ref: Reference) -> str | None:
    key = normalize_header(name)
    for code, station in ref.stations.items():
        if key in {normalize_header(n) for n in (station.name, *station.aliases)}:
            return code
    return None


def file_name_parts(file_name: str) -> tuple[str, str] | None:
    """(code, 'YYYY-MM') when the file name follows `<code>_<YYYY-MM>…`, else None."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    m = _FILE_NAME.match(stem)
    if not m or not 1 <= int(m.group(3)) <= 12:
        return None
    return m.group(1).upper(), f"{m.group(2)}-{m.group(3)}"


def resolve_cover(grid: Grid | None, file_name: str, ref: Reference) -> CoverResult:
    """Station and period from the cover, with the file-level checks of returns.md §4.11."""
    if grid is None:
        issue = Issue(file_name, "cover", None, None, "SHEET_MISSING", _sheet_label("cover", ref))
        return CoverResult(None, None, issues=(issue,), rejected=True)
    values = cover_fields(grid, ref)
    issues: list[Issue] = []
    code_label = _label("station_code", ref)
    code: str | None = None
    written_code = values.get("station_code")
    if written_code:
        candidate = normalize_text(written_code).replace(" ", "").upper()
        if candidate in ref.stations:
            code = candidate
        else:
            issues.append(
                Issue(
                    file_name,
                    "cover",
                    None,
                    code_label,
                    "STATION_UNKNOWN",
                    detail("cover_code", code=candidate),
                )
            )
    elif values.get("station_name"):
        code = station_by_name(values["station_name"], ref)
        if code is None:
            issues.append(
                Issue(
                    file_name,
                    "cover",
                    None,
                    _label("station_name", ref),
                    "STATION_UNKNOWN",
                    detail("cover_name", name=values["station_name"]),
                )
            )
    else:
        issues.append(
            Issue(
                file_name,
                "cover",
                None,
                code_label,
                "STATION_UNKNOWN",
                detail("cover_no_station"),
            )
        )

    period = cover_period(values.get("period"))
    period_label = _label("period", ref)
    if period is None:
        issues.append(Issue(file_name, "cover", None, period_label, "PERIOD_INVALID"))

    parts = file_name_parts(file_name)
    if parts is not None:
        name_code, name_period = parts
        if code is not None and name_code != code:
            issues.append(
                Issue(
                    file_name,
                    "cover",
                    None,
                    code_label,
                    "STATION_MISMATCH",
                    detail("file_name_vs_cover", file_name=name_code, cover=code),
                )
            )
        if period is not None and name_period != period:
            issues.append(
                Issue(
                    file_name,
                    "cover",
                    None,
                    period_label,
                    "PERIOD_MISMATCH",
                    detail("file_name_vs_cover", file_name=name_period, cover=period),
                )
            )
    if code is not None and period is not None:
        opened = ref.stations[code].opened_on
        if date.fromisoformat(f"{period}-01") < opened.replace(day=1):
            issues.append(
                Issue(
                    file_name,
                    "cover",
                    None,
                    period_label,
                    "PERIOD_BEFORE_OPENING",
                    detail("opened_on", opened_on=opened.isoformat()),
                )
            )
    return CoverResult(code, period, values, tuple(issues), rejected=bool(issues))


def _label(name: str, ref: Reference) -> str:
    return ref.headers["cover"][name][0]


def _sheet_label(sheet: str, ref: Reference) -> str:
    return str(ref.sheets.get(sheet, {}).get("label", sheet))
