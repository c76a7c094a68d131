"""Reference data (code lists, station registry, header aliases, reasons, targets).

Header aliases and required columns come from the field registry (`foundation.fields`).

Chinese labels live in the CSV/YAML files beside this module, never in code.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from foundation.fields import header_aliases, required_fields

REFERENCE_DIR = Path(str(files("foundation") / "reference"))


def _csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _yaml(name: str) -> Any:
    with (REFERENCE_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _aliases(text: str) -> list[str]:
    return [a for a in (text or "").split("|") if a]


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    street: str
    opened_on: date
    kind: str
    aliases: tuple[str, ...]
    sheets: tuple[str, ...]  # sheets this station must report
    closed_on: date | None = None


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    aliases: tuple[str, ...]
    rollup: str | None = None


@dataclass(frozen=True)
class Reason:
    reason_code: str
    level: str
    severity: str
    message_zh: str
    fix_zh: str


@dataclass(frozen=True)
class Reference:
    stations: dict[str, Station]
    categories: dict[str, Code]
    channels: dict[str, Code]
    training_types: dict[str, Code]
    event_types: dict[str, Code]
    sheets: dict[str, dict[str, Any]]
    headers: dict[str, dict[str, list[str]]]
    required: dict[str, list[str]]
    reasons: dict[str, Reason]
    definitions: tuple[dict[str, str], ...]  # figures.csv: the catalogue of figures.md
    # The short value lists of value_lists.csv (see `value_lists`), for `@` in fields.csv.
    genders: dict[str, Code]
    yes_no: dict[str, Code]
    household_statuses: dict[str, Code]

    def targets(self, year: int) -> dict[str, Any]:
        path = REFERENCE_DIR / "targets" / f"{year}.yaml"
        if not path.exists():
            return {}
        return dict(yaml.safe_load(path.read_text(encoding="utf-8")))

    def with_stations(self, stations: dict[str, Station]) -> Reference:
        """This reference with another station registry (a home's imported one)."""
        return replace(self, stations=dict(stations))


@cache
def station_kinds() -> dict[str, tuple[str, ...]]:
    """kind → the sheets a station of that kind must report (station_kinds.csv)."""
    return {row["kind"]: tuple(_aliases(row["sheets"])) for row in _csv("station_kinds.csv")}


# A registry row that names no kind is a community station (returns.md §1).
DEFAULT_STATION_KIND = "community"


def station_from_row(row: dict[str, Any]) -> Station:
    """One registry row (as in stations.csv, or the private registry) as a Station."""
    kind = row.get("kind") or DEFAULT_STATION_KIND
    opened, closed = row["opened_on"], row.get("closed_on")
    return Station(
        code=row["code"],
        name=row["name"],
        street=row["street"],
        opened_on=opened if isinstance(opened, date) else date.fromisoformat(opened),
        kind=kind,
        aliases=tuple(_aliases(row.get("aliases") or "")),
        sheets=station_kinds()[kind],
        closed_on=closed if isinstance(closed, date) or not closed else date.fromisoformat(closed),
    )


@cache
def value_lists() -> dict[str, dict[str, Code]]:
    """The short value lists of a return's cells (value_lists.csv): list → code → Code.

    `genders`, `yes_no` and `household_statuses`, the one place their labels and the
    spellings stations use are written. The label is what the typed frames, the
    warehouse and the bulletin carry; the code says which label means what (an odd 17th
    ID digit is `male`, a `cleared` household needs a date, `yes` is True), so no code
    depends on a label's wording or on the order of a list.
    """
    lists: dict[str, dict[str, Code]] = {}
    for row in _csv("value_lists.csv"):
        codes = lists.setdefault(row["list"], {})
        if row["code"] in codes:
            raise ValueError(f"value_lists.csv: {row['list']}.{row['code']} is listed twice")
        codes[row["code"]] = Code(row["code"], row["label"], tuple(_aliases(row["aliases"])))
    return lists


def labels(codes: Mapping[str, Code]) -> list[str]:
    """A value list's labels, in list order: the values a typed column of it holds."""
    return [c.label for c in codes.values()]


@cache
def load_reference() -> Reference:
    """The package's reference data, with its six stations (the demo's registry).

    A home where the bureau imported its own registry uses `doorstep.registry.home_reference`.
    """
    stations = {r["code"]: station_from_row(r) for r in _csv("stations.csv")}

    def codes(name: str) -> dict[str, Code]:
        return {
            r["code"]: Code(
                r["code"],
                r["label"],
                tuple(_aliases(r.get("aliases", ""))),
                r.get("rollup") or None,
            )
            for r in _csv(name)
        }

    return Reference(
        stations=stations,
        categories=codes("categories.csv"),
        channels=codes("channels.csv"),
        training_types=codes("training_types.csv"),
        event_types=codes("event_types.csv"),
        sheets=_yaml("sheets.yaml"),
        headers=header_aliases(),
        required=required_fields(),
        reasons={r["reason_code"]: Reason(**r) for r in _csv("reasons.csv")},
        definitions=tuple(_csv("figures.csv")),
        genders=value_lists()["genders"],
        yes_no=value_lists()["yes_no"],
        household_statuses=value_lists()["household_statuses"],
    )


@cache
def publication_labels() -> dict[str, str]:
    """Labels of issues, corrected editions and drafts (publication.yaml)."""
    return {str(k): str(v) for k, v in _yaml("publication.yaml").items() if k != "on_time_day"}


@cache
def scope_labels() -> dict[str, str]:
    """Scope code (Contract 5's `scope`: ytd, month, …) → the label the bulletin prints
    (scopes.csv)."""
    return {row["code"]: row["label"] for row in _csv("scopes.csv")}


@cache
def return_status_labels() -> dict[str, str]:
    """Returns-register status code (on_time, late, …) → its label (return_statuses.csv)."""
    return {row["code"]: row["label"] for row in _csv("return_statuses.csv")}


@cache
def bureau() -> dict[str, str]:
    """The district, the bureau and the programme as outputs name them (bureau.yaml)."""
    return {str(k): str(v) for k, v in _yaml("bureau.yaml").items()}


@cache
def workbook_words() -> dict[str, Any]:
    """Words of the return template and the feedback workbook (workbooks.yaml)."""
    return dict(_yaml("workbooks.yaml"))


@cache
def _details() -> dict[str, str]:
    return {str(k): str(v) for k, v in _yaml("details.yaml").items()}


def detail(key: str, **values: Any) -> str:
    """The detail text `key` of details.yaml with its placeholders filled; without values,
    the text as written (`held_back` is a template its caller fills)."""
    text = _details()[key]
    return text.format(**values) if values else text


@cache
def on_time_day() -> int:
    """The deadline rule (returns.md §6): a return is on time up to this day of the next
    month (publication.yaml `on_time_day`), the one place the day is written."""
    day = _yaml("publication.yaml")["on_time_day"]
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise ValueError(f"publication.yaml: on_time_day must be a day 1..28, not {day!r}")
    return day
