"""Reference data (code lists, station registry, header aliases, reasons, targets).

Chinese labels live in the CSV/YAML files beside this module, never in code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

REFERENCE_DIR = Path(str(files("doorstep") / "reference"))


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

    def targets(self, year: int) -> dict[str, Any]:
        path = REFERENCE_DIR / "targets" / f"{year}.yaml"
        if not path.exists():
            return {}
        return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def load_reference() -> Reference:
    kinds = {row["kind"]: tuple(_aliases(row["sheets"])) for row in _csv("station_kinds.csv")}
    stations = {
        r["code"]: Station(
            code=r["code"],
            name=r["name"],
            street=r["street"],
            opened_on=date.fromisoformat(r["opened_on"]),
            kind=r["kind"],
            aliases=tuple(_aliases(r["aliases"])),
            sheets=kinds[r["kind"]],
        )
        for r in _csv("stations.csv")
    }

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
        headers=_yaml("headers.yaml"),
        required=_yaml("required_fields.yaml"),
        reasons={r["reason_code"]: Reason(**r) for r in _csv("reasons.csv")},
        definitions=tuple(_csv("figures.csv")),
    )


@cache
def publication_labels() -> dict[str, str]:
    """Labels of issues, corrected editions and drafts (publication.yaml)."""
    return {str(k): str(v) for k, v in _yaml("publication.yaml").items()}
