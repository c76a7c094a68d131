"""Parsing of single cell values (pure functions; the per-sheet parsers build on these)."""

from __future__ import annotations

import re

from transforms.text import normalize_text

_PERIOD = re.compile(r"^(\d{4})\s*(?:年|[-/.])?\s*(\d{1,2})\s*月?(?:份)?$")


def parse_period(text: str | None) -> str | None:
    """`2024年5月`, `2024-05`, `202405`, `2024.5` → `2024-05`; anything else → None."""
    if text is None:
        return None
    m = _PERIOD.match(normalize_text(str(text)))
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return f"{year:04d}-{month:02d}"
