"""One night at a time: an exclusive lock on DOORSTEP_HOME for every entry point that
changes it (`run`, `demo`, served runs, and whatever publishes or backfills).

The lock is `flock(2)` on `DOORSTEP_HOME/.doorstep.lock`. The kernel releases it when
the holding process dies, however it dies (kill -9 included), so a lock left by a
killed night is never stale in the kernel's eyes: the next night simply takes it. The
file itself is kept (removing a flock file races with a process that has just opened
it); what it holds — pid, host, start time and purpose of the holder — is only there
to name the holder in the refusal message and to say whose lock was taken over.

Re-entrant within a process: the CLI takes the lock before Prefect starts, then the
flow (which also runs alone under `doorstep serve`) takes it again.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from foundation.faults import fault_point
from foundation.settings import Settings

log = logging.getLogger("doorstep")

LOCK_NAME = ".doorstep.lock"

P = ParamSpec("P")
R = TypeVar("R")

# Lock file path → (open descriptor, depth) for locks this process holds.
_held: dict[str, tuple[int, int]] = {}


class HomeBusy(RuntimeError):
    """Another live process holds the DOORSTEP_HOME lock."""


def lock_path(settings: Settings) -> Path:
    return settings.home / LOCK_NAME


def _holder(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 4096).decode("utf-8", "replace")
        info = json.loads(text) if text.strip() else {}
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


def describe(info: dict[str, Any]) -> str:
    if not info:
        return "another process (no details recorded)"
    return (
        f"{info.get('purpose', '?')} (pid {info.get('pid', '?')} on {info.get('host', '?')}, "
        f"started {info.get('started', '?')})"
    )


@contextmanager
def home_lock(settings: Settings, purpose: str) -> Iterator[None]:
    """Hold the DOORSTEP_HOME lock for the block, or raise HomeBusy naming the holder."""
    path = lock_path(settings)
    key = str(path.resolve())
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    settings.home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise HomeBusy(
                f"DOORSTEP_HOME {settings.home} is in use by {describe(_holder(fd))}; "
                "nothing was changed. Run again when it has finished."
            ) from None
        previous = _holder(fd)
        if previous:
            # The holder left without releasing: it was killed (the kernel has freed
            # its flock). Its night is recovered by this one.
            log.warning(
                "Taking over the lock left by %s, which is no longer running", describe(previous)
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "purpose": purpose,
            "argv": sys.argv[:4],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
        os.fsync(fd)
        _held[key] = (fd, 1)
        fault_point("lock:held")
        try:
            yield
        finally:
            del _held[key]
            # Emptied before unlocking: an empty file means "released cleanly".
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        if key not in _held:
            os.close(fd)


def with_home_lock(purpose: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form for functions whose first argument is the Settings."""

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @wraps(func)
        def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            settings = args[0] if args else kwargs["settings"]
            assert isinstance(settings, Settings)
            with home_lock(settings, purpose):
                return func(*args, **kwargs)

        return locked

    return wrap
