"""Reading returns in worker processes, each bounded in time (doorstep/ingest/worker.py),
and skipping files loaded before without parsing them (pipeline.ingest).

A file that takes too long, or whose worker process dies, is rejected on its own and the
rest of the night goes on. All ID numbers are synthetic.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

from doorstep import pipeline
from doorstep.ingest import ParsedReturn, ReturnSource, discover_returns, read_return
from doorstep.ingest import source_digest as digest_of
from doorstep.ingest.worker import read_returns
from foundation.reference import Reference
from foundation.settings import Settings
from tests.factories import query
from tests.integration.test_ingest_broken_files import edit_sheet_xml, good_workbook, ole_file
from tests.integration.test_ingest_csv import csv_text, write_csv_set
from tests.integration.test_ingest_xlsx import PLACEMENT_HEADER, REF, codes, placement_row

# A small return reads in ~0.3 s in a fresh worker; the slow one below needs ~4 s.
TIMEOUT = 1.0
ROWS = 300_000
LIMITS = {"max_rows": ROWS + 1, "parse_timeout_seconds": TIMEOUT}


def slow_csv(path: Path) -> Path:
    """A 33 MB placements CSV of ROWS rows (the default `max_rows` is 100 000)."""
    table: list[list[object]] = [list(PLACEMENT_HEADER), placement_row(1)]
    header, row = csv_text(table).split("\r\n", 1)
    rest = row.split(",", 1)[1]
    body = "".join(f"{n},{rest}" for n in range(1, ROWS + 1))
    path.write_bytes(f"{header}\r\n{body}".encode())
    return path


def crash_on_name(source: ReturnSource, ref: Reference, settings: Settings) -> ParsedReturn:
    """A reader whose process dies, as a native reader aborting would, on files named CRASH*."""
    if source.name.startswith("CRASH"):
        os._exit(134)
    return read_return(source, ref, settings)


def single(path: Path) -> ReturnSource:
    return ReturnSource.single(path)


def test_results_are_those_of_read_return_in_the_order_of_sources(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good_workbook(inbox / "XH_2024-05.xlsx")
    write_csv_set(inbox, stem="XF_2024-05", code="XF")
    (inbox / "WH_2024-05.xlsx").write_bytes(b"")
    ole_file(inbox / "JH_2024-05.xls", encrypted=False)
    sources = discover_returns(inbox, REF)
    progress: list[tuple[int, int, str]] = []

    got = list(
        read_returns(sources, REF, Settings(), workers=2, on_progress=lambda *a: progress.append(a))
    )

    expected = [read_return(s, REF, Settings()) for s in sources]
    assert [p.file_name for p in got] == [s.name for s in sources]
    for mine, theirs in zip(got, expected, strict=True):
        assert (mine.sha256, mine.issues, mine.rejected, mine.station_code, mine.period) == (
            theirs.sha256,
            theirs.issues,
            theirs.rejected,
            theirs.station_code,
            theirs.period,
        )
        assert mine.sheets.keys() == theirs.sheets.keys()
        assert all(mine.sheets[k].equals(theirs.sheets[k]) for k in mine.sheets)
    assert got[-1].sheets["placements"].height == 1  # XH, read for real
    assert [(done, total) for done, total, _ in progress] == [(i, 4) for i in range(1, 5)]
    assert sorted(name for _, _, name in progress) == sorted(s.name for s in sources)


def test_file_that_takes_too_long_is_rejected_and_the_next_files_are_read(tmp_path: Path):
    slow = slow_csv(tmp_path / "XH_2024-05_big.csv")
    empty = tmp_path / "WH_2024-05.xlsx"
    empty.write_bytes(b"")
    xls = ole_file(tmp_path / "XF_2024-05.xls", encrypted=False)
    settings = Settings(**LIMITS)  # type: ignore[arg-type]

    # One worker: the files after the slow one need the worker that replaced the killed one.
    got = list(read_returns([single(slow), single(empty), single(xls)], REF, settings, workers=1))

    assert [codes(p) for p in got] == [["FILE_TIMEOUT"], ["FILE_EMPTY"], ["FILE_XLS_OLD_FORMAT"]]
    timed_out = got[0]
    assert timed_out.rejected and timed_out.sheets == {}
    assert "1 秒" in timed_out.issues[0].detail
    assert timed_out.sha256 == hashlib.sha256(slow.read_bytes()).hexdigest()
    assert timed_out.size == slow.stat().st_size
    assert "FILE_TIMEOUT" in REF.reasons
    assert not [p for p in multiprocessing.active_children() if p.name == "doorstep-reader"]


def test_worker_that_dies_rejects_only_its_file(tmp_path: Path):
    good = good_workbook(tmp_path / "XH_2024-05.xlsx")
    crash = tmp_path / "CRASH_2024-05.xlsx"
    crash.write_bytes(good.read_bytes() + b"\x00")
    (tmp_path / "resent").mkdir()
    other = good_workbook(tmp_path / "resent" / "XH_2024-05.xlsx")
    sources = [single(crash), single(good), single(crash), single(other)]

    got = list(read_returns(sources, REF, Settings(), workers=2, reader=crash_on_name))

    assert [p.file_name for p in got] == [s.name for s in sources]
    assert [codes(p) for p in got] == [["FILE_CORRUPT"], [], ["FILE_CORRUPT"], []]
    assert got[0].rejected and "134" in got[0].issues[0].detail
    assert got[0].sha256 == hashlib.sha256(crash.read_bytes()).hexdigest()
    assert got[1].sheets["placements"].height == 1 and got[3].sheets["placements"].height == 1


def _huge_allocations_fail() -> bool:
    """Linux refuses a 550 GB allocation up front unless overcommit is 'always' (1)."""
    try:
        return Path("/proc/sys/vm/overcommit_memory").read_text().strip() != "1"
    except OSError:
        return False


@pytest.mark.skipif(not _huge_allocations_fail(), reason="would allocate instead of aborting")
def test_native_reader_aborting_rejects_only_that_file(tmp_path: Path):
    # guards.py keeps a far-away cell from calamine. With its limits raised, calamine asks
    # for a dense grid of 17 billion cells and aborts the process: the real reader crashing.
    def far_cell(xml: str) -> str:
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    good = good_workbook(tmp_path / "good.xlsx")
    member = "xl/worksheets/sheet2.xml"
    far = edit_sheet_xml(good, tmp_path / "XH_2024-05.xlsx", member, far_cell)
    relaxed = Settings(max_rows=2_000_000, max_columns=20_000)

    got = list(read_returns([single(far), single(good)], REF, relaxed, workers=1))

    assert [codes(p) for p in got] == [["FILE_CORRUPT"], []]
    assert "异常退出" in got[0].issues[0].detail
    assert got[1].sheets["placements"].height == 1


def test_source_digest_is_the_return_id_read_return_gives(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good_workbook(inbox / "XH_2024-05.xlsx")
    write_csv_set(inbox, stem="XF_2024-05", code="XF")
    (inbox / "WH_2024-05.xlsx").write_bytes(b"")
    sources = [*discover_returns(inbox, REF), single(tmp_path / "gone.xlsx")]
    assert [s.is_csv_set for s in sources].count(True) == 1
    for settings in (Settings(), Settings(max_file_bytes=1000)):  # oversize: hashed unread
        for source in sources:
            assert digest_of(source, settings) == read_return(source, REF, settings).sha256


def test_known_files_are_skipped_unread_and_the_night_goes_on_after_a_bad_file(
    settings: Settings, caplog: pytest.LogCaptureFixture
):
    inbox = settings.inbox
    good = good_workbook(inbox / "XH_2024-05.xlsx")
    copy = inbox / "XH_2024-05 (2).xlsx"  # the same bytes sent again two hours later
    shutil.copyfile(good, copy)
    delivered = good.stat().st_mtime
    os.utime(copy, (delivered + 7200, delivered + 7200))
    slow_csv(inbox / "JH_2024-05_big.csv")
    quick = settings.model_copy(update=LIMITS)

    ctx = pipeline.run_context(quick)
    batch = pipeline.ingest(ctx)
    assert [(p.file_name, codes(p)) for p in batch.returns] == [
        ("JH_2024-05_big.csv", ["FILE_TIMEOUT"]),
        ("XH_2024-05.xlsx", []),  # the first delivered, though " (2)" sorts before "."
    ]
    assert [d.file_name for d in batch.duplicates] == ["XH_2024-05 (2).xlsx"]
    assert batch.duplicates[0].sha256 == batch.returns[1].sha256
    pipeline.load(batch, ctx)  # records the files (validation is beside the point here)
    files = query(settings.private_db, "select file_name, outcome, reason_code from raw.files")
    assert sorted(files) == [
        ("JH_2024-05_big.csv", "rejected", "FILE_TIMEOUT"),
        ("XH_2024-05 (2).xlsx", "duplicate", "FILE_DUPLICATE"),
        ("XH_2024-05.xlsx", "accepted", None),
    ]

    # Night two, with all the time in the world: the three known files are not handed to
    # the reader again (the slow one would now be read in full), only the new one is.
    good_workbook(inbox / "XF_2024-05.xlsx")
    caplog.set_level(logging.DEBUG, logger="doorstep")  # per-file lines are at DEBUG
    logger = logging.getLogger("doorstep")  # Prefect's logging set-up stops propagation
    logger.addHandler(caplog.handler)
    try:
        batch = pipeline.ingest(pipeline.run_context(settings))
    finally:
        logger.removeHandler(caplog.handler)
    assert [p.file_name for p in batch.returns] == ["XF_2024-05.xlsx"] and not batch.duplicates
    assert "4 returns, 3 loaded before (not read), 0 duplicates, 1 to read" in caplog.text
    assert "[1/1] XF_2024-05.xlsx: " in caplog.text
