"""`doorstep sql`: the analyst database, opened read-only, as a table printer or a small REPL."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

_console = Console()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    # Read-only: an analyst's session must never block or alter the nightly publish.
    return duckdb.connect(str(path), read_only=True)


def _print(con: duckdb.DuckDBPyConnection, query: str, limit: int = 200) -> None:
    cursor = con.execute(query)
    if cursor.description is None:  # a statement without a result
        return
    table = Table(show_lines=False)
    for column in cursor.description:
        table.add_column(escape(str(column[0])))
    rows = cursor.fetchmany(limit + 1)
    for row in rows[:limit]:
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    _console.print(table)
    if len(rows) > limit:
        _console.print(f"(first {limit} rows shown)")


def run_query(path: Path, query: str) -> bool:
    with _connect(path) as con:
        try:
            _print(con, query)
        except duckdb.Error as exc:
            _console.print(f"[red]{escape(str(exc))}[/red]")
            return False
    return True


def interactive(path: Path) -> None:
    _console.print(
        f"doorstep analyst database {path} (read-only). End statements with ';'. Ctrl-D quits."
    )
    _console.print("Try: select * from marts.figures limit 20;")
    buffer: list[str] = []
    with _connect(path) as con:
        while True:
            try:
                line = input("doorstep> " if not buffer else "      ...> ")
            except EOFError:
                _console.print()
                return
            buffer.append(line)
            if line.rstrip().endswith(";"):
                query, buffer = "\n".join(buffer), []
                try:
                    _print(con, query)
                except duckdb.Error as exc:
                    _console.print(f"[red]{escape(str(exc))}[/red]")
