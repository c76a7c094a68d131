"""What the bulletin publishes about people (doorstep.bulletin.tables): the breakdown
the rule chooses, F06's hardship hires per company and F11's small averages — each
checked by an attacker's audit over everything the issue publishes (tests/lp_audit.py)."""

from __future__ import annotations

import random
from collections.abc import Hashable
from typing import Any

import pytest

from doorstep.bulletin.disclosure import MIN_RANGE
from doorstep.bulletin.tables import (
    DISABLED,
    MIN_PERSONS_FOR_AVERAGE,
    average_hidden,
    disclose,
    hardship_hidden,
)
from tests.factories import crosstab_rows, figure_row
from tests.lp_audit import ranges, width

Base = dict[tuple[str, str, str], int]


def _figures(base: Base, attributed: dict[str, int], disabled: dict[str, int]) -> list[dict]:
    """F02, F03 and F04 as the issue would publish them beside the cross-tab."""
    rows = [
        figure_row("F02", "ytd", "persons", sum(n for k, n in base.items() if k[1] == c), None, c)
        for c in sorted({k[1] for k in base})
    ]
    rows += [figure_row("F03", "ytd", "persons_attributed", n, s) for s, n in attributed.items()]
    rows += [
        figure_row("F04", "since_opening", "disabled_persons", n, s) for s, n in disabled.items()
    ]
    return rows


def _consistent_figures(base: Base, rng: random.Random | None = None) -> list[dict]:
    """F03 and F04 values a real issue could have with this cross-tab: a station's
    persons at least its largest category and at most the sum of its categories."""
    rng = rng or random.Random(0)
    attributed, disabled = {}, {}
    for s in sorted({k[0] for k in base}):
        pairs = {}
        for (st, c, _), n in base.items():
            if st == s:
                pairs[c] = pairs.get(c, 0) + n
        attributed[s] = rng.randint(max(pairs.values()), sum(pairs.values()))
        disabled[s] = pairs.get(DISABLED, 0) + rng.randint(0, 3)
    return _figures(base, attributed, disabled)


def _published_cells(out: dict[str, Any]) -> dict[tuple[str, ...], tuple[str, ...] | None]:
    """Every published people cell: key → its text; and the base cells each one sums."""
    cells = {}
    for row in out["station_category_gender"]:
        cells[("scg", row["station_code"], row["category"], row["gender"])] = row["persons"]
    for row in out["station_category"]:
        cells[("sc", row["station_code"], row["category"])] = row["persons"]
    for row in out["category_gender"]:
        cells[("cg", row["category"], row["gender"])] = row["persons"]
    return cells


def _members(cell: tuple[str, ...], base: Base) -> dict[Hashable, float]:
    kind = cell[0]
    if kind == "scg":
        return {cell[1:]: 1.0}
    if kind == "sc":
        return {k: 1.0 for k in base if k[:2] == cell[1:]}
    return {k: 1.0 for k in base if (k[1], k[2]) == cell[1:]}


def _attack(base: Base, figures: list[dict], out: dict[str, Any], hide_all: bool = False):
    """Ranges of the hidden published cells given every published number of the issue."""
    cells = _published_cells(out)
    unknowns = list(base)
    equal, at_most, at_least = [], [], []
    for cell, text in cells.items():
        if text != "*" and not hide_all:
            equal.append((_members(cell, base), float(text)))
    for f in figures:
        if f["figure"] == "F02":
            equal.append(({k: 1.0 for k in base if k[1] == f["category"]}, f["value"]))
        elif f["figure"] == "F03":
            station = {k: 1.0 for k in base if k[0] == f["station"]}
            at_least.append((station, f["value"]))
            for c in {k[1] for k in station}:
                at_most.append(({k: 1.0 for k in station if k[1] == c}, f["value"]))
        elif f["figure"] == "F04":
            at_most.append(
                ({k: 1.0 for k in base if k[0] == f["station"] and k[1] == DISABLED}, f["value"])
            )
    hidden = {c: _members(c, base) for c, text in cells.items() if text == "*" or hide_all}
    return ranges(unknowns, equal, hidden, at_most, at_least)


def _assert_sound(base: Base, figures: list[dict], out: dict[str, Any]) -> None:
    cells = _published_cells(out)
    true = {c: sum(base[k] for k in _members(c, base)) for c in cells}
    for cell, text in cells.items():
        if text != "*":
            assert int(text) == true[cell]
            assert not 1 <= true[cell] <= 4, f"small count {cell} = {text} published"
    found = _attack(base, figures, out)
    hidden = [c for c, t in cells.items() if t == "*"]
    if not hidden:
        return
    best = _attack(base, figures, out, hide_all=True)
    for cell in hidden:
        needed = min(MIN_RANGE, width(best[cell]))
        assert width(found[cell]) >= needed, (cell, true[cell], found[cell])


def _base(values: dict[tuple[str, str], tuple[int, int]]) -> Base:
    out: Base = {}
    for (s, c), (men, women) in values.items():
        out[(s, c, "男")] = men
        out[(s, c, "女")] = women
    return out


def test_few_small_counts_publish_the_fine_table_with_them_hidden() -> None:
    base = _base(
        {
            ("XH", "01"): (20, 18),
            ("XH", "03"): (2, 16),
            ("WH", "01"): (15, 14),
            ("WH", "03"): (12, 11),
            ("XF", "01"): (13, 12),
            ("XF", "03"): (10, 9),
            ("JH", "01"): (20, 21),
            ("JH", "03"): (11, 10),
        }
    )
    figures = _consistent_figures(base)
    out = disclose(crosstab_rows(base), figures)
    assert out["level"] == "station_category_gender"
    shown = {
        (r["station_code"], r["category"], r["gender"]): r["persons"] for r in out[out["level"]]
    }
    assert shown[("XH", "03", "男")] == "*"
    _assert_sound(base, figures, out)


def test_a_table_mostly_of_stars_gives_way_to_the_coarser_tables() -> None:
    # Six stations, five categories, mostly 0–4 per gender: the demo's shape.
    rng = random.Random(5)
    stations, categories = ["XH", "WH", "XF", "JH", "XN", "NF"], ["01", "02", "03", "04", "05"]
    values = {}
    for s in stations:
        for c in categories:
            if c == "01":
                values[(s, c)] = (rng.randint(5, 19), rng.randint(5, 19))
            elif rng.random() < 0.8:
                values[(s, c)] = (rng.randint(0, 4), rng.randint(1, 5))
    base = _base(values)
    figures = _consistent_figures(base, rng)
    out = disclose(crosstab_rows(base), figures)
    fine = out["levels_tried"]["station_category_gender"]
    assert 3 * fine["starred_nonzero_cells"] > fine["nonzero_cells"]  # over one in three
    assert out["level"] != "station_category_gender"
    assert out["station_category_gender"] == []
    assert out["category_gender"], "the district category × gender table is published"
    _assert_sound(base, figures, out)


def test_lone_station_in_a_small_category_leaks_nothing() -> None:
    # Only NF has category 05, two persons: F02 says 2, so no gender split may show.
    base = _base(
        {
            ("XH", "01"): (30, 28),
            ("WH", "01"): (25, 27),
            ("NF", "01"): (12, 14),
            ("NF", "05"): (1, 1),
        }
    )
    figures = _consistent_figures(base)
    out = disclose(crosstab_rows(base), figures)
    assert out["level"] != "none"
    cells = _published_cells(out)
    assert all(t == "*" for c, t in cells.items() if "05" in c)
    _assert_sound(base, figures, out)


@pytest.mark.parametrize("seed", range(8))
def test_random_crosstabs_through_the_rule_and_an_independent_audit(seed: int) -> None:
    rng = random.Random(seed)
    stations = [f"S{i}" for i in range(rng.randint(2, 5))]
    categories = [f"0{i}" for i in range(1, rng.randint(3, 5))]
    values = {}
    for s in stations:
        for c in categories:
            if rng.random() < 0.85:
                big = rng.random() < 0.5
                values[(s, c)] = tuple(
                    rng.randint(5, 30) if big else rng.randint(0, 6) for _ in range(2)
                )
    if not values:
        values[(stations[0], categories[0])] = (9, 9)
    base = _base(values)  # type: ignore[arg-type]
    figures = _consistent_figures(base, rng)
    out = disclose(crosstab_rows(base), figures)
    _assert_sound(base, figures, out)


@pytest.mark.parametrize("seed", [42, 51])
def test_many_stations_with_secondary_stars_pass_the_independent_audit(seed: int) -> None:
    # Enough stations and small counts that the audit settles most hidden cells from
    # the tables its solves find, and (for these seeds) the rule needs secondary stars.
    rng = random.Random(seed)
    values = {}
    for s in (f"S{i:02d}" for i in range(16)):
        for c in ("01", "02", "03", "04", "05"):
            if rng.random() < 0.8:
                men = rng.choice([0, 1, 2, 5, 6, 8, 12, 20])
                values[(s, c)] = (men, rng.choice([3, 7, 9, 15, 25]))
    base = _base(values)
    figures = _consistent_figures(base, rng)
    out = disclose(crosstab_rows(base), figures)
    assert out["level"] != "none"
    cells = _published_cells(out)
    small = sum(1 <= sum(base[k] for k in _members(c, base)) <= 4 for c in cells)
    assert sum(t == "*" for t in cells.values()) > small  # secondary stars were needed
    _assert_sound(base, figures, out)


def _f06(companies: list[tuple[str, str, int, int]], total: int) -> list[dict]:
    rows = []
    for station, company, jobs, hardship in companies:
        rows.append(figure_row("F06", "period_end", "jobs", jobs, station, company))
        rows.append(figure_row("F06", "period_end", "hardship_jobs", hardship, station, company))
    rows.append(figure_row("F06", "period_end", "hardship_jobs", total))
    rows.append(figure_row("F06", "period_end", "jobs", sum(c[2] for c in companies)))
    return rows


def test_hardship_hires_of_one_to_four_per_company_are_hidden_soundly() -> None:
    companies = [("WH", "财八斗", 12, 7), ("WH", "智翼", 5, 2), ("XH", "星化", 6, 4)]
    hidden = {h["category"] for h in hardship_hidden(_f06(companies, 13))}
    assert {"智翼", "星化"} <= hidden
    shown = {c[1]: c[3] for c in companies if c[1] not in hidden}
    names = [c[1] for c in companies if c[1] in hidden]
    found = ranges(
        names,
        [({n: 1.0 for n in names}, 13 - sum(shown.values()))],
        {n: {n: 1.0} for n in names},
        at_most=[({c[1]: 1.0}, c[2]) for c in companies if c[1] in hidden],
    )
    for name, bounds in found.items():
        assert width(bounds) >= MIN_RANGE, (name, bounds)


def test_one_small_company_beside_the_total_takes_another_with_it() -> None:
    # 3 of 6 beside 11 of 14 with the total 14 published: 3 = 14 − 11, so 11 goes too.
    companies = [("WH", "甲", 14, 11), ("WH", "乙", 6, 3)]
    hidden = {h["category"] for h in hardship_hidden(_f06(companies, 14))}
    assert hidden == {"甲", "乙"}


def test_medians_and_means_over_fewer_than_five_are_not_published() -> None:
    rows = [
        figure_row("F11", "ytd", "persons", 120),
        figure_row("F11", "ytd", "median_income", 1545),
        figure_row("F11", "ytd", "mean_income", 1552),
        figure_row("F11", "ytd", "persons", MIN_PERSONS_FOR_AVERAGE, None, "10"),
        figure_row("F11", "ytd", "median_income", 1670, None, "10"),
        figure_row("F11", "ytd", "persons", MIN_PERSONS_FOR_AVERAGE - 1, None, "99"),
        figure_row("F11", "ytd", "median_income", 1360, None, "99"),
        figure_row("F11", "ytd", "mean_income", 1360, None, "99"),
        figure_row("F11", "ytd", "median_income", 2000, None, "21"),  # count unknown
    ]
    hidden = {(h["category"], h["measure"]) for h in average_hidden(rows)}
    assert ("99", "median_income") in hidden and ("99", "mean_income") in hidden
    assert ("21", "median_income") in hidden
    assert (None, "median_income") not in hidden and ("10", "median_income") not in hidden
    # the counts themselves never go out
    assert {(None, "persons"), ("10", "persons"), ("99", "persons")} <= hidden
