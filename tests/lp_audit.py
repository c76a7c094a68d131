"""An attacker's audit, written apart from doorstep.bulletin.disclosure: the tests
state what is published as linear facts over unknown counts and ask HiGHS (through
highspy, not scipy) how far each hidden count can move."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

import highspy

Terms = Mapping[Hashable, float]


def ranges(
    unknowns: Sequence[Hashable],
    equal: Sequence[tuple[Terms, float]],
    targets: Mapping[Hashable, Terms],
    at_most: Sequence[tuple[Terms, float]] = (),
    at_least: Sequence[tuple[Terms, float]] = (),
) -> dict[Hashable, tuple[float, float]]:
    """Smallest and largest value of each target given the facts, every unknown ≥ 0."""
    out: dict[Hashable, tuple[float, float]] = {}
    for name, target in targets.items():
        bounds = []
        for sense in ("min", "max"):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            x = {u: h.addVariable(lb=0) for u in unknowns}

            def expr(terms: Terms, x: dict = x) -> object:
                return sum((coef * x[u] for u, coef in terms.items()), 0 * x[unknowns[0]])

            for terms, value in equal:
                h.addConstr(expr(terms) == value)
            for terms, value in at_most:
                h.addConstr(expr(terms) <= value)
            for terms, value in at_least:
                h.addConstr(expr(terms) >= value)
            if sense == "min":
                h.minimize(expr(target))
            else:
                h.maximize(expr(target))
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                bounds.append(math.inf)
                continue
            assert status == highspy.HighsModelStatus.kOptimal, (name, sense, status)
            bounds.append(h.getObjectiveValue())
        out[name] = (bounds[0], bounds[1])
    return out


def width(bounds: tuple[float, float]) -> float:
    """Integer values a count can take, less one (the LP bounds rounded inwards)."""
    lo, hi = bounds
    return math.floor(hi + 1e-7) - math.ceil(lo - 1e-7)


def table_ranges(
    grid: Mapping[tuple[Hashable, Hashable], float], hidden: set[tuple[Hashable, Hashable]]
) -> dict[Hashable, tuple[float, float]]:
    """Ranges of the hidden cells of a two-way table whose shown cells and whose row,
    column and grand totals are published."""
    cells = list(grid)
    equal: list[tuple[Terms, float]] = [({c: 1.0}, grid[c]) for c in cells if c not in hidden]
    for axis in (0, 1):
        for line in {c[axis] for c in cells}:
            members = [c for c in cells if c[axis] == line]
            equal.append(({c: 1.0 for c in members}, sum(grid[c] for c in members)))
    equal.append(({c: 1.0 for c in cells}, sum(grid.values())))
    return ranges(cells, equal, {c: {c: 1.0} for c in hidden})
