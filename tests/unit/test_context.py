"""The run's context: built once at the edge, immutable, the one source of the on-time
day, and never a way for the key to reach Prefect or a log line."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from doorstep.context import run_context
from foundation.reference import REFERENCE_DIR, on_time_day
from tests.conftest import TEST_KEY
from tests.factories import settings_at

NOW = datetime(2024, 6, 6, 2, 0)


def test_the_context_holds_the_nights_facts_and_cannot_be_changed(tmp_path: Path) -> None:
    ctx = run_context(settings_at(tmp_path / "home"), now=NOW)
    assert ctx.as_of == date(2024, 6, 5)  # the day before the clock
    assert ctx.run_name == "20240606T020000"
    assert ctx.key == TEST_KEY.encode()
    assert TEST_KEY not in repr(ctx)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.now = datetime(2024, 7, 6)  # type: ignore[misc]


def test_the_on_time_day_is_read_from_the_reference_data_only(tmp_path: Path) -> None:
    written = yaml.safe_load((REFERENCE_DIR / "publication.yaml").read_text(encoding="utf-8"))
    assert on_time_day() == written["on_time_day"] == 5  # returns.md §6
    ctx = run_context(settings_at(tmp_path / "home"), now=NOW)
    assert ctx.on_time_day == written["on_time_day"]
    assert not hasattr(ctx.settings, "on_time_day")


def test_a_view_at_another_year_takes_that_years_targets(tmp_path: Path) -> None:
    ctx = run_context(settings_at(tmp_path / "home"), now=NOW, as_of=date(2024, 5, 31))
    assert ctx.targets == ctx.ref.targets(2024) and ctx.targets
    issue = ctx.seeing(date(2023, 12, 31), datetime(2024, 1, 6), clock=datetime(2024, 1, 6))
    assert issue.targets == ctx.ref.targets(2023) != ctx.targets
    assert (issue.now, issue.known_at, ctx.now) == (datetime(2024, 1, 6), datetime(2024, 1, 6), NOW)


def test_prefect_records_the_settings_parameter_without_the_key(tmp_path: Path) -> None:
    from flows.nightly import nightly

    settings = settings_at(tmp_path / "home")
    recorded = nightly.serialize_parameters({"settings": settings, "as_of": date(2024, 5, 31)})
    assert TEST_KEY not in repr(recorded)
    assert recorded["settings"]["home"] == str(settings.home)
