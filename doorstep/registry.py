"""The station registry the bureau maintains (returns.md §1, §6).

The package's six stations (foundation/reference/stations.csv) are the registry of a home
where the bureau never imported one (the demo). `doorstep stations import FILE.csv`
puts the bureau's own registry into the private database, each import a new version;
from then on the latest version is the registry, whole (a station left out of the file
is no longer in it).

The rule for everything that needs stations: the home's reference is built once where a
night (or a command) starts, by `home_reference(settings)`, and passed down; nothing
below the steps reads the registry itself. The warehouse's core.stations follows the
same rule in SQL (core/refresh_reference.sql).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from foundation.reference import (
    DEFAULT_STATION_KIND,
    Reference,
    Station,
    _aliases,
    _csv,
    load_reference,
    station_from_row,
    station_kinds,
)
from foundation.settings import Settings
from transforms.text import normalize_header

REQUIRED_COLUMNS = ("code", "name", "street", "opened_on")
OPTIONAL_COLUMNS = ("kind", "aliases", "closed_on")
# A code starts file names (`XH_2024-05_….xlsx`), so it is what a file name can carry.
_CODE = re.compile(r"^[A-Z][A-Z0-9]*$")

REGISTRY_SCHEMA: dict[str, Any] = {
    "registry_version": pl.Int32,
    "code": pl.String,
    "name": pl.String,
    "street": pl.String,
    "opened_on": pl.Date,
    "closed_on": pl.Date,
    "kind": pl.String,
    "aliases": pl.String,
}


class RegistryError(ValueError):
    """A registry file that cannot be imported; the message names every problem found."""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_registry(path: Path) -> list[Station]:
    """The stations of a registry CSV, or RegistryError naming file, row and column of
    every problem (row numbers count the header as row 1, as a spreadsheet shows them)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise RegistryError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    problems: list[str] = []
    if missing:
        problems.append(f"{path}: row 1: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(
            f"{path}: row 1: unknown column(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})"
        )
    if problems:
        raise RegistryError("\n".join(problems))
    if not rows:
        raise RegistryError(f"{path}: no stations (a registry lists every station)")

    kinds = station_kinds()
    kind_by_label = {r["label"]: r["kind"] for r in _csv("station_kinds.csv")}
    first_row_of_code: dict[str, int] = {}
    owner_of_name: dict[str, tuple[int, str]] = {}
    stations: list[Station] = []
    for number, row in enumerate(rows, start=2):

        def bad(column: str, message: str, number: int = number) -> None:
            problems.append(f"{path}: row {number}, column {column}: {message}")

        code = row["code"].upper()
        if not _CODE.match(code):
            bad(
                "code",
                f"{row['code']!r} is not a station code (letters and digits, a letter first)",
            )
        elif code in first_row_of_code:
            bad("code", f"{code} is already on row {first_row_of_code[code]}")
        else:
            first_row_of_code[code] = number
        for column in ("name", "street"):
            if not row[column]:
                bad(column, "empty")
        opened = _date(row["opened_on"])
        if opened is None:
            bad("opened_on", f"{row['opened_on']!r} is not a date (write 2024-01-01)")
        closed = _date(row.get("closed_on") or "") if row.get("closed_on") else None
        if row.get("closed_on") and closed is None:
            bad("closed_on", f"{row['closed_on']!r} is not a date (write 2024-12-31)")
        elif closed is not None and opened is not None and closed < opened:
            bad("closed_on", f"{closed} is before opened_on {opened}")
        kind = row.get("kind") or DEFAULT_STATION_KIND
        kind = kind_by_label.get(kind, kind)
        if kind not in kinds:
            known = ", ".join(f"{k} ({label})" for label, k in kind_by_label.items())
            bad("kind", f"{row['kind']!r} is not a station kind; known: {known}")
        # A name or alias must point at one station, or a cover could not be told apart.
        for alias in (row["name"], *_aliases(row.get("aliases", ""))):
            key = normalize_header(alias)
            if not key:
                continue
            owner = owner_of_name.setdefault(key, (number, code))
            if owner[1] != code:
                column = "name" if alias == row["name"] else "aliases"
                bad(column, f"{alias!r} also names {owner[1]} (row {owner[0]})")
        if opened is not None and kind in kinds and _CODE.match(code):
            stations.append(
                station_from_row(
                    {
                        **row,
                        "code": code,
                        "kind": kind,
                        "opened_on": opened,
                        "closed_on": closed,
                    }
                )
            )
    if problems:
        raise RegistryError(
            f"{path}: nothing imported, {len(problems)} problem(s):\n" + "\n".join(problems)
        )
    return stations


def _frame(stations: list[Station], version: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "registry_version": version,
                "code": s.code,
                "name": s.name,
                "street": s.street,
                "opened_on": s.opened_on,
                "closed_on": s.closed_on,
                "kind": s.kind,
                "aliases": "|".join(s.aliases),
            }
            for s in stations
        ],
        schema=REGISTRY_SCHEMA,
    )


def import_stations(settings: Settings, path: Path, imported_at: datetime) -> int:
    """Import a registry CSV as a new version (all or nothing); its version number."""
    from warehouse.db import connect_private
    from warehouse.reference import refresh_reference
    from warehouse.sql import registered, run_sql_file

    stations = read_registry(path)
    con = connect_private(settings.private_db)
    try:
        con.begin()
        try:
            version = run_sql_file(con, "raw/select_next_registry_version.sql").fetchall()[0][0]
            with registered(con, {"incoming_registry": _frame(stations, version)}):
                run_sql_file(
                    con,
                    "raw/insert_station_registry.sql",
                    {
                        "registry_version": version,
                        "imported_at": imported_at,
                        "file_name": path.name,
                        "stations": len(stations),
                    },
                )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        refresh_reference(con)
    finally:
        con.close()
    return int(version)


def registry_versions(settings: Settings) -> list[dict[str, Any]]:
    """Every import so far, oldest first (empty: the package's stations are in force)."""
    if not settings.private_db.exists():
        return []
    from warehouse.db import connect_private
    from warehouse.sql import fetch_frame

    con = connect_private(settings.private_db)
    try:
        return fetch_frame(con, "raw/select_station_registry_versions.sql").to_dicts()
    finally:
        con.close()


def _imported_stations(con: Any) -> dict[str, Station]:
    from warehouse.sql import fetch_frame

    frame = fetch_frame(con, "raw/select_current_station_registry.sql")
    return {row["code"]: station_from_row(row) for row in frame.to_dicts()}


def home_reference(settings: Settings) -> Reference:
    """The reference data with this home's registry: the latest import, or the package's
    stations when none was imported. Build it once per night or command and pass it down."""
    ref = load_reference()
    if not settings.private_db.exists():
        return ref
    from warehouse.db import connect_private

    con = connect_private(settings.private_db)
    try:
        stations = _imported_stations(con)
    finally:
        con.close()
    return ref.with_stations(stations) if stations else ref


def stations_table(stations: Mapping[str, Station]) -> list[dict[str, Any]]:
    """Rows for `doorstep stations list`."""
    return [
        {
            "code": s.code,
            "name": s.name,
            "street": s.street,
            "kind": s.kind,
            "opened_on": s.opened_on.isoformat(),
            "closed_on": s.closed_on.isoformat() if s.closed_on else "",
        }
        for s in stations.values()
    ]
