"""What every run checks on DOORSTEP_HOME before Prefect starts: one night at a time
(the lock), personal data closed to other local users, a writable home; and how the
inbox's odd entries are accounted for."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from pydantic import SecretStr

from doorstep.demo.deliver import ensure_demo_key
from doorstep.ingest.discover import discover_returns, set_aside
from doorstep.lock import HomeBusy, home_lock
from doorstep.steps.feedback import feedback_name
from foundation.homecheck import HomeError, check_private, prepare_home
from foundation.settings import Settings
from tests.conftest import TEST_KEY
from tests.integration.test_cli import assert_clean_failure, invoke, snapshot
from warehouse.db import connect_private

pytestmark = pytest.mark.integration

HOLDER = """
import sys, time
from pathlib import Path
from doorstep.lock import home_lock
from foundation.settings import Settings
with home_lock(Settings(home=Path(sys.argv[1])), "holder for the test"):
    print("held", flush=True)
    time.sleep(600)
"""


def _holder(home: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_home_is_refused_naming_the_holder(settings: Settings) -> None:
    holder = _holder(settings.home)
    try:
        with pytest.raises(HomeBusy) as refused, home_lock(settings, "second"):
            pass
        assert f"pid {holder.pid}" in str(refused.value)
        assert "holder for the test" in str(refused.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_process_is_taken_over(settings: Settings, caplog) -> None:
    holder = _holder(settings.home)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    left = json.loads((settings.home / ".doorstep.lock").read_text())
    assert left["pid"] == holder.pid  # the dead holder is still named on file
    with caplog.at_level("WARNING", logger="doorstep"), home_lock(settings, "next night"):
        now = json.loads((settings.home / ".doorstep.lock").read_text())
        assert now["pid"] == os.getpid()
        assert now["purpose"] == "next night"
    assert f"pid {holder.pid}" in caplog.text
    assert (settings.home / ".doorstep.lock").read_text() == ""  # released cleanly


def test_the_lock_is_reentrant_within_a_process(settings: Settings) -> None:
    # The CLI takes it before Prefect starts, then the flow takes it again.
    with home_lock(settings, "cli"), home_lock(settings, "flow"):
        info = json.loads((settings.home / ".doorstep.lock").read_text())
        assert info["purpose"] == "cli"
    with home_lock(settings, "again"):
        pass


def test_cli_run_on_a_held_home_exits_at_once_changing_nothing(home: Path) -> None:
    holder = _holder(home)
    try:
        before = snapshot(home)
        t0 = time.monotonic()
        result = invoke(["run", "--as-of", "2024-05-31"], home=home, key=TEST_KEY)
        output = assert_clean_failure(result)
        assert time.monotonic() - t0 < 20
        assert f"pid {holder.pid}" in output
        assert snapshot(home) == before
    finally:
        holder.kill()
        holder.wait()


def test_private_folders_and_files_are_created_closed_whatever_the_umask(home: Path) -> None:
    settings = Settings(home=home)
    old = os.umask(0o022)
    try:
        prepare_home(settings)
        ensure_demo_key(settings)
        connect_private(settings.private_db).close()
    finally:
        os.umask(old)
    for folder in (settings.private_dir, settings.feedback):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in (settings.private_db, settings.demo_key_file):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_a_private_database_others_can_read_stops_the_run_with_the_fix(home: Path) -> None:
    settings = Settings(home=home, pseudonym_key=SecretStr(TEST_KEY))
    connect_private(settings.private_db).close()
    settings.private_db.chmod(0o644)
    with pytest.raises(HomeError) as refused:
        check_private(settings)
    assert f"chmod 700 {settings.private_dir} && chmod 600 {settings.private_dir}/*" in str(
        refused.value
    )
    before = snapshot(home)
    output = assert_clean_failure(invoke(["run", "--as-of", "2024-05-31"], home=home, key=TEST_KEY))
    assert "readable by other users" in output
    assert snapshot(home) == before
    subprocess.run(
        f"chmod 700 {settings.private_dir} && chmod 600 {settings.private_dir}/*",
        shell=True,
        check=True,
    )
    check_private(settings)


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("XH_2024-05.xlsx", "XH_2024-05_反馈.xlsx"),
        ("XH_2024-05_*.csv", "XH_2024-05_反馈.xlsx"),
        ("..XH_2024-05.xlsx", "..XH_2024-05_反馈.xlsx"),
    ],
)
def test_feedback_names_of_ordinary_returns_are_kept(file_name: str, expected: str) -> None:
    assert feedback_name(file_name) == expected


def test_feedback_names_of_long_returns_fit_and_stay_distinct(tmp_path: Path) -> None:
    a = "NF_2024-03_" + "很" * 78 + ".xlsx"
    b = "NF_2024-03_" + "很" * 77 + "长.xlsx"
    assert len(a.encode()) == 250
    names = {feedback_name(a), feedback_name(b)}
    assert len(names) == 2
    for name in names:
        assert name.startswith("NF_2024-03_很")
        assert name.endswith("_反馈.xlsx")
        assert len(name.encode()) <= 200
        (tmp_path / name).write_bytes(b"")  # the file system takes it


def test_inbox_entries_that_are_not_returns_are_set_aside_unread(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "XH_2024-05.xlsx").write_bytes(b"x")
    (inbox / "..XH_2024-05.xlsx").write_bytes(b"x")
    (inbox / "~$XH_2024-05.xlsx").write_bytes(b"x")
    (inbox / "WH_2024-05.xlsx").symlink_to("/etc/passwd")
    (inbox / "folder").mkdir()
    os.mkfifo(inbox / "JH_2024-05.xlsx")
    bad = os.fsencode(inbox) + b"/NF_2024-05_\xff.xlsx"
    with open(bad, "wb") as out:
        out.write(b"x")
    assert [s.name for s in discover_returns(inbox)] == ["XH_2024-05.xlsx"]
    aside = {e.name: e for e in set_aside(inbox)}
    assert {name: e.reason_code for name, e in aside.items()} == {
        "..XH_2024-05.xlsx": "FILE_IGNORED",
        "~$XH_2024-05.xlsx": "FILE_IGNORED",
        "WH_2024-05.xlsx": "FILE_SYMLINK",
        "folder": "FILE_NOT_REGULAR",
        "JH_2024-05.xlsx": "FILE_NOT_REGULAR",
        "NF_2024-05_\\xff.xlsx": "FILE_NAME_INVALID",
    }
    assert aside["WH_2024-05.xlsx"].size == 0  # the link's target was never opened
    assert isinstance(aside["folder"].mtime, datetime)


def test_counts_in_quarantine_messages_stay_readable_and_ids_are_masked(tmp_path: Path) -> None:
    """marts.quarantine's mask, on the messages it meets."""
    sql = (Path(__file__).parents[2] / "warehouse/marts/create_marts_quarantine.sql").read_text()
    start = sql.index("regexp_replace(")
    mask = sql[start : sql.index(") as message", start) + 1].replace("quarantine.message", "$m")
    con = duckdb.connect()
    cases = {
        "工作表有 1000001 行，上限 100000 行": "工作表有 1000001 行，上限 100000 行",
        "工作表有 1000001行、250列": "工作表有 1000001行、250列",
        "身份证号码 32070619900101123X 重复": "身份证号码 ****** 重复",
        "320706199001011234 行": "****** 行",
        "电话 13812345678": "电话 ******",
        "座机 0518-85812345。": "座机 0518-******。",
    }
    for message, expected in cases.items():
        assert con.execute(f"select {mask}", {"m": message}).fetchone() == (expected,)


def test_the_flow_itself_takes_the_lock_so_served_runs_do_too(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.nightly import nightly

    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", TEST_KEY)
    holder = _holder(home)
    try:
        before = snapshot(home)
        with pytest.raises(HomeBusy, match=f"pid {holder.pid}"):
            # The flow's body, as a served run executes it (no task has started yet).
            nightly.fn(as_of=date(2024, 5, 31), home=str(home))
        assert snapshot(home) == before
    finally:
        holder.kill()
        holder.wait()
