"""Typeset the bulletin: context → JSON → Typst template → PDF/A-2b.

The Chinese layout and wording are in ``templates/bulletin.typ``; this module only
serialises the context and drives the compiler. The PDF depends on nothing but the
context and the bundled font: no wall-clock time (the document date is the as-of
date), no system fonts, no network (the template imports no packages).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import fields
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import typst
from noto_cjk_sans_otc import FONT_PATH

from doorstep.bulletin.context import BulletinContext
from foundation.reference import (
    bureau,
    labels,
    load_reference,
    return_status_labels,
    scope_labels,
)

TEMPLATES_DIR = Path(__file__).with_name("templates")
TEMPLATE = TEMPLATES_DIR / "bulletin.typ"
FONT_DIR = Path(FONT_PATH).parent
# PDF/A-2b: fonts embedded, archivable; the bundled CFF font passes Typst's checks.
PDF_STANDARDS: Final = "a-2b"
_FIGURE_ORDER = ("figure", "scope", "station", "category", "measure")
# Up to this many stations the body lists every station, as the district's six-station
# bulletin always has; beyond it a station table runs over pages and buries the
# narrative, so the body shows one row per street and the station tables move to the
# annex (附表). Twelve still fits one page beside its chart.
STATIONS_IN_BODY_MAX: Final = 12
# F13 (each station-month's delivery status) is the register's as figures: the template
# prints the register from `ctx.returns_register`, so its rows (stations × months × 3)
# stay out of the figure index.
_NOT_PRINTED: Final = frozenset({"F13"})
# Disclosure levels whose rows reach the template shaped (`_people_rows`), not as rows.
_PEOPLE_LEVELS: Final = ("station_category_gender", "station_category")


def _plain(value: Any) -> Any:
    """JSON-safe value: ISO dates, NaN as null (DuckDB gives NaN for an empty median)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _labels() -> dict[str, Any]:
    """Code lists the template needs to name category and channel codes."""
    ref = load_reference()
    return {
        "categories": {c.code: c.label for c in ref.categories.values()},
        # F11 is broken down by channel rollup code; a rollup is named by its own code's label.
        "channels": {c.code: c.label for c in ref.channels.values() if c.rollup == c.code},
        # F07 rows carry the event type label; the code order is the order to list them in.
        "event_types": [ref.event_types[code].label for code in sorted(ref.event_types)],
        # Figures and the register carry codes; the bulletin prints their labels.
        "scopes": scope_labels(),
        "return_statuses": return_status_labels(),
        "bureau": bureau(),
        # The people tables' gender columns, in this order (value_lists.csv).
        "genders": labels(load_reference().genders),
    }


def _cell_key(row: dict[str, Any]) -> str:
    """lib.typ's cell-key: figure|measure|station|category, absent parts empty."""
    parts = (row.get("figure"), row.get("measure"), row.get("station"), row.get("category"))
    return "|".join("" if v is None else str(v) for v in parts)


def _by_cell(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(_cell_key(row), []).append(row)
    return out


def _figure_index(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """The figure rows shaped for lookup before Typst (lib.typ's rows-of and row-of read
    it): by figure, and by cell; each list keeps the rows' published order."""
    by_figure: dict[str, list[dict[str, Any]]] = {}
    for row in figures:
        by_figure.setdefault(str(row["figure"]), []).append(row)
    return {"by_figure": by_figure, "by_cell": _by_cell(figures)}


def _int_text(value: Any) -> str | None:
    """lib.typ's fmt-int without the dash: rounded half away from zero, None stays None."""
    if value is None:
        return None
    return str(int(math.copysign(math.floor(abs(value) + 0.5), value)))


def _figure_value(index: dict[str, Any], key: str, scope: str) -> Any:
    """The value of the first row of a cell in a scope (lib.typ's value-of)."""
    for row in index["by_cell"].get(key, ()):
        if row.get("scope") == scope:
            return row["value"]
    return None


def _shaped_tables(
    payload: dict[str, Any], index: dict[str, Any], hidden: dict[str, Any]
) -> dict[str, Any]:
    """Every per-station table as ready rows of text, so Typst only lays them out: a
    template that looks values up inside loops costs stations × lookups, this costs
    one pass over the rows. None is a cell the template prints as its dash."""
    stations = payload["stations"]
    order = {s["station_code"]: i for i, s in enumerate(stations)}
    names = {s["station_code"]: s["name"] for s in stations}

    def position(code: Any) -> int:
        # Stations not in the registry (should not happen) sort last.
        return order.get(code, len(stations))

    def station_value(figure: str, measure: str, scope: str, code: str) -> Any:
        return _figure_value(index, f"{figure}|{measure}|{code}|", scope)

    station_rows = []
    streets: dict[str, dict[str, Any]] = {}
    for s in stations:
        code = s["station_code"]
        values = (
            station_value("F03", "persons_attributed", "ytd", code),
            station_value("F03", "persons_own", "ytd", code),
            station_value("F04", "disabled_persons", "since_opening", code),
        )
        station_rows.append(
            {
                "name": s["name"],
                "street": s["street"],
                "cells": [_int_text(v) for v in values],
                "attributed": values[0],
            }
        )
        street = streets.setdefault(s["street"], {"stations": 0, "sums": [None, None, None]})
        street["stations"] += 1
        street["sums"] = [
            v if total is None else total + (v or 0)
            for total, v in zip(street["sums"], values, strict=True)
        ]
    street_rows = [
        {
            "street": name,
            "stations": street["stations"],
            "cells": [_int_text(v) for v in street["sums"]],
            "attributed": street["sums"][0],
        }
        for name, street in streets.items()
    ]

    projects = sorted(
        (
            r
            for r in index["by_figure"].get("F05", ())
            if r["measure"] == "trainees"
            and r["scope"] == "since_opening"
            and r["station"] is not None
            and r["category"] is not None
        ),
        key=lambda r: (position(r["station"]), r["category"]),
    )
    project_rows = [
        {
            "station": names.get(r["station"], r["station"]),
            "project": r["category"],
            "cells": [
                _int_text(
                    _figure_value(index, f"F05|{m}|{r['station']}|{r['category']}", "since_opening")
                )
                for m in ("courses", "trainees", "completed", "employed_after")
            ],
        }
        for r in projects
    ]

    companies = sorted(
        (
            r
            for r in index["by_figure"].get("F06", ())
            if r["measure"] == "jobs"
            and r["scope"] == "period_end"
            and r["station"] is not None
            and r["category"] is not None
        ),
        key=lambda r: (position(r["station"]), -r["value"]),
    )
    company_rows = []
    for r in companies:
        key = f"F06|hardship_jobs|{r['station']}|{r['category']}"
        company_rows.append(
            {
                "station": names.get(r["station"], r["station"]),
                "company": r["category"],
                "jobs": _int_text(r["value"]),
                "hardship": _int_text(_figure_value(index, key, "period_end")),
                "hidden": any(h.get("scope") == "period_end" for h in hidden.get(key, ())),
            }
        )

    period = payload["as_of"][:7]
    register = sorted(
        (r for r in payload["returns_register"] if r["period"] == period),
        key=lambda r: (position(r["station_code"]), r.get("received_at") or ""),
    )
    statuses = return_status_labels()
    register_rows = [
        {
            "station": names.get(r["station_code"], r["station_code"]),
            "status": statuses.get(r["status"], r["status"]),
            "received": None if r.get("received_at") is None else r["received_at"][:10],
            "accepted": _int_text(r.get("rows_accepted")),
            "quarantined": _int_text(r.get("rows_quarantined")),
            "current": r.get("is_current") is True,
        }
        for r in register
    ]
    return {
        "by_street": len(stations) > STATIONS_IN_BODY_MAX,
        "people": _people_rows(payload.get("disclosure") or {}, stations),
        "stations": station_rows,
        "streets": street_rows,
        "projects": project_rows,
        "companies": company_rows,
        "register": register_rows,
    }


def _people_rows(disclosure: dict[str, Any], stations: list[dict[str, Any]]) -> dict[str, Any]:
    """The published station × category (× gender) table as rows: category codes in
    order, then per station with any cell its name and cells (text, "*" where hidden,
    None where the station has none); the first row of a cell wins."""
    out: dict[str, Any] = {}
    for level, genders in (
        ("station_category_gender", tuple(labels(load_reference().genders))),
        ("station_category", (None,)),
    ):
        rows = disclosure.get(level)
        if rows is None:
            continue
        codes = sorted({str(r["category"]) for r in rows})
        cells: dict[tuple[Any, ...], Any] = {}
        for r in rows:
            key = (r.get("station_code"), str(r["category"]), r.get("gender"))
            cells.setdefault(key, r["persons"])
        present = {r.get("station_code") for r in rows}
        out[level] = {
            "codes": codes,
            "rows": [
                {
                    "name": s["name"],
                    "cells": [cells.get((s["station_code"], c, g)) for c in codes for g in genders],
                }
                for s in stations
                if s["station_code"] in present
            ],
        }
    return out


def _lean(payload: dict[str, Any]) -> dict[str, Any]:
    """The context less what the template never reads, which Typst would otherwise parse
    and hash with every call that sees it (at 200 stations × 12 months that was most of
    the render: 4.7 MB of JSON, 2.6 s, against 0.5 MB and 0.7 s): the figure rows, which
    it reads through the index; the register of earlier years (it counts the as-of month
    and year); the disclosure's station rows, shaped into `tables.people`."""
    year = payload["as_of"][:4]
    disclosure = payload.get("disclosure") or {}
    return {
        **{k: v for k, v in payload.items() if k != "figures"},
        "returns_register": [
            r for r in payload["returns_register"] if str(r["period"]).startswith(year)
        ],
        "disclosure": {k: v for k, v in disclosure.items() if k not in _PEOPLE_LEVELS},
    }


def bulletin_json(ctx: BulletinContext) -> str:
    """The context as the template reads it: sorted keys, figures in a fixed order."""
    # _plain copies every list and dict it passes; asdict would deep-copy them first.
    payload = _plain({f.name: getattr(ctx, f.name) for f in fields(ctx)})
    scopes = scope_labels()
    # By the scope's label, as `compute_figures` lists them.
    payload["figures"] = sorted(
        payload["figures"],
        key=lambda r: tuple(
            str((scopes.get(r[k], r[k]) if k == "scope" else r.get(k)) or "") for k in _FIGURE_ORDER
        ),
    )
    index = _figure_index([r for r in payload["figures"] if r["figure"] not in _NOT_PRINTED])
    hidden = _by_cell((payload.get("disclosure") or {}).get("hidden_figures", []))
    return json.dumps(
        {
            "ctx": _lean(payload),
            "labels": _labels(),
            "figure_index": index,
            "hidden_index": hidden,
            "tables": _shaped_tables(payload, index, hidden),
        },
        ensure_ascii=False,
        sort_keys=True,
        allow_nan=False,
        separators=(",", ":"),
    )


def render_bulletin(ctx: BulletinContext, out: Path) -> Path:
    """Render the bulletin of ``ctx`` to ``out`` (PDF/A-2b, A4) and return ``out``.

    Same context → identical bytes. Raises ``typst.TypstError`` when the template
    cannot be compiled; ``out`` is then left untouched.
    """
    pdf = typst.compile(
        TEMPLATE,
        root=TEMPLATES_DIR,
        font_paths=[FONT_DIR],
        ignore_system_fonts=True,
        sys_inputs={"bulletin": bulletin_json(ctx)},
        pdf_standards=PDF_STANDARDS,
        timestamp=datetime.combine(ctx.as_of, time(), tzinfo=UTC),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a reader never sees half a bulletin.
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
