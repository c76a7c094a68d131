"""The nightly deployment as `doorstep serve` serves it, and the as-of date it defaults to."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from prefect.client.schemas.objects import ConcurrencyLimitStrategy
from prefect.flows import load_flow_from_entrypoint
from prefect.settings import PREFECT_API_URL, temporary_settings

from doorstep.pipeline import yesterday_in_beijing
from flows.nightly import nightly
from flows.serve import nightly_deployment
from foundation.settings import Settings


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    # Built from a relative home in some other working directory, with an API URL that
    # nothing listens on: building the deployment must not need a Prefect server.
    monkeypatch.chdir(tmp_path)
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        return nightly_deployment(Settings(home=Path("state")))


def test_deployment_is_named_nightly_for_the_nightly_flow(deployment, tmp_path: Path) -> None:
    assert deployment.name == "nightly"
    assert deployment.flow_name == "doorstep-nightly"
    assert "doorstep" in deployment.tags


def test_deployment_runs_at_two_in_the_morning_beijing_time(deployment) -> None:
    assert len(deployment.schedules) == 1
    schedule = deployment.schedules[0]
    assert schedule.active
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Asia/Shanghai"


def test_deployment_passes_absolute_home_and_leaves_as_of_to_the_flow(
    deployment, tmp_path: Path
) -> None:
    # A relative home would depend on the folder a scheduled run starts in.
    assert deployment.parameters == {"home": str(tmp_path / "state")}
    # No as_of: each run takes the flow's default, yesterday in Beijing.
    assert inspect.signature(nightly.fn).parameters["as_of"].default is None


def test_deployment_entrypoint_imports_the_nightly_flow(deployment) -> None:
    # A module path, so the served flow is found whatever the working directory.
    assert deployment.entrypoint == "flows.nightly.nightly"
    # As the runner loads it for a scheduled run (we are in another directory here).
    assert load_flow_from_entrypoint(deployment.entrypoint).name == nightly.name


def test_deployment_runs_one_night_at_a_time_and_cancels_the_new_one(deployment) -> None:
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options is not None
    assert deployment.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.CANCEL_NEW


def test_deployment_parameters_match_the_flow_signature(deployment) -> None:
    assert set(deployment.parameters) <= set(inspect.signature(nightly.fn).parameters)


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 2024-06-01 01:00 in Beijing is still 2024-05-31 in UTC: yesterday is 31 May.
        (datetime(2024, 5, 31, 17, 0, tzinfo=UTC), date(2024, 5, 31)),
        # The 02:00 run: 2024-06-01 02:00 Beijing.
        (datetime(2024, 5, 31, 18, 0, tzinfo=UTC), date(2024, 5, 31)),
        # One minute before midnight in Beijing, 31 May: yesterday is 30 May.
        (datetime(2024, 5, 31, 15, 59, tzinfo=UTC), date(2024, 5, 30)),
        # Midnight in Beijing on New Year's Day: yesterday is the last day of the old year.
        (datetime(2023, 12, 31, 16, 0, tzinfo=UTC), date(2023, 12, 31)),
        # Leap day.
        (datetime(2024, 2, 29, 18, 0, tzinfo=UTC), date(2024, 2, 29)),
    ],
)
def test_yesterday_in_beijing_at_day_boundaries(utc: datetime, expected: date) -> None:
    assert yesterday_in_beijing(utc) == expected


def test_yesterday_in_beijing_ignores_the_zone_it_is_given_in() -> None:
    same_instant = datetime(2024, 5, 31, 17, 0, tzinfo=UTC)
    new_york = same_instant.astimezone(timezone(timedelta(hours=-4)))
    assert yesterday_in_beijing(new_york) == date(2024, 5, 31)


def test_yesterday_in_beijing_defaults_to_now() -> None:
    before = yesterday_in_beijing(datetime.now(UTC))
    value = yesterday_in_beijing()
    after = yesterday_in_beijing(datetime.now(UTC))
    assert before <= value <= after
