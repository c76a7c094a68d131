"""Loading returns into the private DB: history, duplicates, transactions.

The helpers at the top build small typed frames by hand (Contract 2) with synthetic
IDs; test_figures.py and test_publish.py reuse them.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from tests.factories import FIELD_TYPES, load_return, with_check_digit
from transforms.pseudonym import person_key
from warehouse import Warehouse
from warehouse.db import (
    RETURN_COLUMNS,
    connect_private,
    file_seen,
    load_night,
    record_file,
)

pytestmark = pytest.mark.integration

KEY = b"synthetic-test-key-0123456789abcdef"


def synthetic_id(seq: int, birth: str = "19800101", male: bool = True) -> str:
    """A well-formed 18-character ID in Haizhou (320706) with a valid check digit."""
    order = seq * 2 + (1 if male else 0)
    body = f"320706{birth}{order % 1000:03d}"
    return with_check_digit(body)


def key_of(id_number: str) -> str:
    return person_key(id_number, KEY)


def placement(
    id_number: str,
    placed_on: date,
    *,
    categories: tuple[str, ...] = ("01",),
    channel: str = "10",
    income: float | None = 1500.0,
    subsidy: bool | None = False,
    name: str = "张测试",
    phone: str | None = "13900001111",
    cert: str | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "gender": "男" if int(id_number[16]) % 2 else "女",
        "id_number": id_number,
        "id_raw": id_number,
        "categories": list(categories),
        "primary_category": categories[0] if categories else None,
        "disability_cert": cert or (id_number + "13" if "02" in categories else None),
        "channel": channel,
        "employer": "测试单位",
        "job": "测试岗位",
        "placed_on": placed_on,
        "monthly_income": income,
        "si_subsidy": subsidy,
        "phone": phone,
        "note": None,
    }


PLACEMENT_SCHEMA = {"row_number": pl.Int64, **FIELD_TYPES["placements"]}


def frame(rows: list[dict[str, Any]], schema: dict[str, Any] | None = None) -> pl.DataFrame:
    """Rows numbered as Excel would show them below a title and header row."""
    numbered = [{"row_number": i + 3, **r} for i, r in enumerate(rows)]
    if schema is not None:
        return pl.DataFrame(numbered, schema=schema)
    return pl.DataFrame(numbered, infer_schema_length=None)


def load(
    con: duckdb.DuckDBPyConnection,
    station: str,
    period: str,
    received_at: datetime,
    placements: list[dict[str, Any]] | None = None,
    *,
    status: str = "accepted",
    file_name: str | None = None,
    other_sheets: dict[str, list[dict[str, Any]]] | None = None,
    quarantine: list[dict[str, Any]] | None = None,
    rows_received: int | None = None,
) -> str:
    """Load one synthetic return; its return_id is derived like a file digest."""
    file_name = file_name or f"{station}_{period}.xlsx"
    return_id = hashlib.sha256(f"{file_name}|{received_at.isoformat()}".encode()).hexdigest()
    sheets = {"placements": frame(placements or [], PLACEMENT_SCHEMA)}
    for sheet, rows in (other_sheets or {}).items():
        sheets[sheet] = frame(rows)
    issues = pl.DataFrame(
        [{"file_name": file_name, **q} for q in quarantine or []],
        schema={
            "file_name": pl.String,
            "sheet": pl.String,
            "row_number": pl.Int64,
            "column_name": pl.String,
            "reason_code": pl.String,
            "message": pl.String,
        },
    )
    passed = sum(f.height for f in sheets.values())
    loaded = load_return(
        con,
        return_id=return_id,
        station_code=station,
        period=period,
        received_at=received_at,
        file_name=file_name,
        status=status,
        sheets=sheets,
        quarantine=issues,
        rows_received=rows_received
        if rows_received is not None
        else passed + len(quarantine or []),
        key=KEY,
    )
    assert loaded
    return return_id


@pytest.fixture
def private_db(tmp_path: Path) -> Path:
    return tmp_path / "private" / "doorstep_private.duckdb"


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # Table names come from the test's own fixed list.
    return int(con.execute(f"select count(*) from {table}").fetchall()[0][0])


def test_connect_private_is_idempotent(private_db: Path):
    con = connect_private(private_db)
    load(con, "XH", "2024-05", datetime(2024, 6, 3), [placement(synthetic_id(1), date(2024, 5, 2))])
    con.close()
    con = connect_private(private_db)
    assert count(con, "raw.returns") == 1
    assert count(con, "core.stations") == 6


def test_byte_identical_file_under_another_name_loads_once(private_db: Path):
    con = connect_private(private_db)
    digest = hashlib.sha256(b"the same bytes").hexdigest()
    manifest = {
        "sha256": digest,
        "file_name": "XH_2024-05.xlsx",
        "size": 14,
        "received_at": datetime(2024, 6, 3),
    }
    assert not file_seen(con, digest)
    assert record_file(con, manifest)
    assert file_seen(con, digest)
    copy = {**manifest, "file_name": "星化5月报表(1).xlsx", "outcome": "duplicate"}
    assert not record_file(con, copy)
    # Every file received is on record; the copy is known as a duplicate of the first.
    assert con.execute(
        "select file_name, outcome from raw.files order by file_name"
    ).fetchall() == [
        ("XH_2024-05.xlsx", None),
        ("星化5月报表(1).xlsx", "duplicate"),
    ]
    assert not record_file(con, copy)  # the same file seen again the next night
    assert count(con, "raw.files") == 2


def test_core_keeps_pseudonym_and_derived_attributes_only(private_db: Path):
    con = connect_private(private_db)
    person = synthetic_id(7, birth="19700315", male=False)
    load(
        con,
        "JH",
        "2024-05",
        datetime(2024, 6, 3),
        [
            placement(
                person, date(2024, 4, 20), categories=("02", "05"), channel="24", name="李测试"
            )
        ],
    )
    row = con.execute(
        "select person_key, gender, birth_year, age_band, disability_type, disability_grade, "
        "channel_rollup, late_report from core.placements"
    ).fetchall()[0]
    # Born 1970-03-15, placed 2024-04-20: 54 years old; cert ends in type 1 grade 3;
    # channel 24 (辅助性就业) rolls up to 22; April placement in the May return = 补报.
    assert row == (key_of(person), "女", 1970, "50-59", "1", "3", "22", True)
    core_text = " ".join(str(v) for v in con.execute("select * from core.placements").fetchall()[0])
    assert person not in core_text and "李测试" not in core_text and "13900001111" not in core_text


def test_resubmission_replaces_station_month_as_a_whole(private_db: Path):
    con = connect_private(private_db)
    first = load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 3),
        [
            placement(synthetic_id(1), date(2024, 5, 2)),
            placement(synthetic_id(2), date(2024, 5, 3)),
        ],
    )
    second = load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 10),
        [placement(synthetic_id(1), date(2024, 5, 2))],
        file_name="XH_2024-05_更正.xlsx",
    )
    current = con.execute(
        "select return_id from core.current_returns(timestamp '9999-12-31')"
    ).fetchall()
    assert current == [(second,)]
    before = con.execute(
        "select return_id from core.current_returns(timestamp '2024-06-05')"
    ).fetchall()
    assert before == [(first,)]
    # The older version stays in history, superseded when the correction arrived.
    history = con.execute(
        "select return_id, superseded_at, is_current "
        "from core.return_versions(timestamp '9999-12-31') order by received_at"
    ).fetchall()
    assert history == [(first, datetime(2024, 6, 10), False), (second, None, True)]
    assert count(con, "core.placements") == 3


def test_held_back_return_never_becomes_current(private_db: Path):
    con = connect_private(private_db)
    accepted = load(
        con, "XH", "2024-05", datetime(2024, 6, 3), [placement(synthetic_id(1), date(2024, 5, 2))]
    )
    load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 8),
        [placement(synthetic_id(2), date(2024, 5, 2))],
        status="held_back",
        file_name="XH_2024-05_v2.xlsx",
    )
    current = con.execute(
        "select return_id from core.current_returns(timestamp '9999-12-31')"
    ).fetchall()
    assert current == [(accepted,)]
    statuses = con.execute("select status from raw.returns order by received_at").fetchall()
    assert statuses == [("accepted",), ("held_back",)]


def test_failed_load_leaves_database_as_before(private_db: Path):
    con = connect_private(private_db)
    load(con, "XH", "2024-04", datetime(2024, 5, 3), [placement(synthetic_id(1), date(2024, 4, 2))])
    before = {
        t: count(con, t)
        for t in ("raw.returns", "raw.quarantine", "staging.placements", "core.placements")
    }
    # A quarantine row without a reason code violates raw.quarantine's NOT NULL, after
    # the return and before the rows were inserted: nothing of it may remain.
    with pytest.raises(duckdb.ConstraintException):
        load(
            con,
            "XH",
            "2024-05",
            datetime(2024, 6, 3),
            [placement(synthetic_id(2), date(2024, 5, 2))],
            quarantine=[
                {
                    "sheet": "placements",
                    "row_number": 4,
                    "column_name": "姓名",
                    "reason_code": None,
                    "message": "x",
                }
            ],
        )
    after = {t: count(con, t) for t in before}
    assert after == before


def test_same_return_loaded_twice_is_a_no_op(private_db: Path):
    con = connect_private(private_db)
    rows = [placement(synthetic_id(1), date(2024, 5, 2))]
    load(con, "XH", "2024-05", datetime(2024, 6, 3), rows)
    with pytest.raises(AssertionError):
        load(con, "XH", "2024-05", datetime(2024, 6, 3), rows)
    assert count(con, "core.placements") == 1


LOADER = r"""
import sys
from datetime import date, datetime
from tests.integration.test_warehouse import KEY, PLACEMENT_SCHEMA, frame, placement, synthetic_id
from tests.factories import load_return
from warehouse.db import connect_private
n = int(sys.argv[2])
rows = [placement(synthetic_id(i), date(2024, 5, 1 + i % 28)) for i in range(n)]
sheets = {"placements": frame(rows, PLACEMENT_SCHEMA)}
con = connect_private(sys.argv[1])
print("loading", flush=True)
load_return(con, return_id="r1", station_code="XH", period="2024-05",
            received_at=datetime(2024, 6, 3), file_name="XH_2024-05.xlsx", status="accepted",
            sheets=sheets, quarantine=None, rows_received=n, key=KEY)
con.close()
"""


def test_load_killed_mid_way_is_all_or_nothing(private_db: Path):
    """SIGKILL at moments spread over load_return (pseudonymising ~0.5 s, then the
    transaction ~0.5 s on a laptop): every kill leaves all of the return or none."""
    repo = Path(__file__).resolve().parents[2]
    rows = 50_000
    connect_private(private_db).close()
    outcomes = set()
    for delay in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5):
        proc = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(private_db), str(rows)],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "loading"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        con = connect_private(private_db)
        counts = (
            count(con, "raw.returns"),
            count(con, "staging.placements"),
            count(con, "core.placements"),
        )
        con.close()
        # Either the whole return is there or none of it: never the return without
        # its rows, nor staging rows without their core rows.
        assert counts in {(0, 0, 0), (1, rows, rows)}, (delay, counts)
        outcomes.add(counts)
        if counts != (0, 0, 0):
            break
    assert (0, 0, 0) in outcomes, outcomes


# -- set-based nights ------------------------------------------------------------------
NIGHT = (  # station, period, received_at, placements (id seq, day), file name
    ("XH", "2024-05", datetime(2024, 6, 3, 9), [(1, 2), (2, 3)], "XH_2024-05.xlsx"),
    ("JH", "2024-05", datetime(2024, 6, 3, 10), [(3, 4)], "JH_2024-05.xlsx"),
    ("NF", "2024-05", datetime(2024, 6, 3, 11), [], "NF_2024-05.xlsx"),
    ("XH", "2024-05", datetime(2024, 6, 4, 8), [(1, 2)], "XH_2024-05_更正.xlsx"),
    ("WH", "2024-05", datetime(2024, 6, 4, 9), [(4, 5), (5, 6), (6, 7)], "WH_2024-05.xlsx"),
)
TABLES = (
    "raw.returns",
    "raw.files",
    "raw.quarantine",
    "staging.placements",
    "staging.training",
    "core.placements",
    "core.training",
)


def night(*, bad_reason_at: int | None = None) -> tuple[pl.DataFrame, dict, pl.DataFrame]:
    """The NIGHT as load_night takes it: a line per return, each sheet's rows of all
    returns, and one quarantine row per return (its reason missing at `bad_reason_at`)."""
    lines, placements, training, issues = [], [], [], []
    for i, (station, period, received_at, people, file_name) in enumerate(NIGHT):
        return_id = hashlib.sha256(file_name.encode()).hexdigest()
        rows = [placement(synthetic_id(seq), date(2024, 5, day)) for seq, day in people]
        placements.append(frame(rows, PLACEMENT_SCHEMA).with_columns(return_id=pl.lit(return_id)))
        training.append(
            frame([{"project": f"{station}培训", "trainees": 10 + i}]).with_columns(
                return_id=pl.lit(return_id)
            )
        )
        issues.append(
            {
                "return_id": return_id,
                "file_name": file_name,
                "sheet": "placements",
                "row_number": 9,
                "column_name": "身份证号",
                "reason_code": None if i == bad_reason_at else "ID_CHECKSUM",
                "message": "x",
            }
        )
        lines.append(
            {
                "return_id": return_id,
                "station_code": station,
                "period": period,
                "received_at": received_at,
                "file_name": file_name,
                "status": "accepted",
                "rows_received": len(rows) + 2,
                "size": 1000 + i,
                "first_seen_run": "night-1",
            }
        )
    sheets = {
        "placements": pl.concat(placements),
        "training": pl.concat(training, how="diagonal_relaxed"),
    }
    return pl.DataFrame(lines, schema=RETURN_COLUMNS), sheets, pl.DataFrame(issues)


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    # Table names come from the fixed TABLES; rows sorted, as order is not a promise.
    return {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in TABLES}


def test_a_night_in_chunks_is_the_night_return_by_return(tmp_path: Path):
    returns, sheets, issues = night()
    by_return = connect_private(tmp_path / "one-by-one.duckdb")
    for line in returns.iter_rows(named=True):
        mine = line["return_id"]
        assert load_return(
            by_return,
            **{k: line[k] for k in ("return_id", "station_code", "period", "received_at")},
            file_name=line["file_name"],
            status=line["status"],
            sheets={s: f.filter(pl.col("return_id") == mine) for s, f in sheets.items()},
            quarantine=issues.filter(pl.col("return_id") == mine).drop("return_id"),
            rows_received=line["rows_received"],
            key=KEY,
            manifest={k: line[k] for k in ("size", "reason_code", "first_seen_run", "mtime")},
        )
    chunked = connect_private(tmp_path / "chunked.duckdb")
    loaded = load_night(chunked, returns, sheets, issues, key=KEY, returns_per_chunk=2)
    assert loaded == returns["return_id"].to_list()
    assert tables(chunked) == tables(by_return)
    counts = {t: len(rows) for t, rows in tables(chunked).items()}
    assert counts == {
        "raw.returns": 5,
        "raw.files": 5,
        "raw.quarantine": 5,
        "staging.placements": 7,
        "staging.training": 5,
        "core.placements": 7,
        "core.training": 5,
    }
    # The correction received later the same night supersedes XH's first version.
    current = chunked.execute(
        "select file_name from raw.returns where return_id in "
        "(select return_id from core.current_returns(timestamp '9999-12-31')) order by 1"
    ).fetchall()
    assert current == [
        ("JH_2024-05.xlsx",),
        ("NF_2024-05.xlsx",),
        ("WH_2024-05.xlsx",),
        ("XH_2024-05_更正.xlsx",),
    ]
    # Every loaded row carries its return's station from the return's line.
    stations = chunked.execute(
        "select distinct r.station_code = p.station_code from core.placements as p "
        "join raw.returns as r using (return_id)"
    ).fetchall()
    assert stations == [(True,)]


def test_a_chunk_that_fails_leaves_the_chunks_before_it_whole_and_nothing_of_its_own(
    tmp_path: Path,
):
    returns, sheets, issues = night(bad_reason_at=3)
    con = connect_private(tmp_path / "private.duckdb")
    with pytest.raises(duckdb.ConstraintException):
        load_night(con, returns, sheets, issues, key=KEY, returns_per_chunk=2)
    first_two = returns["return_id"].to_list()[:2]
    for table in TABLES:
        on_record = con.execute(
            f"select distinct {'sha256' if table == 'raw.files' else 'return_id'} from {table}"
        ).fetchall()
        assert sorted(r[0] for r in on_record) == sorted(first_two), table
    # The next night reads the same returns again: the two on record are left as they
    # are, the rest load, and the warehouse is that of a night never interrupted.
    returns, sheets, issues = night()
    loaded = load_night(con, returns, sheets, issues, key=KEY, returns_per_chunk=2)
    assert loaded == returns["return_id"].to_list()[2:]
    control = connect_private(tmp_path / "control.duckdb")
    load_night(control, returns, sheets, issues, key=KEY)
    assert tables(con) == tables(control)


def test_a_night_whose_rows_name_a_return_it_does_not_have_is_refused(private_db: Path):
    returns, sheets, _ = night()
    con = connect_private(private_db)
    with pytest.raises(ValueError, match="placements: rows of a return that is not"):
        load_night(con, returns.head(2), sheets, None, key=KEY)
    assert count(con, "raw.returns") == 0


def test_the_schema_is_applied_once_per_process(private_db: Path):
    """A second connect in this process opens the file only: a column dropped after the
    first stays dropped. A new process brings the schema back (its DDL migrates)."""
    Warehouse(private_db).connect().close()
    con = Warehouse(private_db).connect()
    con.execute("alter table raw.files drop column mtime")
    con.close()
    con = Warehouse(private_db).connect()
    columns = {r[0] for r in con.execute("describe raw.files").fetchall()}
    con.close()
    assert "mtime" not in columns
    repo = Path(__file__).resolve().parents[2]
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from warehouse import Warehouse; Warehouse({str(private_db)!r}).connect().close()",
        ],
        cwd=repo,
        check=True,
    )
    con = Warehouse(private_db).connect()
    columns = {r[0] for r in con.execute("describe raw.files").fetchall()}
    assert "mtime" in columns


NIGHT_LOADER = r"""
import sys
from tests.integration.test_warehouse import KEY, night
from warehouse.db import connect_private, load_night
returns, sheets, issues = night()
con = connect_private(sys.argv[1])
load_night(con, returns, sheets, issues, key=KEY, returns_per_chunk=2)
"""


@pytest.mark.parametrize(
    ("point", "on_record"),
    [("load:after_record", 0), ("load:before_commit", 0), ("load:after_commit", 2)],
)
def test_a_night_killed_in_load_keeps_whole_chunks_only(
    point: str, on_record: int, private_db: Path
):
    """SIGKILL at each fault point of the first chunk: the chunks committed before the
    kill are whole (returns, file lines, quarantine, staging and core rows), the rest
    absent; loading the night again ends as a night never interrupted."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DOORSTEP_FAULT_POINT": point}
    killed = subprocess.run(
        [sys.executable, "-c", NIGHT_LOADER, str(private_db)], cwd=repo, env=env, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    returns, sheets, issues = night()
    con = connect_private(private_db)
    expected = sorted(returns["return_id"].to_list()[:on_record])
    for table in TABLES:
        column = "sha256" if table == "raw.files" else "return_id"
        ids = con.execute(f"select distinct {column} from {table}").fetchall()
        assert sorted(r[0] for r in ids) == expected, table
    load_night(con, returns, sheets, issues, key=KEY, returns_per_chunk=2)
    control = connect_private(private_db.with_name("control.duckdb"))
    load_night(control, returns, sheets, issues, key=KEY)
    assert tables(con) == tables(control)


def test_a_warehouse_file_made_again_at_the_same_path_gets_its_schema(private_db: Path):
    Warehouse(private_db).connect().close()
    private_db.unlink()
    con = Warehouse(private_db).connect()
    assert count(con, "raw.returns") == 0
    assert count(con, "core.stations") == 6
