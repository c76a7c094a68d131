"""The register's due dates (returns.md §6) and the publication register's migration, on
a real private DuckDB file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.test_warehouse import load
from warehouse.db import connect_private, publications

pytestmark = pytest.mark.integration


def _register(
    con: duckdb.DuckDBPyConnection, as_of: date, due_at: datetime
) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "select station_code, period, status "
        "from core.returns_register(?::date, ?::timestamp, 5, ?::timestamp)",
        [as_of, datetime(9999, 12, 31), due_at],
    ).fetchall()
    return {(s, p): status for s, p, status in rows}


@pytest.fixture
def con(tmp_path: Path) -> Any:
    con = connect_private(tmp_path / "private.duckdb")
    yield con
    con.close()


def test_a_month_is_not_yet_due_until_its_deadline_then_missing(con: Any) -> None:
    load(con, "XH", "2023-07", datetime(2023, 8, 3, 9))
    # XN opened on 2023-06-01 (stations.csv): it owes returns from June, none before.
    on_the_5th = _register(con, date(2023, 7, 31), datetime(2023, 8, 5, 23, 59))
    assert on_the_5th[("XH", "2023-07")] == "on_time"
    assert on_the_5th[("XN", "2023-07")] == "not_yet_due"
    assert on_the_5th[("XN", "2023-06")] == "missing"
    assert not any(s == "XN" and p < "2023-06" for s, p in on_the_5th)
    # NF opened in 2024: not in a 2023 register at all.
    assert not any(s == "NF" for s, _ in on_the_5th)
    after = _register(con, date(2023, 7, 31), datetime(2023, 8, 6))
    assert after[("XN", "2023-07")] == "missing"
    assert after[("XH", "2023-07")] == "on_time"


def test_an_earlier_private_db_gains_the_register_columns_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute("create schema raw")
    old.execute(
        "create table raw.bulletins (as_of date not null, known_at timestamp, "
        "data_version varchar not null, issue_no varchar not null, path varchar)"
    )
    old.execute(
        "insert into raw.bulletins values "
        "('2024-05-31', '2024-06-03 09:00', 'abc', '2024年第5期', 'bulletins/2024-05-31.pdf')"
    )
    old.close()
    con = connect_private(path)
    try:
        columns = {r[0] for r in con.execute("describe raw.bulletins").fetchall()}
        assert {"period", "edition", "seq", "sha256", "file_name", "code_version"} <= columns
        assert con.execute("select count(*) from raw.bulletins").fetchone() == (1,)
        # The old nightly rows were not issues: the register does not list them.
        assert publications(con) == []
        # Connecting again changes nothing.
        con.close()
        con = connect_private(path)
        assert con.execute("select count(*) from raw.bulletins").fetchone() == (1,)
    finally:
        con.close()
