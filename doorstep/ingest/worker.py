"""Reading returns in worker processes, each file bounded in wall-clock time.

A return is untrusted input read by native code (calamine, through fastexcel): a crafted
or broken workbook can make the reader run for ever or abort the whole process (see
`guards.py`). So each file is read in a worker process with a deadline of
`settings.parse_timeout_seconds`, measured from when that worker receives the file:

- the worker answers in time: its ParsedReturn, as `read_return` made it;
- the deadline passes: the worker is killed and replaced, the file is rejected with
  FILE_TIMEOUT;
- the worker dies (a native abort, the kernel's OOM killer): it is replaced, the file is
  rejected with FILE_CORRUPT.

Either way the rest of the night goes on. Results come out in the order of `sources`.

The workers are a small pool of our own rather than a `ProcessPoolExecutor`: an executor
does not say which worker runs which file, and breaks as a whole when one worker dies, so
the file that crashed could not be told from the one that merely ran beside it, and a
stuck worker could not be killed alone. Workers come from a forkserver that has imported
the reader once (Polars is never forked after it started threads): starting the server
costs ~1.5–3 s once per process, a worker then ~0.1–0.3 s (a fork, plus the program's main
module, which multiprocessing imports in every child) instead of ~1.5 s of imports with
`spawn`, the fallback where there is no forkserver. A worker says when it is ready, and
only then does a file's clock start. See benchmarks/bench_nightly.py.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from doorstep.ingest.model import Issue, ParsedReturn, ReturnSource
from doorstep.ingest.reader import file_mtime, read_return, source_digest
from foundation.reference import Reference
from foundation.reference import detail as detail_text
from foundation.settings import Settings

Reader = Callable[[ReturnSource, Reference, Settings], ParsedReturn]
Progress = Callable[[int, int, str], None]

# Imported once by the forkserver, so that every worker starts with them loaded.
_PRELOAD = ["doorstep.ingest.reader", "doorstep.ingest.worker"]
_READY = "ready"
_STARTUP_SECONDS = 120.0


def default_workers() -> int:
    """Two workers where there are two cores: the machine has 2, and reading is CPU-bound."""
    return max(1, min(2, os.cpu_count() or 1))


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)  # takes effect when the server first starts
        return ctx
    return multiprocessing.get_context("spawn")


def _serve(conn: Connection, ref: Reference, settings: Settings, reader: Reader) -> None:
    """A worker: read each source it is sent until it is sent None or its pipe closes."""
    conn.send(_READY)  # started up (the parent's main module imported): clocks may start
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, source = task
        try:
            conn.send((index, reader(source, ref, settings), None))
        except Exception as exc:  # a reader bug or an unpicklable result: the type only
            conn.send((index, None, type(exc).__name__))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: tuple[int, ReturnSource] | None = None
    started: float = 0.0


def _start(
    ctx: BaseContext, n: int, ref: Reference, settings: Settings, reader: Reader
) -> list[_Worker]:
    """`n` workers, started together, each ready to read when this returns.

    A worker that cannot start (the reader cannot be imported, the machine is out of
    processes) is a broken installation, not a bad file: that raises.
    """
    workers: list[_Worker] = []
    try:
        for _ in range(n):
            parent, child = ctx.Pipe()
            process: Any = ctx.Process(  # type: ignore[attr-defined]
                target=_serve, args=(child, ref, settings, reader), name="doorstep-reader"
            )
            process.daemon = True
            process.start()
            child.close()  # so the parent sees EOF when the worker dies
            workers.append(_Worker(process, parent))
        for worker in workers:
            try:
                ready = worker.conn.poll(_STARTUP_SECONDS) and worker.conn.recv() == _READY
            except (EOFError, OSError):
                ready = False
            if not ready:
                raise RuntimeError(
                    f"a reader worker did not start (exit code {worker.process.exitcode})"
                )
    except BaseException:
        for worker in workers:
            _stop(worker, kill=True)
        raise
    return workers


def _stop(worker: _Worker, *, kill: bool) -> None:
    if not kill:
        try:
            worker.conn.send(None)
        except OSError:
            kill = True
        else:
            worker.process.join(timeout=5)
            kill = worker.process.is_alive()
    if kill:
        worker.process.kill()
        worker.process.join(timeout=5)
    worker.conn.close()


def unread_return(source: ReturnSource, sha256: str) -> ParsedReturn:
    """A ParsedReturn with what the file system tells without reading the files: name,
    size, mtime (the received time is the ingest step's to stamp). For a duplicate of a
    file read tonight, and for a file that failed."""
    size = 0
    mtime = datetime(1970, 1, 1)
    for path in source.paths:
        try:
            size += path.stat().st_size
            mtime = max(mtime, file_mtime(path))
        except OSError:
            pass
    return ParsedReturn(
        path=source.paths[0],
        file_name=source.name,
        sha256=sha256,
        size=size,
        received_at=datetime(1970, 1, 1),
        station_code=None,
        period=None,
        sheets={},
        issues=[],
        rejected=False,
        mtime=mtime,
    )


def failed_return(source: ReturnSource, settings: Settings, code: str, detail: str) -> ParsedReturn:
    """The rejected ParsedReturn of a source the reader could not finish, with the id
    `read_return` would have given it."""
    parsed = unread_return(source, source_digest(source, settings))
    parsed.issues.append(Issue(source.name, None, None, None, code, detail))
    parsed.rejected = True
    return parsed


def read_returns(
    sources: Iterable[ReturnSource],
    ref: Reference,
    settings: Settings,
    *,
    workers: int | None = None,
    on_progress: Progress | None = None,
    reader: Reader = read_return,
) -> Iterator[ParsedReturn]:
    """Read each source in a worker process, at most `parse_timeout_seconds` each.

    Yields one ParsedReturn per source, in the order of `sources`; never raises for a bad
    file. `on_progress(done, total, name)` is called as each file finishes (in the order
    they finish). `reader` must be a module-level function (it is sent to the workers).
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    todo = list(sources)
    total = len(todo)
    if not total:
        return
    limit = settings.parse_timeout_seconds
    settings = settings.model_copy(update={"pseudonym_key": None})  # readers need no secret
    ctx = _context()
    pending = deque(enumerate(todo))
    results: dict[int, ParsedReturn] = {}
    next_out = done = 0
    pool: list[_Worker] = []
    try:
        pool = _start(ctx, min(workers or default_workers(), total), ref, settings, reader)
        while next_out < total:
            for worker in pool:
                if worker.task is None and pending:
                    worker.task = pending.popleft()
                    worker.started = time.monotonic()
                    with contextlib.suppress(OSError):  # died idle: EOF below, a crash
                        worker.conn.send(worker.task)
            busy = [w for w in pool if w.task is not None]
            deadline = min(w.started for w in busy) + limit
            ready = wait([w.conn for w in busy], max(0.0, deadline - time.monotonic()))
            now = time.monotonic()
            for worker in busy:
                assert worker.task is not None
                index, source = worker.task
                if worker.conn in ready:
                    parsed = _answer(worker, source, settings)
                elif now - worker.started >= limit:
                    detail = detail_text("read_timeout", seconds=f"{limit:g}")
                    parsed = failed_return(source, settings, "FILE_TIMEOUT", detail)
                    _stop(worker, kill=True)
                else:
                    continue
                worker.task = None
                results[index] = parsed
                done += 1
                if on_progress is not None:
                    on_progress(done, total, source.name)
            # Replace the workers that were killed or died, while there is work left.
            alive = [w for w in pool if not w.conn.closed]
            if pending and len(alive) < len(pool):
                alive += _start(ctx, len(pool) - len(alive), ref, settings, reader)
            pool = alive
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
    finally:
        for worker in pool:
            if not worker.conn.closed:
                _stop(worker, kill=worker.task is not None)


def _answer(worker: _Worker, source: ReturnSource, settings: Settings) -> ParsedReturn:
    """What a worker whose pipe became readable has to say: a result, or its death."""
    try:
        _, parsed, error = worker.conn.recv()
    except (EOFError, OSError):
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        _stop(worker, kill=True)
        return failed_return(
            source, settings, "FILE_CORRUPT", detail_text("reader_crashed", code=code)
        )
    if parsed is None:
        return failed_return(source, settings, "FILE_CORRUPT", str(error))
    assert isinstance(parsed, ParsedReturn)
    return parsed
