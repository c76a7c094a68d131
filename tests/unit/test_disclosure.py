"""Disclosure control on a two-way table with its totals published: no hidden cell can
be worked out, checked by an audit (tests/lp_audit.py) independent of the code's own."""

from __future__ import annotations

import math
import random

import polars as pl
import pytest

from doorstep.bulletin.disclosure import (
    MIN_RANGE,
    Cell,
    DisclosureError,
    Fact,
    Problem,
    audit,
    protect,
    suppress,
    table_problem,
)
from tests.lp_audit import table_ranges, width

Grid = dict[tuple[str, str], int]

# The issue's example: every line has two stars, yet B3 = (83−80) + (44−30) − (6+8) = 3.
ISSUE_EXAMPLE: dict[str, list[int]] = {
    "A": [1, 2, 40, 40],
    "B": [5, 6, 3, 30],
    "C": [40, 40, 7, 4],
    "D": [40, 40, 8, 9],
}
ISSUE_PUBLISHED_STARS = {
    ("A", "c1"),
    ("A", "c2"),
    ("B", "c1"),
    ("B", "c2"),
    ("B", "c3"),
    ("C", "c3"),
    ("C", "c4"),
    ("D", "c3"),
    ("D", "c4"),
}


def _grid(rows: dict[str, list[int]]) -> Grid:
    return {(r, f"c{j + 1}"): v for r, vals in rows.items() for j, v in enumerate(vals)}


def _frame(grid: Grid) -> pl.DataFrame:
    return pl.DataFrame([{"row": r, "col": c, "persons": v} for (r, c), v in grid.items()])


def _hidden(grid: Grid) -> set[tuple[str, str]]:
    out = suppress(_frame(grid), "persons", "row", "col")
    return {(r["row"], r["col"]) for r in out.filter(pl.col("suppressed")).to_dicts()}


def test_the_auditor_recovers_b3_from_the_stars_the_issue_shows() -> None:
    """Guards the test's own audit: on the unsound pattern it must find B3 exactly."""
    found = table_ranges(_grid(ISSUE_EXAMPLE), ISSUE_PUBLISHED_STARS)
    assert found[("B", "c3")] == pytest.approx((3, 3))


def test_issue_example_leaves_no_hidden_cell_recoverable() -> None:
    grid = _grid(ISSUE_EXAMPLE)
    hidden = _hidden(grid)
    assert {("A", "c1"), ("A", "c2"), ("B", "c3"), ("C", "c4")} <= hidden  # the 1–4 cells
    found = table_ranges(grid, hidden)
    assert width(found[("B", "c3")]) >= MIN_RANGE, found[("B", "c3")]
    narrow = {cell: r for cell, r in found.items() if width(r) < MIN_RANGE}
    assert not narrow, narrow


def test_counts_of_one_to_four_are_starred_zero_and_five_are_not() -> None:
    grid = {("XH", c): v for c, v in zip("abcdef", [0, 1, 2, 3, 4, 5], strict=True)}
    grid |= {("WH", c): 30 for c in "abcdef"}
    out = suppress(_frame(grid), "persons", "row", "col")
    shown = {(r["row"], r["col"]): r["persons"] for r in out.to_dicts()}
    assert [shown[("XH", c)] for c in "bcde"] == ["*"] * 4
    assert shown[("XH", "a")] in ("0", "*") and shown[("XH", "f")] in ("5", "*")
    assert out.filter(~pl.col("suppressed"))["persons"].is_in(["1", "2", "3", "4"]).sum() == 0


def test_nothing_small_means_nothing_suppressed() -> None:
    out = suppress(_frame({("XH", "男"): 5, ("XH", "女"): 12, ("JH", "男"): 0, ("JH", "女"): 9}),
                   "persons", "row", "col")  # fmt: skip
    assert out["persons"].to_list() == ["5", "12", "0", "9"]
    assert not out["suppressed"].any()


def _random_grid(rng: random.Random) -> Grid:
    rows, cols = rng.randint(2, 6), rng.randint(2, 6)
    grid = {}
    for r in range(rows):
        for c in range(cols):
            roll = rng.random()
            value = 0 if roll < 0.1 else rng.randint(1, 4) if roll < 0.45 else rng.randint(5, 60)
            grid[(f"r{r}", f"c{c}")] = value
    return grid


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_hide_every_small_count_and_none_can_be_worked_out(seed: int) -> None:
    grid = _random_grid(random.Random(seed))
    hidden = _hidden(grid)
    small = {cell for cell, v in grid.items() if 1 <= v <= 4}
    assert small <= hidden
    found = table_ranges(grid, hidden)
    narrow = {cell for cell, bounds in found.items() if width(bounds) < MIN_RANGE}
    if narrow:
        # Allowed only where the published totals alone pin a cell down (a row total
        # of 2): then no narrower than hiding the whole table would leave it.
        everything = table_ranges(grid, set(grid))
        for cell in narrow:
            assert width(found[cell]) >= width(everything[cell]), (seed, cell, found[cell])


def test_own_audit_agrees_with_the_independent_one() -> None:
    for seed in range(5):
        rng = random.Random(100 + seed)
        grid = _random_grid(rng)
        keys = list(grid)
        hidden_idx = set(rng.sample(range(len(keys)), k=max(1, len(keys) // 3)))
        problem = table_problem(_frame(grid), "persons", "row", "col")
        own = audit(problem, hidden_idx)
        theirs = table_ranges(grid, {keys[i] for i in hidden_idx})
        for i in hidden_idx:
            assert own[i] == pytest.approx(theirs[keys[i]], abs=1e-6)


def test_cheapest_cell_goes_first() -> None:
    # One row, its total published: the 2 needs a partner, and the 6 costs less than the 50.
    problem = Problem(
        [Cell("a", {"a": 1}, 2), Cell("b", {"b": 1}, 50), Cell("c", {"c": 1}, 6)],
        [Fact({"a": 1, "b": 1, "c": 1}, "=", 58)],
    )
    assert protect(problem).hidden == {"a", "c"}


def test_facts_bound_what_suppression_can_hide() -> None:
    # A company of 5 jobs with 2 hardship hires, the other with 7 of 12, total 9 published:
    # hiding both leaves the first anywhere in 0..5 (its jobs cap it).
    problem = Problem(
        [Cell("x", {"x": 1}, 2), Cell("y", {"y": 1}, 7)],
        [Fact({"x": 1, "y": 1}, "=", 9), Fact({"x": 1}, "<=", 5), Fact({"y": 1}, "<=", 12)],
    )
    result = protect(problem)
    assert result.hidden == {"x", "y"}
    # protect() reports values x can take at least MIN_RANGE apart; the exact audit:
    assert audit(problem, result.hidden)["x"] == pytest.approx((0, 5))
    lo, hi = result.ranges["x"]
    assert lo >= -1e-9 and hi <= 5 + 1e-9 and hi - lo >= MIN_RANGE
    assert not result.pinned


def test_a_cell_the_facts_pin_down_is_reported_not_chased() -> None:
    # A category of two persons (its total published): the gender split can be 0..2 at best.
    problem = Problem(
        [Cell("m", {"m": 1}, 1), Cell("f", {"f": 1}, 1)], [Fact({"m": 1, "f": 1}, "=", 2)]
    )
    result = protect(problem)
    assert result.hidden == {"m", "f"}
    assert result.pinned == {"m", "f"}
    assert result.ranges["m"] == pytest.approx((0, 2))


def test_reported_ranges_lie_inside_the_true_ones_and_are_exact_where_narrow() -> None:
    # protect() bounds exactly only the cells it must; elsewhere it reports values a cell
    # was seen to take. Either way the independent audit's range contains what it says.
    for seed in range(12):
        grid = _random_grid(random.Random(200 + seed))
        keys = list(grid)
        problem = table_problem(_frame(grid), "persons", "row", "col")
        result = protect(problem)
        theirs = table_ranges(grid, {keys[i] for i in result.hidden})
        for i in result.hidden:
            (lo, hi), (true_lo, true_hi) = result.ranges[i], theirs[keys[i]]
            assert true_lo - 1e-6 <= lo <= hi <= true_hi + 1e-6, (seed, keys[i])
            if width(theirs[keys[i]]) < MIN_RANGE:
                assert (lo, hi) == pytest.approx((true_lo, true_hi), abs=1e-6)
            else:
                assert width((lo, hi)) >= MIN_RANGE, (seed, keys[i], lo, hi)


def test_a_cell_nothing_caps_has_no_upper_bound() -> None:
    # Only a lower bound on the sum is published: hiding the 2 leaves it unbounded above.
    problem = Problem(
        [Cell("a", {"a": 1}, 2), Cell("b", {"b": 1}, 50)], [Fact({"a": 1, "b": 1}, ">=", 10)]
    )
    result = protect(problem)
    assert result.hidden == {"a"}
    assert result.ranges["a"][0] == pytest.approx(0) and result.ranges["a"][1] == math.inf
    assert not result.pinned


def test_figures_that_contradict_the_table_stop_the_audit() -> None:
    # b = 50 is shown, yet a published total says a + b is at most 40.
    problem = Problem(
        [Cell("a", {"a": 1}, 2), Cell("b", {"b": 1}, 50)],
        [Fact({"a": 1, "b": 1}, "<=", 40, "total")],
    )
    with pytest.raises(DisclosureError, match="total"):
        protect(problem)
