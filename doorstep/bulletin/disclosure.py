"""Disclosure control for published cross-tabs finer than station × category.

A count of 1–4 in such a table could single out a person, so it is shown as ``*``
(primary suppression). When the row and column totals are published, a row or
column with exactly one ``*`` would give it away (total minus the others), so a
second cell is suppressed there too (secondary suppression), repeated until no
row or column has exactly one. Station totals and the headline figures are never
passed through here: they are published exactly, by the spec.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

SUPPRESSED = "*"
SMALL_MIN, SMALL_MAX = 1, 4  # 0 is not a person; 5 or more cannot single one out


def _keys(dim: str | Sequence[str]) -> list[str]:
    return [dim] if isinstance(dim, str) else list(dim)


def _cost(cell: dict[str, object], count_col: str) -> tuple[bool, float, str]:
    """Order in which cells are given up for secondary suppression.

    The smallest non-zero cell costs the least information; a zero only when no
    other cell is left (a published 0 is still part of the total). Ties go to the
    first cell in key order so the result is deterministic.
    """
    value = _number(cell[count_col])
    return (value == 0, value, repr(sorted((k, str(v)) for k, v in cell.items())))


def _number(value: object) -> float:
    return 0.0 if value is None else float(value)  # type: ignore[arg-type]


def _show(value: object) -> str | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else str(number)


def _secondary(
    cells: list[dict[str, object]], count_col: str, dims: list[str], suppressed: list[bool]
) -> bool:
    """Suppress one more cell in each line (row or column) with exactly one suppressed cell."""
    changed = False
    lines: dict[tuple[object, ...], list[int]] = {}
    for i, cell in enumerate(cells):
        lines.setdefault(tuple(cell[d] for d in dims), []).append(i)
    for members in lines.values():
        if sum(suppressed[i] for i in members) != 1:
            continue
        open_cells = [i for i in members if not suppressed[i]]
        if not open_cells:
            continue
        suppressed[min(open_cells, key=lambda i: _cost(cells[i], count_col))] = True
        changed = True
    return changed


def suppress(
    table: pl.DataFrame,
    count_col: str,
    row_dim: str | Sequence[str],
    col_dim: str | Sequence[str],
) -> pl.DataFrame:
    """Return ``table`` (long form: one row per cell) with small counts shown as ``*``.

    ``count_col`` becomes a string column (the exact count, or ``*``) and a boolean
    ``suppressed`` column is added. ``row_dim`` and ``col_dim`` name the columns (one
    or several) whose values make a table row and a table column; the published
    totals are taken to be the row and column sums.
    """
    rows, cols = _keys(row_dim), _keys(col_dim)
    cells = table.to_dicts()
    suppressed = [
        cell[count_col] is not None and SMALL_MIN <= _number(cell[count_col]) <= SMALL_MAX
        for cell in cells
    ]
    if any(suppressed):
        while _secondary(cells, count_col, rows, suppressed) | _secondary(
            cells, count_col, cols, suppressed
        ):
            pass
    shown = [
        SUPPRESSED if hidden else _show(cell[count_col])
        for cell, hidden in zip(cells, suppressed, strict=True)
    ]
    return table.with_columns(
        pl.Series(count_col, shown, dtype=pl.String),
        pl.Series("suppressed", suppressed, dtype=pl.Boolean),
    )
