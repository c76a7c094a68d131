"""The fixed cost of a night with nothing new in the inbox, split into its parts.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 2]

A throw-away DOORSTEP_HOME with an empty inbox is run once (creating its warehouse),
then, best of --repeat, each part is timed in a fresh process as an operator meets it:

- Prefect server start: `prefect server start` on a free port with an empty
  PREFECT_HOME (SQLite), until /api/health answers;
- imports: `python -c "import doorstep.cli, flows.nightly"` (what `doorstep run`
  loads before the flow starts);
- `doorstep run` with PREFECT_API_URL set (the running server reused), and the
  work inside it (the flow run's own duration, read back from the server);
- `doorstep run` without PREFECT_API_URL (a temporary server started each time).

`-X importtime` shows where import time goes:

    .venv/bin/python -X importtime -c "import flows.nightly" 2>&1 | sort -t'|' -k2 -n | tail

Benchmarks measure; they never assert a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEY = "bench-pseudonym-key-" + "0123456789abcdef" * 3  # synthetic: no real data here
AS_OF = "2024-05-31"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        DOORSTEP_PSEUDONYM_KEY=KEY,
    )
    return env


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no answer from {url} after {timeout:.0f} s")


def timed_run(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


async def last_flow_run_seconds(api_url: str) -> float:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.sorting import FlowRunSort

    async with PrefectClient(api_url) as client:
        runs = await client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)
    return float(runs[0].total_run_time.total_seconds())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="best of N")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="doorstep-bench-startup-"))
    home = root / "home"
    (home / "inbox").mkdir(parents=True)
    run = [str(BIN / "doorstep"), "run", "--as-of", AS_OF, "--home", str(home)]
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    server: subprocess.Popen[bytes] | None = None
    try:
        # The first night creates the warehouse; every timed night finds nothing new.
        subprocess.run(run, env=base_env(root / "first"), cwd=REPO, check=True, capture_output=True)
        for i in range(args.repeat):
            keep(
                "imports (doorstep.cli, flows.nightly)",
                timed_run(
                    [sys.executable, "-c", "import doorstep.cli, flows.nightly"],
                    base_env(root / "imports"),
                ),
            )
            port = free_port()
            api = f"http://127.0.0.1:{port}/api"
            env = base_env(root / f"server-{i}")
            started = time.perf_counter()
            server = subprocess.Popen(
                [
                    str(BIN / "prefect"),
                    "server",
                    "start",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_healthy(api, server)
            keep("Prefect server start (empty SQLite)", time.perf_counter() - started)
            keep(
                "doorstep run, PREFECT_API_URL set", timed_run(run, {**env, "PREFECT_API_URL": api})
            )
            keep("  of which the flow run itself", asyncio.run(last_flow_run_seconds(api)))
            server.terminate()
            server.wait(timeout=60)
            server = None
            keep(
                "doorstep run, temporary server",
                timed_run(run, base_env(root / "first")),  # migrated by the first night
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)

    print(f"command : {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine : {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    width = max(len(name) for name in best)
    print(f"{'a night with nothing new (best of ' + str(args.repeat) + ')':<{width}}  seconds")
    for name, seconds in best.items():
        print(f"{name:<{width}}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
