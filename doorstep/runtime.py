"""Process-wide defaults that must be in place before Prefect is imported.

Prefect reads its settings from the environment at import time, so the CLI and the
tests call `configure_environment()` first. Each default yields to a value the
operator has set.
"""

from __future__ import annotations

import os
from pathlib import Path

# The nightly deployment's name: `flows.serve` serves it, `doorstep status` looks it up.
DEPLOYMENT_NAME = "nightly"

_DEFAULTS = {
    # No analytics, no phoning home: the bureau's machines must not talk to the internet.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    # Task results may hold personal data: keep them in memory only.
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    # The ephemeral server migrates its SQLite database on first start; on a busy
    # two-core machine that takes longer than Prefect's default 20 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}


def configure_environment(home: Path | None = None) -> None:
    for name, value in _DEFAULTS.items():
        os.environ.setdefault(name, value)
    # Prefect's own state (ephemeral server DB, logs) lives with the rest of the
    # pipeline's state unless the operator points PREFECT_HOME elsewhere.
    home = home or Path(os.environ.get("DOORSTEP_HOME", "data"))
    os.environ.setdefault("PREFECT_HOME", str((home / ".prefect").resolve()))
