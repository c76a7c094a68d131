"""Starts `doorstep` CLI runs as forks of one warmed-up interpreter (test helper).

Why: a `doorstep run` subprocess spends ~20 s before any work on a 2-core machine
(Prefect and Great Expectations imports, ~4 s and ~10 s) — the fault suite needs some
twenty runs. This process imports what `doorstep run` imports once, then each run is
`os.fork()` + `doorstep.cli.app(argv)`: the CLI's own code in a process of its own,
killed with a real SIGKILL, in ~3 s. Nothing is executed before the fork but imports
(Polars' thread pool, DuckDB connections and Prefect clients are all created in the
child), which is what makes forking safe here.

Protocol, one JSON object a line on stdin/stdout:
  {"op": "start", "argv": [...], "env": {...}, "cwd": "...", "out": "path"} -> {"pid": n}
  {"op": "wait", "pid": n, "timeout": s} -> {"exit": code | null, "signal": sig | null}
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

from doorstep.runtime import configure_environment

configure_environment()

import great_expectations  # noqa: E402, F401
import prefect  # noqa: E402, F401

import doorstep.cli  # noqa: E402
import expectations  # noqa: E402, F401
import flows.nightly  # noqa: E402, F401


def _child(request: dict) -> None:
    os.setpgid(0, 0)  # a group of its own: a fault kills the run and its workers only
    fd = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["doorstep", *request["argv"]]
    # As under the `doorstep` script, whose main module is light: multiprocessing's
    # forkserver (the ingest workers) re-imports the main module, and this one imports GX.
    sys.modules["__main__"] = doorstep.cli
    code = 0
    try:
        doorstep.cli.app(request["argv"], prog_name="doorstep")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _wait(pid: int, timeout: float) -> dict:
    end = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                return {"exit": None, "signal": os.WTERMSIG(status)}
            return {"exit": os.WEXITSTATUS(status), "signal": None}
        if time.monotonic() >= end:
            return {"exit": None, "signal": None}
        time.sleep(0.05)


def main() -> None:
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "start":
            pid = os.fork()
            if pid == 0:
                _child(request)
            reply: dict = {"pid": pid}
        else:
            reply = _wait(request["pid"], float(request["timeout"]))
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
