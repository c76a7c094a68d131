"""The monthly cycle from the command line: `receive`, `backfill`, `publish`, each with its
clock given, on one station's real return."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from doorstep.demo.generate import build_demo_returns
from doorstep.returns_xlsx import write_return_workbook
from tests.integration.test_cli import KEY, assert_clean_failure, invoke

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def may_return(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outbox")
    for name, cover, sm, _ in build_demo_returns():
        if name == "XH_2024-05.xlsx":
            return write_return_workbook(folder / name, cover, sm.sheets)
    raise AssertionError("the demo has XH's May return")


def test_receive_backfill_publish(tmp_path: Path, may_return: Path) -> None:
    home = tmp_path / "home"
    # A delivery cannot be dated after the time it is recorded.
    late = invoke(["receive", str(may_return), "--at", "2999-01-01 00:00"], home=home, key=KEY)
    assert "later than now" in assert_clean_failure(late)

    got = invoke(["receive", str(may_return), "--at", "2024-06-03 09:00"], home=home, key=KEY)
    assert got.exit_code == 0, got.output
    assert (home / "inbox" / may_return.name).read_bytes() == may_return.read_bytes()
    (entry,) = [
        json.loads(line)
        for line in (home / "private" / "deliveries.jsonl").read_text("utf-8").splitlines()
    ]
    assert (entry["file_name"], entry["arrived_at"]) == (may_return.name, "2024-06-03 09:00:00")

    # Not due on 5 June: nothing to publish yet.
    early = invoke(
        ["backfill", "--from", "2024-05", "--to", "2024-05", "--now", "2024-06-05 12:00"],
        home=home,
        key=KEY,
    )
    assert early.exit_code == 0, early.output
    assert "Recorded 1 returns" in early.output
    assert "Nothing to publish" in early.output

    done = invoke(
        ["backfill", "--from", "2024-05", "--to", "2024-05", "--now", "2024-06-07 02:00"],
        home=home,
        key=KEY,
    )
    assert done.exit_code == 0, done.output
    assert "2024年第1期 (2024-05), known at 2024-06-06 00:00" in done.output
    issue = home / "bulletins" / "issues" / "2024-05.pdf"
    published = issue.read_bytes()

    again = invoke(
        ["backfill", "--from", "2024-05", "--to", "2024-05", "--now", "2024-06-08 02:00"],
        home=home,
        key=KEY,
    )
    assert again.exit_code == 0, again.output
    assert "Nothing to publish" in again.output
    twice = invoke(
        ["publish", "--period", "2024-05", "--now", "2024-06-08 02:00"], home=home, key=KEY
    )
    assert "already published" in assert_clean_failure(twice)
    unfinished = invoke(
        ["publish", "--period", "2024-06", "--now", "2024-06-08 02:00"], home=home, key=KEY
    )
    assert "not over" in assert_clean_failure(unfinished)
    assert issue.read_bytes() == published

    # An unrecorded file in an issue's place is replaced only when a killed publish's
    # working folder holds its bytes; any other (an issue whose register row a restore
    # lost, say) is refused and kept.
    foreign = home / "bulletins" / "issues" / "2024-04.pdf"
    foreign.write_bytes(b"%PDF-1.7 not ours")
    (home / ".publish-left").mkdir()
    (home / ".publish-left" / "issue.pdf").write_bytes(b"%PDF-1.7 another rendering")
    refused = invoke(
        ["publish", "--period", "2024-04", "--now", "2024-06-08 02:00"], home=home, key=KEY
    )
    assert "is not this issue" in assert_clean_failure(refused)
    assert foreign.read_bytes() == b"%PDF-1.7 not ours"
