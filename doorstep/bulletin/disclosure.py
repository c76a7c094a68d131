"""Disclosure control: small counts suppressed, and a linear-programming audit that
proves nothing published together gives them away (figures.md, "what sound means").

A published number is a linear fact about *base counts* — the finest counts the
bureau holds, never published themselves (persons by station × category × gender,
hardship hires by company). A shown cell says "these base counts sum to v"; a total
says the same of more of them; a figure such as F03 may only bound a sum. Someone
who reads every number of an issue knows all of these facts at once, so a
suppressed cell is protected only if the facts leave it room: the smallest and the
largest value it can take (two linear programmes, solved with HiGHS through highspy)
must be at least ``MIN_RANGE`` apart.

The counts are integers but the audit solves the linear relaxation, as statistical
offices do (τ-ARGUS, sdcTable): the integer range can only be narrower by rounding
the two bounds inwards, which we do before comparing, so a range of 3 means at least
four integer values remain possible.

``protect`` starts from the primary cells (counts 1–4) and adds secondary
suppressions, cheapest first, until the audit passes. A cell the facts alone
pin down (the gender split of a category of two persons whose F02 is published) cannot
be protected by suppression; it is hidden and kept no narrower than those facts make
it, and reported as ``pinned``.

The audit's cost stays near linear in the cells (hundreds of stations): one HiGHS model
per audit, re-solved from its last basis for each bound; a hidden cell that met its
need is never audited again (hiding more only widens ranges); and every solution is a
table the facts allow, so the values it gives the other hidden cells show many of them
``MIN_RANGE`` wide without a programme of their own. Only cells narrower than that are
bounded exactly — which is all the greedy rule asks, so it hides exactly what a full
audit after every step would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np
import polars as pl
from scipy.sparse import csr_array

SUPPRESSED = "*"
SMALL_MIN, SMALL_MAX = 1, 4  # 0 is not a person; 5 or more cannot single one out
MIN_RANGE = 3  # figures.md: a suppressed cell's feasible range must be at least 3 wide
_EPS = 1e-7
INF = highspy.kHighsInf
_OPTIONS: dict[str, Any] = {
    "output_flag": False,
    # Every solve after the first starts from the previous optimal basis, which a new
    # objective or a freed row leaves primal feasible: primal simplex goes on from it
    # (dual simplex, HiGHS's default, would start over). Presolve would discard it.
    "presolve": "off",
    "simplex_strategy": 4,  # primal
}

Key = Any  # any hashable: a base count's or a cell's name


class DisclosureError(RuntimeError):
    """The published facts contradict each other, so no audit can be trusted."""


@dataclass(frozen=True)
class Fact:
    """A published number as a fact about base counts: sum(coef × base) <sense> value."""

    terms: Mapping[Key, float]
    sense: Literal["=", "<=", ">="]
    value: float
    source: str = ""  # what publishes it, for error messages


@dataclass(frozen=True)
class Cell:
    """A cell of a published table: the sum of some base counts, shown or suppressed."""

    key: Key
    terms: Mapping[Key, float]
    value: float


@dataclass
class Problem:
    """Every cell an issue might publish and every fact it certainly publishes."""

    cells: list[Cell]
    facts: list[Fact] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_key = {c.key: c for c in self.cells}
        if len(self._by_key) != len(self.cells):
            raise ValueError("two cells share a key")

    def cell(self, key: Key) -> Cell:
        return self._by_key[key]

    def base(self) -> list[Key]:
        seen: dict[Key, None] = {}
        for terms in [c.terms for c in self.cells] + [f.terms for f in self.facts]:
            for k in terms:
                seen.setdefault(k, None)
        return list(seen)


@dataclass(frozen=True)
class Protection:
    hidden: frozenset[Key]  # primary and secondary
    primary: frozenset[Key]
    # Every hidden cell: (min, max) the audit found — exact where narrower than the
    # minimum; elsewhere values the cell can take, at least the minimum apart.
    ranges: dict[Key, tuple[float, float]]
    # Hidden, with a range under the minimum that the facts alone already impose (e.g.
    # a category of two persons, its F02 published): no suppression can do better.
    pinned: frozenset[Key]
    complete: bool = True  # False: protect() gave up at its max_hidden_nonzero

    def width(self, key: Key) -> float:
        return _width(self.ranges[key])


def is_small(value: float | None) -> bool:
    return value is not None and SMALL_MIN <= value <= SMALL_MAX


def _width(bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    # Integer counts: the bounds round inwards (LP relaxation, see the module docstring).
    return math.floor(hi + _EPS) - math.ceil(lo - _EPS) if math.isfinite(hi) else math.inf


class _Audit:
    """One HiGHS model of a problem: a row per fact, and a row per cell binding it to
    its value while the cell is shown (hiding a cell frees its row).

    The model is built once and solved many times, changing only the objective (which
    cell to bound) or a cell's row: primal simplex restarts from the last optimal basis,
    which stays feasible when the objective changes or a row is freed, so a bound costs
    a few pivots instead of a solve from scratch.
    """

    def __init__(self, problem: Problem, hidden: Iterable[Key]) -> None:
        self.problem = problem
        self.index = {k: i for i, k in enumerate(problem.base())}
        hidden = set(hidden)
        lower: list[float] = []
        upper: list[float] = []
        rows: list[Mapping[Key, float]] = []
        for fact in problem.facts:
            rows.append(fact.terms)
            lower.append(fact.value if fact.sense in ("=", ">=") else -INF)
            upper.append(fact.value if fact.sense in ("=", "<=") else INF)
        self.row: dict[Key, int] = {}
        for cell in problem.cells:
            self.row[cell.key] = len(rows)
            rows.append(cell.terms)
            lower.append(cell.value)  # every cell shown at first (the true table)
            upper.append(cell.value)
        starts: list[int] = [0]
        columns: list[int] = []
        coefs: list[float] = []
        for terms in rows:
            columns.extend(self.index[k] for k in terms)
            coefs.extend(terms.values())
            starts.append(len(columns))
        # highspy's bare solver: highspy.Highs adds Python callbacks to every run and
        # prints a banner on stdout.
        self.highs = highspy._Highs()  # type: ignore[attr-defined]
        for option, value in _OPTIONS.items():
            self.highs.setOptionValue(option, value)
        n = len(self.index)
        self.highs.addVars(n, np.zeros(n), np.full(n, INF))
        if rows:
            self.highs.addRows(
                len(rows),
                np.array(lower),
                np.array(upper),
                len(columns),
                np.array(starts[:-1], dtype=np.int32),
                np.array(columns, dtype=np.int32),
                np.array(coefs, dtype=np.float64),
            )
        self._costed = np.zeros(0, dtype=np.int32)
        # Every optimum is a table the published facts allow: the values it gives each
        # cell are values that cell can take. ``seen`` keeps, per cell, the smallest and
        # largest so far, so one solve can show many cells at least min_range wide. Only
        # solved tables count, the first being the true one if the facts allow it (the
        # model solved once with every cell shown, which also gives the first basis).
        # Tables found with a cell hidden only for a trial (``bounds_if_hidden``) are
        # not kept: the facts then allow more.
        self._cells = csr_array(
            (
                [coef for c in problem.cells for coef in c.terms.values()],
                (
                    [i for i, c in enumerate(problem.cells) for _ in c.terms],
                    [self.index[k] for c in problem.cells for k in c.terms],
                ),
            ),
            shape=(len(problem.cells), n),
        )
        self._seen_lo = np.full(len(problem.cells), math.inf)
        self._seen_hi = np.full(len(problem.cells), -math.inf)
        self._trial = False
        self.highs.run()
        if self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            self._keep_table()
        for key in hidden:
            self.hide(key)

    def hide(self, key: Key) -> None:
        self.highs.changeRowBounds(self.row[key], -INF, INF)

    def show(self, key: Key) -> None:
        value = self.problem.cell(key).value
        self.highs.changeRowBounds(self.row[key], value, value)

    def _optimum(self, terms: Mapping[Key, float], sign: float) -> float:
        highs = self.highs
        if len(self._costed):
            highs.changeColsCost(len(self._costed), self._costed, np.zeros(len(self._costed)))
        self._costed = np.array([self.index[k] for k in terms], dtype=np.int32)
        costs = np.array([sign * coef for coef in terms.values()], dtype=float)
        highs.changeColsCost(len(self._costed), self._costed, costs)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            # Undecided from the basis it started from: once more from scratch.
            highs.clearSolver()
            highs.run()
            status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:  # nothing published caps it
            return -sign * math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise DisclosureError(
                "the published figures contradict each other (no table fits all of: "
                + "; ".join(sorted({f.source for f in self.problem.facts if f.source}))
                + f"): {highs.modelStatusToString(status)}"
            )
        if not self._trial:
            self._keep_table()
        return float(sign * highs.getInfo().objective_function_value)

    def _keep_table(self) -> None:
        table = self._cells @ np.asarray(self.highs.getSolution().col_value)
        np.minimum(self._seen_lo, table, out=self._seen_lo)
        np.maximum(self._seen_hi, table, out=self._seen_hi)

    def bounds(self, key: Key) -> tuple[float, float]:
        terms = self.problem.cell(key).terms
        return self._optimum(terms, 1.0), self._optimum(terms, -1.0)

    def range_at_least(self, key: Key, width: float) -> tuple[float, float]:
        """``key``'s range if narrower than ``width``; else values it can take that are
        at least that far apart (the values seen, which the maximum often widens enough
        that the minimum need not be solved)."""
        seen = self.seen(key)
        if seen is not None and _width(seen) >= width:
            return seen
        terms = self.problem.cell(key).terms
        high = self._optimum(terms, -1.0)
        seen = self.seen(key)
        if seen is not None and _width(seen) >= width:
            return seen
        return self._optimum(terms, 1.0), high

    def seen(self, key: Key) -> tuple[float, float] | None:
        """Values ``key`` took in the tables solved so far (inside its range), if any."""
        row = self.row[key] - len(self.problem.facts)
        lo, hi = float(self._seen_lo[row]), float(self._seen_hi[row])
        return (lo, hi) if lo <= hi else None

    def bounds_if_hidden(self, key: Key, also: Key) -> tuple[float, float]:
        """``key``'s bounds were ``also`` (a shown cell) hidden too; the model is left
        as it was."""
        self.hide(also)
        self._trial = True
        try:
            return self.bounds(key)
        finally:
            self._trial = False
            self.show(also)


def audit(problem: Problem, hidden: Iterable[Key]) -> dict[Key, tuple[float, float]]:
    """(min, max) of every hidden cell given everything else of ``problem`` published."""
    hidden = list(hidden)
    lp = _Audit(problem, hidden)
    return {key: lp.bounds(key) for key in hidden}


def _cost(cell: Cell) -> tuple[bool, float]:
    """Order in which cells are given up for secondary suppression: the smallest
    non-zero count costs the least information; a zero (a published fact in its own
    right that a reader can use) only after every non-zero cell."""
    return (cell.value == 0, cell.value)


def _neighbours(problem: Problem, key: Key) -> set[Key]:
    """Base counts two steps from a cell: through any fact or cell that shares one."""
    near = set(problem.cell(key).terms)
    reach = set(near)
    for terms in [c.terms for c in problem.cells] + [f.terms for f in problem.facts]:
        if near.intersection(terms):
            reach.update(terms)
    return reach


def protect(
    problem: Problem,
    primary: Iterable[Key] | None = None,
    *,
    min_range: float = MIN_RANGE,
    order: Callable[[Key], Any] | None = None,
    max_hidden_nonzero: int | None = None,
) -> Protection:
    """Hide the primary cells (by default every count of 1–4) and as few others as the
    greedy rule finds, so that each hidden cell's audited range is ≥ ``min_range`` —
    or, for a cell the facts alone already pin down more tightly (hiding every cell
    would not free it), as wide as hiding every cell would make it: the table then
    tells nothing about it that the facts do not.

    Deterministic: weak cells are repaired in ``order`` (default: the cells' order in
    ``problem``), and for each the cheapest shown cell near it that widens its range is
    hidden; if no single cell widens it, the cheapest near it is hidden anyway (some
    cells need two more stars before either helps).

    With ``max_hidden_nonzero``, gives up (``complete`` false) as soon as more non-zero
    cells than that are hidden: the caller will not publish such a table anyway.
    """
    position = {c.key: i for i, c in enumerate(problem.cells)}
    rank = order or position.__getitem__
    if primary is None:
        primary = [c.key for c in problem.cells if is_small(c.value)]
    first = frozenset(primary)
    hidden = set(first)
    if not hidden:
        return Protection(frozenset(), first, {}, frozenset())
    model: _Audit | None = None  # built once the loop has not given up at once
    everything_hidden: _Audit | None = None  # built for the first cell narrower than min_range
    needed: dict[Key, float] = {}

    def need(key: Key) -> float:
        nonlocal everything_hidden
        if key not in needed:
            if everything_hidden is None:
                everything_hidden = _Audit(problem, position)
            needed[key] = min(min_range, _width(everything_hidden.range_at_least(key, min_range)))
        return needed[key]

    def meets_need(bounds: tuple[float, float], key: Key) -> bool:
        # A cell min_range wide meets any need: no second audit with everything hidden.
        return _width(bounds) >= min_range or _width(bounds) >= need(key)

    ranges: dict[Key, tuple[float, float]] = {}
    # Hiding a cell only drops an equation, so no hidden cell's range ever narrows: a
    # cell that once met its need always will, and is not audited again.
    settled: set[Key] = set()
    complete = True
    while True:
        if max_hidden_nonzero is not None and (
            sum(problem.cell(k).value != 0 for k in hidden) > max_hidden_nonzero
        ):
            complete = False
            break
        model = model or _Audit(problem, hidden)
        for key in sorted(hidden - settled, key=rank):
            ranges[key] = model.range_at_least(key, min_range)
            if meets_need(ranges[key], key):
                settled.add(key)
        weak = sorted(hidden - settled, key=rank)
        if not weak:
            break
        target = weak[0]
        near = _neighbours(problem, target)
        shown = [c for c in problem.cells if c.key not in hidden]
        candidates = [c for c in shown if near.intersection(c.terms)] or shown
        if not candidates:  # cannot happen: with every cell hidden each meets its need
            break
        candidates.sort(key=lambda c: (_cost(c), position[c.key]))
        now = _width(ranges[target])
        pick = next(
            (c for c in candidates if _width(model.bounds_if_hidden(target, c.key)) > now),
            candidates[0],
        )
        hidden.add(pick.key)
        model.hide(pick.key)
    return Protection(
        hidden=frozenset(hidden),
        primary=first,
        ranges=ranges,
        pinned=frozenset(k for k in hidden if k in ranges and _width(ranges[k]) < min_range),
        complete=complete,
    )


# ------------------------------------------------------------------ a plain two-way table


def _keys(dim: str | Sequence[str]) -> list[str]:
    return [dim] if isinstance(dim, str) else list(dim)


def _show(value: object) -> str | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else str(number)


def table_problem(
    table: pl.DataFrame,
    count_col: str,
    row_dim: str | Sequence[str],
    col_dim: str | Sequence[str],
) -> Problem:
    """A long-form table (one row per cell) whose row, column and grand totals are
    published: each cell is its own base count, each total a fact."""
    rows, cols = _keys(row_dim), _keys(col_dim)
    cells: list[Cell] = []
    row_sums: dict[tuple[object, ...], dict[Key, float]] = {}
    col_sums: dict[tuple[object, ...], dict[Key, float]] = {}
    values: dict[Key, float] = {}
    for i, rec in enumerate(table.to_dicts()):
        value = 0.0 if rec[count_col] is None else float(rec[count_col])
        cells.append(Cell(i, {i: 1.0}, value))
        values[i] = value
        row_sums.setdefault(tuple(rec[d] for d in rows), {})[i] = 1.0
        col_sums.setdefault(tuple(rec[d] for d in cols), {})[i] = 1.0
    facts = [
        Fact(terms, "=", sum(values[k] for k in terms), f"total of {label}")
        for label, sums in (("row", row_sums), ("column", col_sums))
        for terms in sums.values()
    ]
    facts.append(Fact(dict.fromkeys(values, 1.0), "=", sum(values.values()), "grand total"))
    return Problem(cells, facts)


def suppress(
    table: pl.DataFrame,
    count_col: str,
    row_dim: str | Sequence[str],
    col_dim: str | Sequence[str],
) -> pl.DataFrame:
    """Return ``table`` (long form: one row per cell) with small counts shown as ``*``,
    protected against its published row, column and grand totals.

    ``count_col`` becomes a string column (the exact count, or ``*``) and a boolean
    ``suppressed`` column is added. ``row_dim`` and ``col_dim`` name the columns (one
    or several) whose values make a table row and a table column.
    """
    problem = table_problem(table, count_col, row_dim, col_dim)
    hidden = protect(problem).hidden
    flags = [i in hidden for i in range(table.height)]
    shown = [
        SUPPRESSED if hide else _show(value)
        for value, hide in zip(table[count_col].to_list(), flags, strict=True)
    ]
    return table.with_columns(
        pl.Series(count_col, shown, dtype=pl.String),
        pl.Series("suppressed", flags, dtype=pl.Boolean),
    )
