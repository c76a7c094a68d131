"""Which workbook sheet (or CSV file) is which canonical sheet (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from doorstep.ingest.cover import looks_like_cover
from doorstep.ingest.grid import Grid, find_header_row
from foundation.reference import Reference
from transforms.headers import header_key

_BRACKETED = re.compile(r"\([^()]*\)")
# A sheet recognised by its headers alone must look like a real table, not a coincidence.
MIN_CONTENT_MATCHES = 3


def sheet_key_by_name(name: str, ref: Reference) -> str | None:
    """`就业帮扶台账`, `就業幫扶台賬`, `帮扶台账(5月)` → `placements`; unknown names → None."""
    key = header_key(name)
    bare = _BRACKETED.sub("", key)
    for sheet, meta in ref.sheets.items():
        names = {header_key(n) for n in (meta["label"], *meta.get("aliases", []))}
        if key in names or bare in names:
            return sheet
    return None


def match_sheet_names(names: Sequence[str], ref: Reference) -> tuple[dict[str, str], list[str]]:
    """Canonical key → workbook sheet name (first sheet wins), and the names left over."""
    found: dict[str, str] = {}
    rest: list[str] = []
    for name in names:
        key = sheet_key_by_name(name, ref)
        if key is None or key in found:
            rest.append(name)
        else:
            found[key] = name
    return found, rest


def sheet_key_by_content(grid: Grid, candidates: Sequence[str], ref: Reference) -> str | None:
    """For a sheet under an odd name (`Sheet1`): the canonical sheet whose headers it has,
    else the cover if it names a station and a period."""
    best: tuple[int, str] | None = None
    for sheet in candidates:
        if sheet == "cover":
            continue
        found = find_header_row(sheet, grid, ref)
        if found is None or found[1].missing or found[1].matched < MIN_CONTENT_MATCHES:
            continue
        if best is None or found[1].matched > best[0]:
            best = (found[1].matched, sheet)
    if best is not None:
        return best[1]
    if "cover" in candidates and looks_like_cover(grid, ref):
        return "cover"
    return None


def assign_by_content(
    leftovers: Sequence[str], missing: Sequence[str], load: Callable[[str], Grid], ref: Reference
) -> dict[str, str]:
    """Canonical key → leftover sheet name, for sheets recognisable by their header row."""
    assigned: dict[str, str] = {}
    for name in leftovers:
        open_keys = [k for k in missing if k not in assigned]
        if not open_keys:
            break
        key = sheet_key_by_content(load(name), open_keys, ref)
        if key is not None:
            assigned[key] = name
    return assigned
