"""A test-only hook that makes the process kill itself at a named point of the night.

`DOORSTEP_FAULT_POINT=load:after_commit` makes the first `fault_point("load:after_commit")`
reached (and only the first) send SIGKILL to this process — the same as a power cut or `kill -9` at exactly
that instant, but deterministic where a timed kill is not. With `DOORSTEP_FAULT_NTH=3` it
is the third time the point is reached instead (the third issue a backfill publishes),
counted in this process. `DOORSTEP_FAULT_ACTION=stop`
sends SIGSTOP instead, so a test can copy the home (a backup taken mid-night) and let
the run go on with SIGCONT. Unset (always, outside the fault suite), it does nothing.

The environment is read here, not through Settings, on purpose: this is not a setting
an operator has, and it must work before and after Settings exist.
"""

from __future__ import annotations

import os
import signal

ENV_POINT = "DOORSTEP_FAULT_POINT"
ENV_ACTION = "DOORSTEP_FAULT_ACTION"
ENV_NTH = "DOORSTEP_FAULT_NTH"


def fault_point(name: str) -> None:
    """No-op unless DOORSTEP_FAULT_POINT names this point."""
    if os.environ.get(ENV_POINT) != name:
        return
    nth = int(os.environ.get(ENV_NTH, "1"))
    if nth > 1:
        os.environ[ENV_NTH] = str(nth - 1)
        return
    del os.environ[ENV_POINT]  # once per process: a point inside a loop stops only the first time
    if os.environ.get(ENV_ACTION) == "stop":
        os.kill(os.getpid(), signal.SIGSTOP)
    elif os.getpgrp() == os.getpid():
        # Leader of its own group (how the suite starts it): the whole group dies, ingest
        # workers included, as with `kill -9 -<pgid>`.
        os.killpg(0, signal.SIGKILL)
    else:
        os.kill(os.getpid(), signal.SIGKILL)
