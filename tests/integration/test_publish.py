"""Publishing the analyst DB: atomic swap, readers, interrupted publishes, no personal data."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from foundation.reference import load_reference, on_time_day
from tests.integration.test_warehouse import load, placement, synthetic_id
from warehouse.db import connect_private
from warehouse.docs import write_data_dictionary
from warehouse.publish import publish_analyst_db, temp_path

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 5, 31)
ON_TIME_DAY = on_time_day()  # what the run context carries
TARGETS = load_reference().targets(AS_OF.year)
MART_TABLES = {
    "stations",
    "placements",
    "placement_history",
    "training",
    "events",
    "incubated",
    "households",
    "quarantine",
    "quarantine_by_reason",
    "returns_register",
    "figures",
    "data_version",
    "bulletins",
}

PEOPLE = [
    synthetic_id(n, birth=f"19{60 + n}0{1 + n % 9}1{n % 10}", male=n % 2 == 0) for n in range(1, 25)
]
NAMES = [f"测试人{n:02d}" for n in range(1, 25)]
PHONES = [f"139{n:08d}" for n in range(1, 25)]
HEAD_ID = synthetic_id(90, birth="19551111")
LEAKED_PHONE = "13712345678"


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """A few months for a few stations, with personal data everywhere it may be."""
    rows = [
        placement(
            PEOPLE[n],
            date(2024, 1 + n % 5, 1 + n),
            categories=("02", "05") if n % 4 == 0 else ("01",),
            channel=("10", "23", "24", "30")[n % 4],
            name=NAMES[n],
            phone=PHONES[n],
            income=1500 + 10 * n,
            subsidy=n % 3 == 0,
        )
        for n in range(len(PEOPLE))
    ]
    for station in ("XH", "JH", "WH"):
        for month in range(1, 6):
            period = f"2024-{month:02d}"
            mine = [
                r
                for n, r in enumerate(rows)
                if r["placed_on"].month == month and n % 3 == "XJW".index(station[0]) % 3
            ]
            load(
                con,
                station,
                period,
                datetime(2024, month + 1, 3),
                mine,
                other_sheets={
                    "households": [
                        {
                            "household_id": f"{station}-H1",
                            "head_name": "户主测试",
                            "head_id_number": HEAD_ID,
                            "members": 3,
                            "labour": 2,
                            "identified_on": date(2024, 1, 5),
                            "status": "未清零",
                            "cleared_on": None,
                            "cleared_channel": None,
                        }
                    ]
                },
                quarantine=[
                    {
                        "sheet": "placements",
                        "row_number": 9,
                        "column_name": "联系电话",
                        "reason_code": "PHONE_INVALID",
                        "message": f"号码{LEAKED_PHONE}不是有效号码",
                    }
                ],
            )


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, Path]:
    private = tmp_path / "private" / "doorstep_private.duckdb"
    con = connect_private(private)
    fill(con)
    con.close()
    return private, tmp_path / "doorstep.duckdb"


def correct(private: Path, received_at: datetime) -> None:
    """A resubmission of XH's May return with one extra person."""
    con = connect_private(private)
    load(
        con,
        "XH",
        "2024-05",
        received_at,
        [placement(synthetic_id(77), date(2024, 5, 20), name="更正人", phone="13600000000")],
        file_name=f"XH_2024-05_{received_at:%d}.xlsx",
    )
    con.close()


def test_analyst_db_is_marts_only_and_documented(home):
    private, analyst = home
    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    con = duckdb.connect(str(analyst), read_only=True)
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where not internal"
    ).fetchall()
    assert {t for _, t, _ in tables} == MART_TABLES
    assert {s for s, _, _ in tables} == {"marts"}
    bilingual = re.compile(r"[\u4e00-\u9fff].*/.*[A-Za-z]")
    for _, table, comment in tables:
        assert comment and bilingual.search(comment), table
    columns = con.execute(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'"
    ).fetchall()
    for table, column, comment in columns:
        assert comment and bilingual.search(comment), f"{table}.{column}"
    assert not analyst.with_name(analyst.name + ".wal").exists()
    assert not list(analyst.parent.glob("*.new-*"))


def test_analyst_db_holds_no_personal_data(home):
    private, analyst = home
    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    con = duckdb.connect(str(analyst), read_only=True)
    id_like = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
    cert_like = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx][1-7][1-4](?![0-9A-Za-z])")
    phone_like = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9}|0518-?\d{7,8})(?![0-9A-Za-z])")
    literal = set(PEOPLE) | set(NAMES) | set(PHONES) | {HEAD_ID, LEAKED_PHONE, "户主测试", "张测试"}
    columns = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'marts' and data_type = 'VARCHAR'"
    ).fetchall()
    scanned = 0
    for table, column in columns:
        # Identifiers come from the catalogue of this very file, quoted.
        values = con.execute(f'select distinct "{column}" from marts."{table}"').fetchall()
        for (text,) in values:
            if text is None:
                continue
            scanned += 1
            assert not id_like.search(text), (table, column)
            assert not cert_like.search(text), (table, column)
            assert not phone_like.search(text), (table, column)
            assert not any(p in text for p in literal), (table, column)
    assert scanned > 100
    messages = con.execute("select distinct message from marts.quarantine").fetchall()
    assert messages == [("号码******不是有效号码",)]


def test_returns_register_and_figures_are_published(home):
    private, analyst = home
    correct(private, datetime(2024, 6, 8))
    version = publish_analyst_db(
        private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY
    )
    con = duckdb.connect(str(analyst), read_only=True)
    may = con.execute(
        "select status, status_label from marts.returns_register "
        "where station_code = 'XH' and period = '2024-05' order by received_at"
    ).fetchall()
    # Codes to query by, and the label the bulletin prints beside each.
    assert may == [("on_time", "按时"), ("resubmitted", "重报")]
    # XF opened in March 2023 and never reported: 2023-03 .. 2024-05 = 15 missing months.
    missing = con.execute(
        "select count(*) from marts.returns_register where station_code = 'XF' and status = 'missing'"
    ).fetchall()
    assert missing == [(15,)]
    assert con.execute("select data_version from marts.data_version").fetchall() == [(version,)]
    assert con.execute("select count(distinct figure) from marts.figures").fetchall() == [(13,)]
    # 24 persons placed Jan-May; the correction replaces XH's May as a whole, dropping
    # the one person XH had in May (PEOPLE[9]) and adding another: still 24.
    assert con.execute(
        "select value from marts.figures where figure = 'F01' and scope = 'ytd'"
    ).fetchall() == [(24.0,)]
    assert con.execute(
        "select distinct scope, scope_label from marts.figures order by scope"
    ).fetchall() == [
        ("month", "本月"),
        ("period_end", "期末"),
        ("since_opening", "建站以来"),
        ("ytd", "本年累计"),
    ]


def test_rejected_file_without_a_period_counts_in_quarantine_by_reason(home):
    private, analyst = home
    con = connect_private(private)
    # A corrupt file: no cover could be read, so neither station nor period is known.
    load(
        con,
        "",
        "",
        datetime(2024, 5, 20),
        status="rejected",
        file_name="坏文件.xlsx",
        rows_received=0,
        quarantine=[
            {
                "sheet": None,
                "row_number": None,
                "column_name": None,
                "reason_code": "FILE_CORRUPT",
                "message": "",
            }
        ],
    )
    con.close()
    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    con = duckdb.connect(str(analyst), read_only=True)
    by_reason = dict(
        con.execute("select reason_code, rows from marts.quarantine_by_reason").fetchall()
    )
    # The fixture's 15 returns each carry one PHONE_INVALID row.
    assert by_reason == {"FILE_CORRUPT": 1, "PHONE_INVALID": 15}


READER = r"""
import json, os, sys, duckdb
db, stop, ready, mode = sys.argv[1:5]
expected = set(sys.argv[5].split(","))
held = duckdb.connect(db, read_only=True) if mode == "held" else None
first = held.execute("select data_version from marts.data_version").fetchall() if held else None
open(ready, "w").close()
n, errors, versions = 0, [], set()
while not os.path.exists(stop):
    try:
        con = held or duckdb.connect(db, read_only=True)
        tables = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
        assert tables == expected, sorted(tables)
        version = con.execute("select data_version from marts.data_version").fetchall()
        assert len(version) == 1
        assert con.execute("select count(*) from marts.figures").fetchall()[0][0] > 0
        assert con.execute("select count(*) from marts.placements").fetchall()[0][0] > 0
        if held:
            assert version == first
        else:
            con.close()
        versions.add(version[0][0])
    except Exception as exc:
        errors.append(repr(exc))
    n += 1
print(json.dumps({"n": n, "errors": errors[:5], "versions": sorted(versions)}))
"""


def _start_reader(analyst: Path, tmp: Path, mode: str) -> tuple[subprocess.Popen, Path]:
    ready = tmp / f"ready-{mode}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER,
            str(analyst),
            str(tmp / "stop"),
            str(ready),
            mode,
            ",".join(MART_TABLES),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    return proc, ready


def test_reader_keeps_analyst_db_open_during_publish(home, tmp_path):
    private, analyst = home
    v1 = publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    readers = [_start_reader(analyst, tmp_path, mode) for mode in ("held", "fresh")]
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _, ready in readers):
        assert time.monotonic() < deadline, [
            p.stderr.read() for p, _ in readers if p.poll() is not None
        ]
        time.sleep(0.05)
    try:
        correct(private, datetime(2024, 6, 8))
        v2 = publish_analyst_db(
            private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY
        )
        correct(private, datetime(2024, 6, 9))
        v3 = publish_analyst_db(
            private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY
        )
        time.sleep(0.5)
    finally:
        (tmp_path / "stop").touch()
    results = {}
    for (proc, _), mode in zip(readers, ("held", "fresh"), strict=True):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results[mode] = json.loads(out)
    assert len({v1, v2, v3}) == 3
    for mode, result in results.items():
        assert result["errors"] == [], (mode, result)
        assert result["n"] > 0
    # The held connection keeps the file it opened; new connections see the latest.
    assert results["held"]["versions"] == [v1]
    assert set(results["fresh"]["versions"]) <= {v1, v2, v3}
    assert v3 in results["fresh"]["versions"]


PUBLISHER = r"""
import sys
from datetime import date
from pathlib import Path
from foundation.reference import load_reference, on_time_day
from warehouse.publish import publish_analyst_db
publish_analyst_db(
    Path(sys.argv[1]),
    Path(sys.argv[2]),
    as_of=date(2024, 5, 31),
    targets=load_reference().targets(2024),
    on_time_day=on_time_day(),
)
"""


def test_publish_killed_half_way_leaves_published_file_intact(home):
    private, analyst = home
    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    correct(private, datetime(2024, 6, 8))
    killed = False
    for _attempt in range(5):
        published = analyst.read_bytes()
        proc = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(private), str(analyst)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        building = temp_path(analyst, proc.pid)
        while proc.poll() is None and not building.exists():
            time.sleep(0.0005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed = True
            break
        proc.wait()  # finished before we caught it building; try again
    assert killed, "the publisher always finished before it could be killed"
    assert analyst.read_bytes() == published
    assert building.exists()

    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)

    assert not building.exists()
    assert not list(analyst.parent.glob("*.new-*"))
    con = duckdb.connect(str(analyst), read_only=True)
    assert con.execute(
        "select value from marts.figures where figure = 'F01' and scope = 'ytd'"
    ).fetchall() == [(24.0,)]


def test_stale_wal_beside_published_file_is_moved_aside_not_replayed(home):
    private, analyst = home
    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    wal = analyst.with_name(analyst.name + ".wal")
    wal.write_bytes(b"not a WAL for this file" * 100)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = temp_path(analyst, dead.pid)
    leftover.write_bytes(b"half a database")

    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)

    assert not wal.exists()
    assert len(list(analyst.parent.glob("doorstep.duckdb.wal.stale-*"))) == 1
    assert not leftover.exists()
    con = duckdb.connect(str(analyst), read_only=True)
    assert con.execute("select count(*) from marts.stations").fetchall() == [(6,)]


def test_data_dictionary_is_built_from_the_comments(home, tmp_path):
    private, analyst = home
    publish_analyst_db(private, analyst, as_of=AS_OF, targets=TARGETS, on_time_day=ON_TIME_DAY)
    md, page = write_data_dictionary(analyst, tmp_path / "docs")
    text = md.read_text(encoding="utf-8")
    for table in MART_TABLES:
        assert f"`marts.{table}`" in text
    assert "| `person_key` | VARCHAR | 人员化名" in text
    assert "<code>marts.returns_register</code>" in page.read_text(encoding="utf-8")


def test_narrative_text_is_filled_before_figures_are_published(home):
    from doorstep.bulletin.narrative import fill_texts

    private, analyst = home
    publish_analyst_db(
        private,
        analyst,
        as_of=AS_OF,
        targets=TARGETS,
        on_time_day=ON_TIME_DAY,
        figure_text=fill_texts,
    )
    con = duckdb.connect(str(analyst), read_only=True)
    texts = con.execute(
        "select text from marts.figures where figure = 'F01' and scope = 'ytd'"
    ).fetchall()
    assert len(texts) == 1 and texts[0][0]
    # F13 keeps its status label from SQL.
    assert con.execute(
        "select count(*) from marts.figures where figure = 'F13' and text is null"
    ).fetchall() == [(0,)]
