"""Time each step of the nightly run on the demo inbox, without Prefect.

    .venv/bin/python benchmarks/bench_nightly.py [--repeat 3] [--flow]

The demo returns (6 stations, Jan 2023 – May 2024, 83 files) are generated into a
temporary DOORSTEP_HOME with a throw-away pseudonym key. The steps are the plain
functions of `doorstep.pipeline` (ingest → validate → load → figures → bulletin), each
timed once with time.perf_counter on a fresh home, as of 2024-05-31. Then:

- ingest with the reader in-process (as before the worker pool), and with 1 and 2
  worker processes (best of --repeat, a fresh home each time: every file is read);
- the second night: ingest once every file is known (skipped by sha256, none parsed);
- with --flow, the whole Prefect flow once more on a fresh home.

Benchmarks measure; they never assert a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import SecretStr

AS_OF = date(2024, 5, 31)
KEY = "bench-pseudonym-key-" + "0123456789abcdef" * 3  # synthetic: demo data only


def fresh_home(root: Path, inbox: Path, name: str) -> Any:
    from foundation.settings import Settings

    home = root / name
    shutil.copytree(inbox, home / "inbox", copy_function=shutil.copy2)  # keep mtimes
    return Settings(home=home, pseudonym_key=SecretStr(KEY))


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="ingest comparisons: best of N")
    parser.add_argument("--flow", action="store_true", help="also time the Prefect flow once")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(root / ".prefect"))
    from doorstep.runtime import configure_environment

    configure_environment(root)
    from doorstep import pipeline
    from doorstep.demo import generate_demo_returns
    from doorstep.ingest import discover_returns, read_return
    from doorstep.ingest.worker import read_returns
    from foundation.reference import load_reference

    rows: list[tuple[str, float, str]] = []
    try:
        inbox = root / "demo-inbox"
        inbox.mkdir()
        _, took = timed(lambda: list(generate_demo_returns(inbox)))
        ref = load_reference()
        n_files = len(discover_returns(inbox, ref))
        size = sum(p.stat().st_size for p in inbox.iterdir())
        rows.append(("generate demo inbox", took, f"{n_files} returns, {size / 1e6:.1f} MB"))

        # What the flow has loaded before its first task: Prefect (pipeline's logger asks it
        # for a run logger) and the forkserver that imports the reader once per process.
        from doorstep.steps.common import _logger as run_logger

        _, took = timed(run_logger)  # imports prefect and its run-logger machinery
        rows.append(("import prefect (run logger)", took, "once per process, before the steps"))
        settings = fresh_home(root, inbox, "warm")
        first = discover_returns(settings.inbox, ref)[:1]
        _, took = timed(lambda: list(read_returns(first, ref, settings, workers=1)))
        rows.append(("worker pool: forkserver start + 1 file", took, "once per process"))
        _, took = timed(lambda: list(read_returns(first, ref, settings, workers=1)))
        rows.append(("worker pool: 1 worker + 1 file", took, "per night"))

        settings = fresh_home(root, inbox, "night1")
        ctx = pipeline.run_context(settings, as_of=AS_OF)
        batch, took = timed(lambda: pipeline.ingest(ctx))
        rows.append(("ingest", took, f"{len(batch.returns)} read, default workers"))
        batch, took = timed(lambda: pipeline.validate(batch, ctx))
        rows.append(("validate", took, f"{sum(f.height for f in batch.typed.values())} rows"))
        sent, took = timed(lambda: pipeline.feedback(batch, ctx))
        rows.append(("feedback", took, f"{len(sent.written)} workbooks"))
        loaded, took = timed(lambda: pipeline.load(batch, ctx))
        rows.append(("load", took, f"{loaded.rows_loaded} rows loaded"))
        result, took = timed(lambda: pipeline.figures(ctx))
        rows.append(("figures", took, f"{len(result.figures)} figure rows"))
        pdf, took = timed(lambda: pipeline.bulletin(ctx, result))
        rows.append(("bulletin", took, f"{pdf.stat().st_size / 1e3:.0f} kB PDF"))
        batch, took = timed(lambda: pipeline.ingest(pipeline.run_context(settings, as_of=AS_OF)))
        rows.append(("ingest, second night", took, f"{len(batch.returns)} read: all known"))

        def in_process() -> int:
            sources = discover_returns(inbox, ref)
            return len([read_return(s, ref, settings) for s in sources])

        best: dict[str, float] = {}
        for _ in range(args.repeat):
            _, took = timed(in_process)
            best["in-process"] = min(best.get("in-process", took), took)
            for workers in (1, 2):
                home = fresh_home(root, inbox, f"w{workers}-{time.monotonic_ns()}")
                _, took = timed(
                    partial(pipeline.ingest, pipeline.run_context(home), workers=workers)
                )
                best[f"{workers}"] = min(best.get(f"{workers}", took), took)
        rows.append(("read_return loop, in-process", best["in-process"], "best of repeats"))
        rows.append(("ingest, workers=1", best["1"], "best of repeats, all files read"))
        rows.append(("ingest, workers=2", best["2"], "best of repeats, all files read"))

        if args.flow:
            from flows.nightly import nightly

            home = fresh_home(root, inbox, "flow").home
            os.environ["DOORSTEP_PSEUDONYM_KEY"] = KEY
            state, took = timed(lambda: nightly(as_of=AS_OF, home=str(home), return_state=True))
            rows.append(("Prefect flow, whole night", took, state.type.value))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"command : {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine : {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    width = max(len(name) for name, _, _ in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  note")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:8.2f}  {note}")
    steps = ("ingest", "validate", "load", "figures", "bulletin")
    total = sum(s for name, s, _ in rows if name in steps)
    print(f"{'night (5 steps)':<{width}}  {total:8.2f}")


if __name__ == "__main__":
    main()
