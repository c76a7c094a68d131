"""The calendar of returns: when a station-month falls due (returns.md §6) and when its
year began.

The deadline rule is written once, as the SQL macro `core.deadline`
(`ddl/05_create_core_calendar_macros.sql`): the returns register applies it in SQL and
Python asks DuckDB for it here, so the register and the publishing rule cannot disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

import duckdb

from warehouse.sql import SQL_DIR, run_sql_file

CALENDAR_MACROS = SQL_DIR / "ddl" / "05_create_core_calendar_macros.sql"


@cache
def deadline(period: str, on_time_day: int) -> datetime:
    """When the station-month `period` ('YYYY-MM') falls due: from this moment a return
    for it is late, and its absence is 缺报."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("create schema core")
        run_sql_file(con, CALENDAR_MACROS)
        row = con.execute("select core.deadline(?, ?)", [period, on_time_day]).fetchone()
    finally:
        con.close()
    assert row is not None
    moment: datetime = row[0]
    return moment


def year_start(as_of: date) -> date:
    """The first day of `as_of`'s year: where every 本年累计 scope begins (bound as
    `$year_start`, never derived again in SQL)."""
    return date(as_of.year, 1, 1)
