"""Which breakdowns of people the bulletin publishes, and with which cells hidden.

Everything here is audited together with the figures of the same issue that
constrain it (``doorstep.bulletin.disclosure``): F02 (persons by category, exact),
F03 (persons by station of first placement: every person carries at least one
category, so a station's cells sum to at least its F03 and no cell exceeds it) and
F04 (disabled persons per station since it opened: an upper bound on its disabled
cells). The cross-tab is counted like F02/F03 — each person once, at their first
placement of the year, under every category of that placement — so these relations
are exact and the audit knows what a reader knows.

The rule for the people breakdown (``LEVELS``): the finest of

1. station × category × gender,
2. station × category beside district category × gender,
3. district category × gender alone,

whose suppression hides no more than ``MAX_STARRED_SHARE`` (one in three) of its
non-zero cells; if none qualifies, no breakdown beyond F02 is published. A table mostly of stars tells a reader nothing,
while the coarser tables carry most of the same information without small cells.

Also covered: the per-company 其中困难人员 of F06 (audited against the published
district total and each company's jobs) and F11 medians and means — by channel or,
early in a year, for the district — over fewer than ``MIN_PERSONS_FOR_AVERAGE``
persons, which are not published (a median of one person is that person's income). F11's per-channel counts are never printed, so a
hidden channel mean cannot be recovered from the district mean. Course sizes and
event counts are not about hardship and stay exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from doorstep.bulletin.disclosure import (
    MIN_RANGE,
    SMALL_MAX,
    SMALL_MIN,
    SUPPRESSED,
    Cell,
    Fact,
    Problem,
    Protection,
    protect,
)

# A level hiding more than this share of its non-zero cells is not published (the
# demo's station × category × gender table would hide about two in three).
MAX_STARRED_SHARE = Fraction(1, 3)
MIN_PERSONS_FOR_AVERAGE = 5
DISABLED = "02"  # the category F04 counts

# Level name → the tables it publishes, finest first.
LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("station_category_gender", ("station_category_gender",)),
    ("station_category", ("station_category", "category_gender")),
    ("category_gender", ("category_gender",)),
)


def _figure(
    figures: Sequence[Mapping[str, Any]],
    figure: str,
    measure: str,
    *,
    scope: str | None = None,
) -> list[Mapping[str, Any]]:
    return [
        r
        for r in figures
        if r.get("figure") == figure
        and r.get("measure") == measure
        and (scope is None or r.get("scope") == scope)
        and r.get("value") is not None
    ]


def _people_facts(
    base: Mapping[tuple[str, str, str], int], figures: Sequence[Mapping[str, Any]]
) -> list[Fact]:
    """What F02, F03 and F04 tell a reader about persons by station × category × gender."""
    facts: list[Fact] = []
    # Base counts by station and by category once: looking them up per figure row
    # would cost stations × counts.
    by_station: dict[str, dict[tuple[str, str, str], float]] = {}
    by_category: dict[str, dict[tuple[str, str, str], float]] = {}
    for k in base:
        by_station.setdefault(k[0], {})[k] = 1.0
        by_category.setdefault(k[1], {})[k] = 1.0
    for r in _figure(figures, "F02", "persons", scope="ytd"):
        if r.get("station") is None and r.get("category") is not None:
            terms = by_category.get(r["category"], {})
            if terms:
                facts.append(Fact(terms, "=", float(r["value"]), f"F02 {r['category']}"))
    for r in _figure(figures, "F03", "persons_attributed", scope="ytd"):
        station = r.get("station")
        terms = by_station.get(station, {}) if station is not None else {}
        if not terms:
            continue
        facts.append(Fact(terms, ">=", float(r["value"]), f"F03 {station}"))
        for category in sorted({k[1] for k in terms}):
            pair = {k: 1.0 for k in terms if k[1] == category}
            facts.append(Fact(pair, "<=", float(r["value"]), f"F03 {station}"))
    for r in _figure(figures, "F04", "disabled_persons"):
        station = r.get("station")
        terms = {k: 1.0 for k in by_category.get(DISABLED, {}) if station in (None, k[0])}
        if terms:
            facts.append(Fact(terms, "<=", float(r["value"]), f"F04 {station or '全区'}"))
    return facts


def _people_cells(base: Mapping[tuple[str, str, str], int], table: str) -> list[Cell]:
    groups: dict[tuple[str, ...], dict[tuple[str, str, str], float]] = {}
    for key in base:
        station, category, gender = key
        group = {
            "station_category_gender": (station, category, gender),
            "station_category": (station, category),
            "category_gender": (category, gender),
        }[table]
        groups.setdefault(group, {})[key] = 1.0
    return [
        Cell((table, *group), terms, float(sum(base[k] for k in terms)))
        for group, terms in groups.items()
    ]


def _level_report(problem: Problem, protection: Protection) -> dict[str, Any]:
    nonzero = [c for c in problem.cells if c.value != 0]
    starred = [c for c in nonzero if c.key in protection.hidden]
    share = Fraction(len(starred), len(nonzero)) if nonzero else Fraction(0)
    return {
        "nonzero_cells": len(nonzero),
        "starred_nonzero_cells": len(starred),
        "pinned": len(protection.pinned),
        "ok": protection.complete and share <= MAX_STARRED_SHARE,
    }


def _rows(problem: Problem, protection: Protection, table: str) -> list[dict[str, Any]]:
    fields = {
        "station_category_gender": ("station_code", "category", "gender"),
        "station_category": ("station_code", "category"),
        "category_gender": ("category", "gender"),
    }[table]
    rows = []
    for cell in problem.cells:
        if cell.key[0] != table:
            continue
        shown = SUPPRESSED if cell.key in protection.hidden else str(int(cell.value))
        rows.append({**dict(zip(fields, cell.key[1:], strict=True)), "persons": shown})
    return sorted(rows, key=lambda r: tuple(str(r[f]) for f in fields))


def people_tables(
    crosstab: Sequence[Mapping[str, Any]], figures: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The people breakdown the rule chooses, its cells as text ("*" where hidden), and
    for each level tried how many cells it would have hidden."""
    base = {
        (str(r["station_code"]), str(r["category"]), str(r["gender"])): int(r["persons"])
        for r in crosstab
    }
    out: dict[str, Any] = {
        "level": "none",
        "levels_tried": {},
        "station_category_gender": [],
        "station_category": [],
        "category_gender": [],
    }
    if not base:
        return out
    facts = _people_facts(base, figures)
    for level, tables in LEVELS:
        cells = [c for t in tables for c in _people_cells(base, t)]
        problem = Problem(cells, facts)
        nonzero = sum(c.value != 0 for c in cells)
        protection = protect(problem, max_hidden_nonzero=math.floor(nonzero * MAX_STARRED_SHARE))
        report = _level_report(problem, protection)
        out["levels_tried"][level] = report
        if report["ok"]:
            out["level"] = level
            for t in tables:
                out[t] = _rows(problem, protection, t)
            break
    return out


def _key(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("figure", "scope", "station", "category", "measure")}


def hardship_hidden(figures: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """F06 per-company 其中困难人员 cells to hide: counts 1–4, and whatever the district
    total and the companies' published jobs would give away."""
    per_company = [
        r for r in _figure(figures, "F06", "hardship_jobs") if r.get("category") is not None
    ]
    if not per_company:
        return []
    jobs = {
        (r.get("station"), r.get("category")): float(r["value"])
        for r in _figure(figures, "F06", "jobs")
        if r.get("category") is not None
    }
    cells = [
        Cell(
            (r.get("station"), r["category"]), {(r.get("station"), r["category"]): 1.0}, r["value"]
        )
        for r in per_company
    ]
    facts = [
        Fact({c.key: 1.0}, "<=", jobs[c.key], f"F06 jobs {c.key}") for c in cells if c.key in jobs
    ]
    for r in _figure(figures, "F06", "hardship_jobs"):
        if r.get("category") is None and r.get("station") is None:
            facts.append(Fact({c.key: 1.0 for c in cells}, "=", float(r["value"]), "F06 total"))
    hidden = protect(Problem(cells, facts)).hidden
    return [_key(r) for r in per_company if (r.get("station"), r["category"]) in hidden]


def average_hidden(figures: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """F11 medians and means over fewer than five persons (or an unknown number), and
    F11's counts themselves: printed beside the district mean (even as a revision)
    they would give a hidden channel's mean away."""
    counts = {
        (r.get("scope"), r.get("category")): r["value"] for r in _figure(figures, "F11", "persons")
    }
    return [
        _key(r)
        for r in figures
        if r.get("figure") == "F11"
        and (
            r.get("measure") == "persons"
            or (
                r.get("measure") in ("median_income", "mean_income")
                and counts.get((r.get("scope"), r.get("category")), 0) < MIN_PERSONS_FOR_AVERAGE
            )
        )
    ]


def disclose(
    crosstab: Sequence[Mapping[str, Any]], figures: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Everything the bulletin needs to publish people safely (BulletinContext.disclosure)."""
    people = people_tables(crosstab, figures)
    return {
        **people,
        "hidden_figures": hardship_hidden(figures) + average_hidden(figures),
        "max_starred_share": [MAX_STARRED_SHARE.numerator, MAX_STARRED_SHARE.denominator],
        "min_range": MIN_RANGE,
        "min_persons_for_average": MIN_PERSONS_FOR_AVERAGE,
        "small_min": SMALL_MIN,
        "small_max": SMALL_MAX,
    }
