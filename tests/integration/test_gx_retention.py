"""GX validation results and Data Docs are kept for the last N nights only, with real GX runs
on the events sheet (no personal field) in one file-backed context."""

from __future__ import annotations

import pytest

from expectations import validate_sheet
from expectations.runner import build_data_docs
from foundation.settings import Settings
from tests.factories import raw_frame

pytestmark = pytest.mark.integration

NIGHTS = ["20240601T020000", "20240602T020000", "20240603T020000", "20240604T020000"]


@pytest.fixture(scope="module")
def gx_dir(tmp_path_factory: pytest.TempPathFactory, ref):
    from transforms.sheets import parse_sheet

    raw = raw_frame(
        "events",
        [
            {
                "event_name": "创业沙龙",
                "event_type": "创业沙龙",
                "held_on": "2024-05-10",
                "attendees": "25",
            }
        ],
    )
    typed, _ = parse_sheet("events", raw, ref)
    root = tmp_path_factory.mktemp("gx")
    for night in NIGHTS:
        validate_sheet("events", typed, root, night)
        build_data_docs(root, keep_nights=2)
    return root


def _runs(folder) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_dir()}


def test_only_the_last_two_nights_of_results_are_kept(gx_dir) -> None:
    results = gx_dir / "gx" / "uncommitted" / "validations" / "doorstep_events"
    assert _runs(results) == set(NIGHTS[-2:])


def test_data_docs_pages_of_older_nights_are_gone_and_unlisted(gx_dir) -> None:
    site = gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert _runs(site / "validations" / "doorstep_events") == set(NIGHTS[-2:])
    index = (site / "index.html").read_text(encoding="utf-8")
    assert NIGHTS[-1] in index
    assert not [n for n in NIGHTS[:-2] if n in index]


def test_retention_defaults_to_ninety_nights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOORSTEP_GX_RETENTION_NIGHTS", raising=False)
    assert Settings().gx_retention_nights == 90
    monkeypatch.setenv("DOORSTEP_GX_RETENTION_NIGHTS", "30")
    assert Settings().gx_retention_nights == 30
