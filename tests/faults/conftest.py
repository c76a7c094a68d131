"""The fault suite's machinery: one Prefect server and one warmed-up interpreter per
module, and a small home built once and copied for every case.

Cost, measured on the 2-core machine: a `doorstep run` subprocess spends 15–30 s
starting Prefect's temporary server and ~15 s more importing Prefect and Great
Expectations before a 2-second night. The suite makes some twenty runs, so every run
reports to one `prefect server` started here (PREFECT_API_URL, as an operator's
production set-up does) and is forked from `forkserver.py`, which has done the
imports once: ~5 s a run instead of ~50. Runs that must prove something about start-up
itself (a read-only home, a second run refused before Prefect starts) are real
`doorstep` subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY

REPO = Path(__file__).resolve().parents[2]
DOORSTEP = Path(sys.executable).with_name("doorstep")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory):
    """A real `prefect server` with a throw-away PREFECT_HOME, for every run of the module."""
    prefect_home = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    log = (prefect_home / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("prefect")),
            *("server", "start", "--host", "127.0.0.1", "--port", str(port)),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "prefect server did not start: "
                    + (prefect_home / "server.log").read_text(errors="replace")[-2000:]
                )
            time.sleep(0.5)
        yield {"PREFECT_API_URL": url, "PREFECT_HOME": str(prefect_home)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@dataclass
class Outcome:
    exit: int | None  # None when killed by a signal
    signal: int | None
    output: str
    seconds: float


class Runner:
    """`doorstep …` runs forked from the warmed-up interpreter of forkserver.py."""

    def __init__(self, api: dict[str, str], workdir: Path):
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "DOORSTEP_PSEUDONYM_KEY": TEST_KEY,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
            "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
            "PREFECT_LOGGING_LOG_PRINTS": "false",
            **api,
        }
        self.workdir = workdir
        self.count = 0
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("forkserver.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, **self.env},
        )
        ready = self._read(timeout=300)
        assert "ready" in ready, ready

    def _read(self, timeout: float) -> dict:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"forkserver exited ({self.proc.poll()})")
        return json.loads(line)

    def _ask(self, request: dict) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read(timeout=600)

    def start(
        self,
        argv: list[str],
        *,
        fault: str | None = None,
        action: str | None = None,
        nth: int | None = None,
    ):
        self.count += 1
        out = self.workdir / f"run-{self.count}.log"
        env = dict(self.env)
        if fault:
            env["DOORSTEP_FAULT_POINT"] = fault
        if action:
            env["DOORSTEP_FAULT_ACTION"] = action
        if nth:
            env["DOORSTEP_FAULT_NTH"] = str(nth)
        pid = self._ask(
            {"op": "start", "argv": argv, "env": env, "cwd": str(self.workdir), "out": str(out)}
        )["pid"]
        return Started(self, pid, out, time.monotonic())

    def run(self, argv: list[str], **kw) -> Outcome:
        return self.start(argv, **kw).wait()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@dataclass
class Started:
    runner: Runner
    pid: int
    out: Path
    t0: float

    def wait(self, timeout: float = 600) -> Outcome:
        reply = self.runner._ask({"op": "wait", "pid": self.pid, "timeout": timeout})
        if reply["exit"] is None and reply["signal"] is None:
            os.killpg(self.pid, signal.SIGKILL)
            reply = self.runner._ask({"op": "wait", "pid": self.pid, "timeout": 30})
            raise AssertionError(f"run {self.pid} still going after {timeout} s; killed")
        return Outcome(
            reply["exit"],
            reply["signal"],
            self.out.read_text(encoding="utf-8", errors="replace"),
            time.monotonic() - self.t0,
        )

    def wait_stopped(self, timeout: float = 300) -> None:
        """Until the run has stopped itself at its fault point (SIGSTOP)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                raise AssertionError(f"run {self.pid} ended before its stop point") from None
            if state == "T":
                return
            time.sleep(0.1)
        raise AssertionError(f"run {self.pid} never reached its stop point")

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def runner(prefect_api, tmp_path_factory: pytest.TempPathFactory):
    r = Runner(prefect_api, tmp_path_factory.mktemp("runs"))
    yield r
    r.close()


def copy_home(src: Path, dst: Path) -> Path:
    """A copy of a home as a backup tool makes it: links kept as links, times kept."""
    shutil.copytree(src, dst, symlinks=True)
    return dst
