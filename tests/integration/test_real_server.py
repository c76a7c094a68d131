"""The production set-up of the README, as an operator types it: `prefect server start` with
its own PREFECT_HOME (SQLite), `doorstep serve` against it with PREFECT_API_URL, and one
run triggered through the API instead of waiting for 02:00.

Both are real processes on a free port; they are stopped (their whole process groups)
whatever the outcome.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from foundation.settings import Settings
from tests.conftest import TEST_KEY
from tests.integration.small_home import write_demo_returns

pytestmark = [pytest.mark.integration]

BIN = Path(sys.executable).parent
STARTUP_SECONDS = 180  # a busy two-core machine; typically 15 s
RUN_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(prefect_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        **extra,
    )
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _wait_until(check: Any, what: str, processes: list[subprocess.Popen[bytes]]) -> Any:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for p in processes:
            assert p.poll() is None, f"{p.args} exited with {p.returncode} while waiting for {what}"
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"no {what} after {STARTUP_SECONDS} s")


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("real-server")
    home = root / "home"
    write_demo_returns(home / "inbox", {"XH_2024-05.xlsx"})
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(
            root / "prefect-server",
            # The scheduler fills in the 02:00 runs every few seconds instead of every minute.
            PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",
            # No browser here: the API alone starts sooner.
            PREFECT_SERVER_UI_ENABLED="false",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    processes = [server]
    try:
        _wait_until(lambda: _healthy(api), "healthy Prefect server", processes)
        serve = subprocess.Popen(
            [str(BIN / "doorstep"), "serve", "--home", str(home)],
            env=_env(
                root / "prefect-client",
                PREFECT_API_URL=api,
                DOORSTEP_PSEUDONYM_KEY=TEST_KEY,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(serve)
        _wait_until(lambda: asyncio.run(_deployment(api)), "nightly deployment", processes)
        yield api, home
    finally:
        for process in reversed(processes):
            _stop(process)


async def _deployment(api: str) -> Any:
    from prefect.client.orchestration import PrefectClient
    from prefect.exceptions import ObjectNotFound

    async with PrefectClient(api) as client:
        try:
            return await client.read_deployment_by_name("doorstep-nightly/nightly")
        except ObjectNotFound:
            return None


@pytest.fixture(scope="module")
def run(served) -> tuple[Any, list[Any]]:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api, _ = served
    with temporary_settings({PREFECT_API_URL: api}):
        flow_run = run_deployment(
            "doorstep-nightly/nightly",
            parameters={"as_of": date(2024, 5, 31)},
            timeout=RUN_SECONDS,
            poll_interval=1,
        )

    async def artifacts() -> list[Any]:
        async with PrefectClient(api) as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])
                )
            )

    return flow_run, asyncio.run(artifacts())


def test_a_run_triggered_through_the_api_completes(run) -> None:
    flow_run, _ = run
    assert flow_run.state is not None
    assert flow_run.state.is_completed(), flow_run.state.message
    assert flow_run.state.message.startswith("completed")


def test_the_served_run_leaves_its_artifacts_and_its_bulletin(run, served) -> None:
    _, home = served
    _, artifacts = run
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {"doorstep-night", "doorstep-register"}
    assert "XH_2024-05.xlsx" in by_key["doorstep-night"].data
    assert (home / "bulletins" / "drafts" / "2024-05.pdf").stat().st_size > 0


def test_status_shows_the_served_deployment_and_its_next_run(run, served) -> None:
    from doorstep.status import gather

    api, home = served
    status = _wait_until(
        lambda: (s := gather(Settings(home=home), api)).next_run and s,
        "scheduled run",
        [],
    )
    assert status.served
    assert status.last_run.source == "prefect"
    assert status.last_run.state == "Completed"
    # The schedule is 02:00 Asia/Shanghai: 18:00 UTC the day before.
    assert "T18:00:00" in status.next_run
