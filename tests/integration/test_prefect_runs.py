"""The nightly flow under a real (temporary) Prefect server: what a run leaves in the UI,
and which failures are retried.

One small home (two demo returns of May 2024, one row of XN's refused) runs the real
flow once; the retry tests run the real ingest task against a private database that
another process holds locked, and a task with the same retry options that fails for a
reason no retry can mend.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from doorstep import progress
from foundation.reference import load_reference
from foundation.settings import Settings
from tests.conftest import TEST_KEY
from tests.factories import settings_at
from tests.integration.small_home import write_demo_returns

pytestmark = [pytest.mark.integration]

AS_OF = date(2024, 5, 31)
# The run's clock (Beijing): past May's deadline (5 June), so May's issue falls due tonight,
# the returns recorded tonight are late, and the stations without one are missing.
NOW = datetime(2024, 6, 6, 2, 0)
RETURNS = {"XH_2024-05.xlsx", "XN_2024-05.xlsx"}


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


async def _read(call: str, *args: Any, **kwargs: Any) -> Any:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await getattr(client, call)(*args, **kwargs)


def _artifacts(flow_run_id: Any) -> dict[str, Any]:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    found = asyncio.run(
        _read(
            "read_artifacts",
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])),
        )
    )
    return {a.key: a for a in found}


@pytest.fixture(scope="module")
def night(harness, tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):
    from flows.nightly import nightly

    home = tmp_path_factory.mktemp("artifacts") / "home"
    write_demo_returns(home / "inbox", RETURNS)
    monkeypatch_module.setenv("DOORSTEP_PSEUDONYM_KEY", TEST_KEY)
    # What a person at a terminal would see, recorded instead of drawn.
    seen = Recorder()
    monkeypatch_module.setattr(progress, "_display", seen)
    state = nightly(as_of=AS_OF, home=str(home), now=NOW, return_state=True)
    monkeypatch_module.setattr(progress, "_display", None)
    assert state.is_completed(), state.message
    flow_run_id = state.state_details.flow_run_id
    return Night(home, _artifacts(flow_run_id), seen.events, _logs(flow_run_id))


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, int | None]] = []

    def start(self, step: str) -> None:
        self.events.append(("start", step, None))

    def total(self, step: str, total: int) -> None:
        self.events.append(("total", step, total))

    def advance(self, step: str) -> None:
        self.events.append(("advance", step, None))

    def finish(self, step: str) -> None:
        self.events.append(("finish", step, None))


@dataclass
class Night:
    home: Path
    artifacts: dict[str, Any]
    progress: list[tuple[str, str, int | None]]
    logs: list[Any]

    def __iter__(self):  # home, artifacts = night
        return iter((self.home, self.artifacts))


def _logs(flow_run_id: Any) -> list[Any]:
    """The run's log as the UI shows it, once its last line has been shipped (Prefect sends
    log lines to the server in batches, in the background)."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    only_this_run = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
    deadline = time.monotonic() + 60
    while True:
        logs = list(asyncio.run(_read("read_logs", log_filter=only_this_run)))
        last = [x for x in logs if x.task_run_id is None and "Finished in state" in x.message]
        if last or time.monotonic() > deadline:
            return logs
        time.sleep(0.5)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_the_run_leaves_a_markdown_summary_of_the_night(night) -> None:
    home, artifacts = night
    ref = load_reference()
    summary = artifacts["doorstep-night"]
    assert summary.type == "markdown"
    text = summary.data
    # Each return under its station's registered name, with what was decided.
    for code in ("XH", "XN"):
        line = next(x for x in text.splitlines() if ref.stations[code].name in x)
        assert f"{code}_2024-05.xlsx" in line
        assert "已入库" in line
    # XN's May return has one placement dated after its period: quarantined, by reason.
    reason = ref.reasons["PLACED_AFTER_PERIOD"]
    assert f"| PLACED_AFTER_PERIOD | {reason.message_zh} | 1 |" in text
    assert str(home / "bulletins" / "drafts" / "2024-05.pdf") in text
    assert str(home / "bulletins" / "issues" / "2024-05.pdf") in text  # May's issue, out tonight
    assert summary.description.startswith("completed, with quarantines")


def test_the_summary_gives_headline_figures_in_their_idioms(night) -> None:
    from tests.factories import query

    home, artifacts = night
    (persons,) = query(
        home / "doorstep.duckdb",
        "select text from marts.figures where figure = 'F01' and measure = 'persons' "
        "and station is null and category is null",
    )[0]
    f01 = next(x for x in artifacts["doorstep-night"].data.splitlines() if x.startswith("| F01"))
    assert f01.endswith(f"| {persons} |")


def test_the_run_leaves_the_register_as_a_table(night) -> None:
    _, artifacts = night
    ref = load_reference()
    register = artifacts["doorstep-register"]
    assert register.type == "table"
    rows = json.loads(register.data) if isinstance(register.data, str) else register.data
    # Every expected station-month of 2024 up to May: delivered or 缺报.
    expected = sum(
        1
        for s in ref.stations.values()
        for m in range(1, 6)
        if s.opened_on <= date(2024, m, 28) or s.opened_on.year < 2024
    )
    assert len(rows) >= expected
    xh_may = [
        r for r in rows if r["服务站"] == ref.stations["XH"].name and r["报告期"] == "2024-05"
    ]
    assert [r["状态"] for r in xh_may] == ["逾期"]
    assert xh_may[0]["文件"] == "XH_2024-05.xlsx"
    assert {r["状态"] for r in rows} <= {"按时", "逾期", "重报", "缺报", "退回", "暂缓", "未到期"}


def test_no_personal_value_reaches_the_artifacts(night) -> None:
    from doorstep.demo.generate import build_demo_returns

    _, artifacts = night
    personal = {
        str(row[k])
        for name, _, content, _ in build_demo_returns()
        if name in RETURNS
        for rows in content.sheets.values()
        for row in rows
        for k in ("name", "id_number", "disability_cert", "phone", "head_name", "head_id_number")
        if row.get(k)
    }
    assert personal
    text = "\n".join(str(a.data) for a in artifacts.values())
    assert not [v for v in personal if v in text]


def test_a_watching_person_sees_a_bar_per_step_with_the_files_read(night) -> None:
    steps = ["ingest", "validate", "feedback", "load", "publish", "figures", "dictionary", "draft"]
    assert [step for kind, step, _ in night.progress if kind == "finish"] == steps
    started = [step for kind, step, _ in night.progress if kind == "start"]
    assert list(dict.fromkeys(started)) == steps
    assert ("total", "ingest", 2) in night.progress  # two returns to read
    assert sum(1 for e in night.progress if e[:2] == ("advance", "ingest")) == 2


def test_the_prefect_log_has_one_line_per_step_and_no_line_per_file(night) -> None:
    import logging

    ours = [
        log
        for log in night.logs
        if log.task_run_id is not None
        and log.level >= logging.INFO
        and not log.message.startswith("Finished in state")
    ]
    per_task: dict[Any, list[str]] = {}
    for log in ours:
        per_task.setdefault(log.task_run_id, []).append(log.message)
    assert len(per_task) == 8
    assert all(len(lines) == 1 for lines in per_task.values()), per_task
    assert not [m for m in ours if "XH_2024-05.xlsx" in m.message]


# ------------------------------------------------------------------------------ status


def _harness_api_url() -> str:
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    assert url
    return str(url)


def _opened_by_may(ref) -> set[str]:
    return {c for c, s in ref.stations.items() if s.opened_on <= date(2024, 5, 31)}


def test_status_reads_the_last_run_from_prefect_and_the_month_from_the_register(night) -> None:
    from doorstep.status import gather, render

    ref = load_reference()
    status = gather(Settings(home=night.home), _harness_api_url())
    assert status.last_run is not None
    assert status.last_run.source == "prefect"
    assert status.last_run.state == "Completed"
    assert (status.last_run.summary or "").startswith("completed, with quarantines")
    assert not status.served and status.next_run is None
    assert status.month is not None and status.month.period == "2024-05"
    groups = {g: {m["station_code"] for m in ms} for g, ms in status.month.groups.items()}
    assert groups["已收到"] == {"XH", "XN"}
    assert groups["缺报"] == _opened_by_may(ref) - {"XH", "XN"}
    assert groups["未到期"] == set()
    assert status.last_bulletin is not None
    assert status.last_bulletin["issue_no"] == "2024年第1期"
    assert str(status.last_bulletin["as_of"]) == "2024-05-31"
    text = render(status)
    assert "2024年第1期" in text and "XH（逾期）" in text


def test_status_without_prefect_shows_what_the_run_recorded(night) -> None:
    from doorstep.status import gather

    recorded = gather(Settings(home=night.home), None).last_run
    from_prefect = gather(Settings(home=night.home), _harness_api_url()).last_run
    assert recorded is not None and from_prefect is not None
    assert recorded.source == "doorstep"
    assert recorded.summary == from_prefect.summary
    assert recorded.name == from_prefect.name


def test_status_says_so_when_the_prefect_server_does_not_answer(night) -> None:
    from doorstep.status import gather

    status = gather(Settings(home=night.home), "http://127.0.0.1:9/api")
    assert status.last_run is not None and status.last_run.source == "doorstep"
    assert any("does not answer" in note for note in status.notes)


def test_status_command_prints_the_month_and_the_last_bulletin(night) -> None:
    from typer.testing import CliRunner

    from doorstep.cli import app

    result = CliRunner().invoke(
        app, ["status", "--home", str(night.home)], env={"PREFECT_API_URL": ""}
    )
    assert result.exit_code == 0, result.output
    assert "2024-05" in result.output
    assert "XN（逾期）" in result.output
    assert "2024年第1期" in result.output
    as_json = CliRunner().invoke(
        app, ["status", "--json", "--home", str(night.home)], env={"PREFECT_API_URL": ""}
    )
    assert json.loads(as_json.output)["last_bulletin"]["issue_no"] == "2024年第1期"


# ------------------------------------------------------------------------------ retries


def _run_count(state: Any) -> int:
    task_run = asyncio.run(_read("read_task_run", state.state_details.task_run_id))
    return int(task_run.run_count)


def test_ingest_is_tried_again_while_another_process_locks_the_warehouse(
    harness, tmp_path: Path
) -> None:
    from prefect import flow

    from doorstep.context import run_context
    from flows.nightly import ingest
    from warehouse.db import connect_private

    settings = settings_at(tmp_path / "home")
    write_demo_returns(settings.inbox, {"XH_2024-05.xlsx"})
    connect_private(settings.private_db).close()
    ctx = run_context(settings, now=NOW)  # the flow builds it before the lock is taken
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(settings.private_db)!r})\n"
            "print('locked', flush=True)\n"
            "time.sleep(4)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"

        @flow
        def night():
            return ingest.with_options(retries=4, retry_delay_seconds=2)(ctx, return_state=True)

        state = night()
    finally:
        locker.wait(timeout=60)
    assert state.is_completed(), state.message
    assert _run_count(state) >= 2  # the first try met the lock
    assert [r.file_name for r in state.result().returns] == ["XH_2024-05.xlsx"]


def test_an_error_no_retry_can_mend_fails_at_once_with_its_message(harness) -> None:
    from prefect import flow, task

    from flows.retry import IO_RETRIES

    @task(**{**IO_RETRIES, "retry_delay_seconds": 0})
    def check() -> None:
        raise ValueError("placements: a rule could not run")

    states: list[Any] = []

    @flow
    def night() -> None:
        states.append(check(return_state=True))

    night(return_state=True)
    (state,) = states
    assert state.is_failed()
    assert "placements: a rule could not run" in state.message
    assert _run_count(state) == 1
