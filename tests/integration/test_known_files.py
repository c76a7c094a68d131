"""A file received on an earlier night is never read again; a copy of it under a new name
is put on record as a duplicate and loads nothing (returns.md §4.10)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from doorstep import pipeline
from doorstep.demo import generate_demo_returns
from tests.factories import query

pytestmark = pytest.mark.integration


def _night(settings) -> pipeline.LoadSummary:
    ctx = pipeline.run_context(settings)
    batch = pipeline.validate(pipeline.ingest(ctx, workers=1), ctx)
    pipeline.feedback(batch, ctx)
    return pipeline.load(batch, ctx)


def _files(settings) -> list[tuple[str, str | None]]:
    return query(settings.private_db, "select file_name, outcome from raw.files order by file_name")


def test_copy_of_an_earlier_nights_file_is_recorded_not_loaded(settings, tmp_path: Path):
    demo = tmp_path / "demo"
    generate_demo_returns(demo)
    original = demo / "XH_2023-01.xlsx"
    shutil.copy2(original, settings.inbox / original.name)

    first = _night(settings)
    assert (first.returns_read, first.returns_loaded, first.duplicates) == (1, 1, 0)

    copy = settings.inbox / "星化社区1月报表(1).xlsx"
    shutil.copy2(original, copy)
    os.utime(copy, (original.stat().st_mtime + 86400,) * 2)
    second = _night(settings)
    assert (second.returns_read, second.rows_loaded, second.duplicates) == (0, 0, 1)
    assert _files(settings) == [
        ("XH_2023-01.xlsx", "accepted"),
        ("星化社区1月报表(1).xlsx", "duplicate"),
    ]

    third = _night(settings)
    assert (third.returns_read, third.duplicates) == (0, 0)
    assert len(_files(settings)) == 2
