"""Crash anywhere, lose nothing: the real `doorstep run`, killed at each step and at
chosen points inside load and publish, then run again, ends in exactly the state of a
night nobody interrupted.

Every case starts from a copy of one home: a first night already loaded and published,
then a second night's inbox with what real inboxes hold — new returns, a resubmission,
a copy of an earlier night's file, a copy of tonight's, a 250-byte name, a file that is
no workbook, a hidden file, a symlink to /etc/passwd and a folder. The control is that
home after one uninterrupted run. "Equal" is every table of the analyst database, row
for row, and the private manifest and returns, and the bulletin's bytes, and the
feedback workbooks' names.

The operator's own publishing commands, `doorstep backfill` and `doorstep publish` (an
issue and a 更正版), are killed between placing an issue's PDF and recording it, and
compared in the same way with the command run once, undisturbed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from doorstep.demo import generate_demo_returns
from tests.conftest import TEST_KEY
from tests.faults.conftest import DOORSTEP, Runner, copy_home

pytestmark = pytest.mark.faults

FIRST_NIGHT = ("WH_2024-01.xlsx", "NF_2024-01.xlsx", "XH_2024-03.xlsx")
SECOND_NIGHT = ("WH_2024-02.xlsx", "XH_2024-04.xlsx", "XH_2024-04_更正.xlsx", "NF_2024-02.xlsx")
LONG_NAME = "NF_2024-03_" + "很" * 78 + ".xlsx"  # 250 bytes in UTF-8
LONG_BROKEN = "JH_2024-03_" + "很" * 78 + ".xlsx"  # as long, and not a workbook
# The run's clock is given (received times come from it): a rerun of a killed night is the
# operator running that night again, so it is the same night for the clock too. The
# second night is past April's deadline, so it also publishes April's issue.
RUN_FIRST = ["run", "--as-of", "2024-03-31", "--now", "2024-04-08 02:00", "--home"]
RUN = ["run", "--as-of", "2024-04-30", "--now", "2024-05-08 02:00", "--home"]
LATE = datetime(2024, 5, 3, 10, 0, tzinfo=UTC).timestamp()

# Columns that may differ between two correct nights over the same inbox: none. The
# analyst database is a pure function of the private database and the run's as-of; the
# run's own identity (run name, Prefect ids, start time) never reaches it. Kept as an
# explicit, empty list so that adding one is a visible decision.
DIFFER_IN_MARTS: set[tuple[str, str]] = set()
# In the private database: which run first saw a file (its name carries the start time),
# and where the bulletin was written (the home's absolute path).
DIFFER_IN_RAW = {("files", "first_seen_run"), ("bulletins", "path")}

# Each point a kill is placed at, in the order a night reaches them.
FAULT_POINTS = (
    "lock:held",  # the run has just started: the home locked, nothing else done
    "ingest:after_read",
    "feedback:after_write",  # feedback workbooks written, nothing loaded
    # Load commits a chunk of returns at a time (warehouse.db.load_night); the demo's
    # night is one chunk, so after_commit falls after all of its returns.
    "load:after_record",  # a chunk's returns and manifest lines written, no rows (the old bug)
    "load:before_commit",  # everything of a chunk written, not committed
    "load:after_commit",  # a chunk committed, any later chunks not
    "load:before_duplicates",  # every chunk committed, no copy recorded
    "publish:before_swap",  # the new analyst file complete beside the old one
    "publish:after_swap",  # swapped in, data dictionary and draft not written
    "issue:before_record",  # April's issue PDF in place, not recorded as published
)


def _mtime(path: Path, when: float) -> None:
    os.utime(path, (when, when), follow_symlinks=False)


@pytest.fixture(scope="module")
def demo_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-returns")
    generate_demo_returns(folder)
    return folder


@pytest.fixture(scope="module")
def base_home(runner: Runner, demo_returns: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """After a first night; the second night's files waiting in the inbox."""
    home = tmp_path_factory.mktemp("base") / "home"
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    for name in FIRST_NIGHT:
        shutil.copy2(demo_returns / name, inbox / name)
    first = runner.run([*RUN_FIRST, str(home)])
    assert first.exit == 0, first.output
    for name in SECOND_NIGHT:
        shutil.copy2(demo_returns / name, inbox / name)
    shutil.copy2(demo_returns / "WH_2024-01.xlsx", inbox / "WH_2024-01 (2).xlsx")
    shutil.copy2(demo_returns / "XH_2024-04.xlsx", inbox / "XH_2024-04_副本.xlsx")
    _mtime(inbox / "XH_2024-04_副本.xlsx", LATE)
    shutil.copy2(demo_returns / "NF_2024-03.xlsx", inbox / LONG_NAME)
    (inbox / "JH_2024-02.xlsx").write_bytes(b"this is not a workbook\n" * 10)
    (inbox / LONG_BROKEN).write_bytes(b"this is not a workbook either\n" * 10)
    shutil.copy2(demo_returns / "XH_2024-04.xlsx", inbox / "..XH_2024-04.xlsx")
    (inbox / "XF_2024-02.xlsx").symlink_to("/etc/passwd")
    (inbox / "扫描件").mkdir()
    for name in ("JH_2024-02.xlsx", LONG_BROKEN, "..XH_2024-04.xlsx", "XF_2024-02.xlsx", "扫描件"):
        _mtime(inbox / name, LATE)
    return home


@pytest.fixture(scope="module")
def control(runner: Runner, base_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = copy_home(base_home, tmp_path_factory.mktemp("control") / "home")
    night = runner.run([*RUN, str(home)])
    assert night.exit == 0, night.output
    return home


def _tables(con: duckdb.DuckDBPyConnection, schema: str, differ: set[tuple[str, str]]):
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [schema],
        ).fetchall()
    ]
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in tables:
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if (table, r[0]) not in differ
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        rows = con.execute(f'select {listed} from {schema}."{table}"').fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def state(home: Path) -> dict[str, Any]:
    """What a night leaves that must not depend on how many tries it took."""
    analyst = duckdb.connect(str(home / "doorstep.duckdb"), read_only=True)
    try:
        marts = _tables(analyst, "marts", DIFFER_IN_MARTS)
    finally:
        analyst.close()
    private = duckdb.connect(str(home / "private" / "doorstep_private.duckdb"), read_only=True)
    try:
        raw = _tables(private, "raw", DIFFER_IN_RAW)
    finally:
        private.close()
    feedback = sorted(str(p.relative_to(home)) for p in (home / "feedback").rglob("*.xlsx"))
    pdfs = {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (home / "bulletins").rglob("*.pdf")
    }
    return {"marts": marts, "raw": raw, "feedback": feedback, "bulletins": pdfs}


def files(home: Path) -> set[str]:
    # gx/ keeps every run's validation results by run name: a killed run's are history.
    return {
        str(p.relative_to(home))
        for p in home.rglob("*")
        if not p.is_dir() and p.relative_to(home).parts[0] != "gx"
    }


def assert_same_night(home: Path, control: Path) -> None:
    got, want = state(home), state(control)
    for table in want["marts"]:
        assert got["marts"][table] == want["marts"][table], f"marts.{table} differs"
    assert got["marts"].keys() == want["marts"].keys()
    for table in want["raw"]:
        assert got["raw"][table] == want["raw"][table], f"raw.{table} differs"
    assert got["feedback"] == want["feedback"]
    assert got["bulletins"] == want["bulletins"]
    # Nothing left behind: no temp analyst file, partial workbook or PDF, and the lock
    # released (an empty lock file is a released lock).
    assert files(home) == files(control)
    assert (home / ".doorstep.lock").read_text() == ""


def test_control_night_accounts_for_every_inbox_file(control: Path) -> None:
    db = control / "private" / "doorstep_private.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        manifest = {
            name: (outcome, reason, station, period)
            for name, outcome, reason, station, period in con.execute(
                "select file_name, outcome, reason_code, station_code, period from raw.files"
            ).fetchall()
        }
    finally:
        con.close()
    # Every entry of the inbox is on the manifest, with what became of it.
    assert {p.name for p in (control / "inbox").iterdir()} <= set(manifest)
    assert manifest[LONG_NAME][0] == "accepted"
    assert manifest["WH_2024-01 (2).xlsx"][:2] == ("duplicate", "FILE_DUPLICATE")
    assert manifest["XH_2024-04_副本.xlsx"][:2] == ("duplicate", "FILE_DUPLICATE")
    assert manifest["..XH_2024-04.xlsx"][:2] == ("ignored", "FILE_IGNORED")
    # Refused unread, on their station-month where the name gives one.
    assert manifest["XF_2024-02.xlsx"] == ("rejected", "FILE_SYMLINK", "XF", "2024-02")
    assert manifest["扫描件"][:2] == ("rejected", "FILE_NOT_REGULAR")
    assert manifest["JH_2024-02.xlsx"][0] == "rejected"
    assert manifest["JH_2024-02.xlsx"][2:] == ("JH", "2024-02")
    analyst = duckdb.connect(str(control / "doorstep.duckdb"), read_only=True)
    try:
        register = analyst.execute(
            "select file_name, station_code, period, status from marts.returns_register "
            "where file_name in ('JH_2024-02.xlsx', 'XF_2024-02.xlsx')"
        ).fetchall()
        quarantine = analyst.execute(
            "select file_name, station_code, period, reason_code from marts.quarantine "
            "where file_name in ('JH_2024-02.xlsx', 'XF_2024-02.xlsx', '扫描件')"
        ).fetchall()
    finally:
        analyst.close()
    assert sorted(register) == [
        ("JH_2024-02.xlsx", "JH", "2024-02", "rejected"),
        ("XF_2024-02.xlsx", "XF", "2024-02", "rejected"),
    ]
    assert {(f, s, p) for f, s, p, _ in quarantine} == {
        ("JH_2024-02.xlsx", "JH", "2024-02"),
        ("XF_2024-02.xlsx", "XF", "2024-02"),
        ("扫描件", "", ""),  # a folder's name gives neither
    }
    assert ("XF_2024-02.xlsx", "XF", "2024-02", "FILE_SYMLINK") in quarantine
    # A long name's feedback has a name the file system takes, ending as every other; the
    # clean long-named return gets none (only a return with an issue does).
    assert (manifest[LONG_BROKEN][0], manifest[LONG_BROKEN][2]) == ("rejected", "JH")
    long_feedback = [
        p for p in (control / "feedback" / "JH").iterdir() if p.name.startswith("JH_2024-03_很")
    ]
    assert not [p for p in (control / "feedback").rglob("NF_2024-03_很*")]
    assert len(long_feedback) == 1
    assert long_feedback[0].name.endswith("_反馈.xlsx")
    assert len(long_feedback[0].name.encode()) <= 200


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_a_night_killed_at_any_point_is_completed_by_the_next(
    point: str, runner: Runner, base_home: Path, control: Path, tmp_path: Path
) -> None:
    home = copy_home(base_home, tmp_path / "home")
    killed = runner.run([*RUN, str(home)], fault=point)
    assert killed.signal == signal.SIGKILL, f"never reached {point}:\n{killed.output}"
    # The dead run's lock is still on file, naming it; the kernel has released it, and
    # the next night takes it over.
    holder = json.loads((home / ".doorstep.lock").read_text())
    assert holder["purpose"] == "doorstep run --as-of 2024-04-30"
    assert not Path(f"/proc/{holder['pid']}").exists()
    again = runner.run([*RUN, str(home)])
    assert again.exit == 0, again.output
    assert_same_night(home, control)


def _tree(home: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for p in sorted(home.rglob("*")):
        if p.is_symlink() or not p.is_file():
            continue
        info = p.stat()
        out[str(p.relative_to(home))] = (
            info.st_size,
            info.st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
    return out


def _real_run(home: Path, *, timeout: float):
    """`doorstep run` as an operator types it: a fresh process, Prefect not yet imported,
    its state in the default place (DOORSTEP_HOME/.prefect)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DOORSTEP_"))}
    env["DOORSTEP_PSEUDONYM_KEY"] = TEST_KEY
    t0 = time.monotonic()
    result = subprocess.run(
        [str(DOORSTEP), *RUN, str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return result, time.monotonic() - t0


def test_a_second_run_is_refused_at_once_naming_the_first_and_changes_nothing(
    runner: Runner, base_home: Path, control: Path, tmp_path: Path
) -> None:
    home = copy_home(base_home, tmp_path / "home")
    first = runner.start([*RUN, str(home)], fault="load:after_commit", action="stop")
    try:
        first.wait_stopped()
        before = _tree(home)
        second, seconds = _real_run(home, timeout=120)
        assert second.returncode != 0
        assert "in use by doorstep run --as-of 2024-04-30" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert "nothing was changed" in second.stderr
        assert "Traceback" not in second.stderr
        assert seconds < 30, f"refused only after {seconds:.0f} s"
        assert _tree(home) == before
    finally:
        first.resume()
    assert first.wait().exit == 0
    assert_same_night(home, control)


def test_a_home_restored_from_a_backup_taken_mid_night_recovers(
    runner: Runner, base_home: Path, control: Path, tmp_path: Path
) -> None:
    home = copy_home(base_home, tmp_path / "home")
    night = runner.start([*RUN, str(home)], fault="publish:before_swap", action="stop")
    try:
        night.wait_stopped()
        # A file-level backup while the night is half-way: the private database loaded,
        # a half-published analyst file beside the old one, the lock file naming a live run.
        backup = copy_home(home, tmp_path / "backup")
    finally:
        night.resume()
    assert night.wait().exit == 0
    restored = copy_home(backup, tmp_path / "restored")
    again = runner.run([*RUN, str(restored)])
    assert again.exit == 0, again.output
    assert_same_night(restored, control)


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_full_disk_leaves_the_old_analyst_database_and_the_next_night_recovers(
    runner: Runner, base_home: Path, control: Path, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root to mount")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        home = copy_home(base_home, disk / "home")
        published = (home / "doorstep.duckdb").read_bytes()
        filler = disk / "filler"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        with filler.open("wb") as out:
            out.truncate(0)
            out.write(b"\0" * max(free - 256 * 1024, 0))
        full = runner.run([*RUN, str(home)])
        assert full.exit not in (0, None), full.output
        assert "No space left on device" in full.output
        assert (home / "doorstep.duckdb").read_bytes() == published
        filler.unlink()
        again = runner.run([*RUN, str(home)])
        assert again.exit == 0, again.output
        assert_same_night(home, control)
    finally:
        _umount(disk)


def test_a_read_only_home_is_refused_in_seconds(base_home: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (root ignores permission bits)")
    home = copy_home(base_home, tmp_path / "home")
    ro = tmp_path / "ro"
    ro.mkdir()
    if _mount("--bind", str(home), str(ro)).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        remount = _mount("-o", "remount,bind,ro", str(ro))
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
        result, seconds = _real_run(ro, timeout=300)
    finally:
        _umount(ro)
    assert result.returncode == 2
    assert f"DOORSTEP_HOME {ro} is not writable" in result.stderr
    assert "Traceback" not in result.stderr
    assert seconds < 30, f"refused only after {seconds:.0f} s"


# The operator's publishing commands, killed where an issue's PDF is in place and not yet
# on the register. Neither rebuilds the analyst database (the next night does), so
# "equal" there is "left as it was", with nothing half-written beside it.
#
# Backfill on the first night's home: it records the second night's inbox, then publishes
# January, February and April (March is out), each as known at its own deadline. A rerun
# is the same command again, on the same clock, as for a night.
BACKFILL = ["backfill", "--from", "2024-01", "--to", "2024-04", "--now", "2024-05-08 02:00"]
# `doorstep publish` runs on the wall clock: an operator whose publish died types it again
# a few minutes later, and gets what an undisturbed publish at that moment gives.
PUBLISH_CASES = {
    # May, on demand before its deadline, revised against April with JH's April return.
    "issue": (
        ["publish", "--period", "2024-05"],
        ("2024-06-01 10:00", "2024-06-01 10:07"),
        "issues/2024-05.pdf",
    ),
    # April's 更正版: JH's April return arrived after the issue.
    "correction": (
        ["publish", "--period", "2024-04", "--correction"],
        ("2024-05-21 10:00", "2024-05-21 10:07"),
        "issues/2024-04-e2.pdf",
    ),
}


def register(home: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(home / "private" / "doorstep_private.duckdb"), read_only=True)
    try:
        return con.execute(
            "select period, issue_number, edition, file_name, sha256 from raw.bulletins "
            "where period is not null order by seq"
        ).fetchall()
    finally:
        con.close()


def assert_register_sound(home: Path) -> None:
    """Every issue once, numbered in publication order within its year, each edition's
    file on disk with the bytes recorded, and no issue file the register does not name."""
    rows = register(home)
    assert len({(period, edition) for period, _, edition, _, _ in rows}) == len(rows), rows
    numbers: dict[str, list[int]] = {}
    for period, number, edition, _, _ in rows:
        if edition == 1:
            numbers.setdefault(period[:4], []).append(number)
    assert all(n == list(range(1, len(n) + 1)) for n in numbers.values()), numbers
    on_disk = {
        str(p.relative_to(home / "bulletins")): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (home / "bulletins" / "issues").glob("*.pdf")
    }
    assert on_disk == {file_name: digest for _, _, _, file_name, digest in rows}


@pytest.fixture(scope="module")
def backfill_control(
    runner: Runner, base_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    home = copy_home(base_home, tmp_path_factory.mktemp("backfill-control") / "home")
    done = runner.run([*BACKFILL, "--home", str(home)])
    assert done.exit == 0, done.output
    assert [r[:3] for r in register(home)] == [
        ("2024-03", 1, 1),  # the first night's
        ("2024-01", 2, 1),
        ("2024-02", 3, 1),
        ("2024-04", 4, 1),
    ]
    return home


def test_a_backfill_killed_before_recording_an_issue_is_completed_by_the_next(
    runner: Runner, base_home: Path, backfill_control: Path, tmp_path: Path
) -> None:
    home = copy_home(base_home, tmp_path / "home")
    killed = runner.run([*BACKFILL, "--home", str(home)], fault="issue:before_record", nth=2)
    assert killed.signal == signal.SIGKILL, f"never published a second issue:\n{killed.output}"
    # February's PDF in place, unrecorded; March (the first night's) and January recorded.
    assert [r[0] for r in register(home)] == ["2024-03", "2024-01"]
    assert (home / "bulletins" / "issues" / "2024-02.pdf").exists()
    holder = json.loads((home / ".doorstep.lock").read_text())
    assert holder["purpose"] == "doorstep backfill --from 2024-01 --to 2024-04"
    again = runner.run([*BACKFILL, "--home", str(home)])
    assert again.exit == 0, again.output
    assert_same_night(home, backfill_control)
    assert_register_sound(home)


@pytest.fixture(scope="module")
def publish_home(
    runner: Runner, control: Path, demo_returns: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """After the second night (March and April out), with JH's April return delivered
    on 20 May: it changes April's figures, so May's issue revises them and April can be
    corrected. Its received time is the logged arrival, whichever run records it."""
    home = copy_home(control, tmp_path_factory.mktemp("publish") / "home")
    delivered = runner.run(
        [
            *("receive", str(demo_returns / "JH_2024-04.xlsx")),
            *("--at", "2024-05-20 09:00", "--home", str(home)),
        ]
    )
    assert delivered.exit == 0, delivered.output
    return home


@pytest.mark.parametrize("case", PUBLISH_CASES)
def test_a_publish_killed_before_recording_its_issue_is_completed_by_the_next(
    case: str, runner: Runner, publish_home: Path, tmp_path: Path
) -> None:
    command, (killed_at, again_at), pdf = PUBLISH_CASES[case]
    control = copy_home(publish_home, tmp_path / "control")
    done = runner.run([*command, "--now", again_at, "--home", str(control)])
    assert done.exit == 0, done.output
    home = copy_home(publish_home, tmp_path / "home")
    killed = runner.run(
        [*command, "--now", killed_at, "--home", str(home)], fault="issue:before_record"
    )
    assert killed.signal == signal.SIGKILL, f"never reached issue:before_record:\n{killed.output}"
    # Its PDF in place, as known at the first try, and not on the register.
    assert (home / "bulletins" / pdf).exists()
    assert register(home) == register(publish_home)
    again = runner.run([*command, "--now", again_at, "--home", str(home)])
    assert again.exit == 0, again.output
    assert_same_night(home, control)
    assert_register_sound(home)
    assert len(register(home)) == len(register(publish_home)) + 1
