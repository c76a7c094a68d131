"""The SQL runner: a `.sql` file's statements with bound `$name` parameters.

DuckDB splits a file into statements and names each one's parameters itself
(`extract_statements`), so this module only reads files and binds values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

SQL_DIR = Path(__file__).parent


def _resolve(path: Path | str) -> Path:
    """Relative paths are relative to the warehouse/ folder."""
    path = Path(path)
    return path if path.is_absolute() else SQL_DIR / path


def _statements(con: duckdb.DuckDBPyConnection, path: Path) -> list[Any]:
    return list(con.extract_statements(path.read_text(encoding="utf-8")))


def _bind(statement: Any, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only the parameters a statement names: DuckDB refuses unused ones."""
    names = set(statement.named_parameters)
    params = params or {}
    missing = names - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not supplied: {sorted(missing)}")
    return {name: params[name] for name in names}


def run_sql_file(
    con: duckdb.DuckDBPyConnection, path: Path | str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run every statement of a .sql file with bound `$name` parameters.

    Returns the connection after the last statement, so a file that ends in a query
    can be fetched: `run_sql_file(con, p, {...}).fetchall()` (or use `fetch_frame`).
    """
    result = con
    for statement in _statements(con, _resolve(path)):
        bound = _bind(statement, params)
        result = con.execute(statement, bound) if bound else con.execute(statement)
    return result


def fetch_frame(
    con: duckdb.DuckDBPyConnection, path: Path | str, params: Mapping[str, Any] | None = None
) -> pl.DataFrame:
    """Run a .sql file that ends in a query and return its rows as a polars frame."""
    *first, last = _statements(con, _resolve(path))
    for statement in first:
        con.execute(statement, _bind(statement, params))
    return con.sql(last.query, params=_bind(last, params) or None).pl()


@contextmanager
def registered(
    con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame]
) -> Iterator[None]:
    """Polars frames visible to SQL under their names for the duration of a block."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)
