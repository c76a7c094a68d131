"""The official blank return for one station-month, cover pre-filled from the registry."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from doorstep.returns_xlsx import period_label, write_return_workbook
from foundation.fields import COVER, template_fields
from foundation.reference import REFERENCE_DIR, Reference, load_reference
from transforms.values import parse_period

INSTRUCTIONS_FILE = REFERENCE_DIR / "template_instructions.txt"


def template_instructions() -> list[str]:
    """The 填报说明 lines (kept in a data file so the bureau can edit them without code)."""
    return [ln for ln in INSTRUCTIONS_FILE.read_text(encoding="utf-8").splitlines() if ln.strip()]


def write_template(
    path: Path, station_code: str, period: str, ref: Reference | None = None
) -> Path:
    """Write the blank return of `station_code` for `period` (`2024-06` or `2024年6月`).

    Only the sheets the station's kind reports are included; dropdowns and text-formatted
    ID/phone columns cover 500 rows. Raises ValueError for an unknown station or period.
    `ref` carries the home's station registry (default: the package's stations).
    """
    ref = ref or load_reference()
    station = ref.stations.get(station_code)
    if station is None:
        raise ValueError(f"unknown station code: {station_code!r}")
    norm = parse_period(period)
    if norm is None:
        raise ValueError(f"unrecognised period: {period!r}")
    year, month = (int(p) for p in norm.split("-"))
    # Every cover field of the registry, blank for the clerk unless the registry knows it.
    cover: dict[str, object] = {
        spec.name: None if spec.type == "date" else "" for spec in template_fields(COVER)
    }
    cover.update(
        station_name=station.name,
        station_code=station.code,
        street=station.street,
        period=period_label(norm),
    )
    return write_return_workbook(
        path,
        cover,
        {sheet: [] for sheet in station.sheets},
        template=True,
        instructions=template_instructions(),
        created=datetime(year, month, 1),
    )
