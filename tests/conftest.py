"""Shared fixtures. Prefect reads its settings at import time, so the environment is
configured before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect's state for the whole test session goes to a temporary folder, never ~/.prefect.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="doorstep-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)

from doorstep.runtime import configure_environment  # noqa: E402

configure_environment(_PREFECT_HOME)

TEST_KEY = "test-pseudonym-key-0123456789abcdef0123456789abcdef"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty DOORSTEP_HOME."""
    path = tmp_path / "home"
    (path / "inbox").mkdir(parents=True)
    return path


@pytest.fixture
def settings(home: Path):
    from pydantic import SecretStr

    from foundation.settings import Settings

    return Settings(home=home, pseudonym_key=SecretStr(TEST_KEY))


@pytest.fixture(scope="session")
def ref():
    from foundation.reference import load_reference

    return load_reference()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop Prefect's temporary server, if a test started one in this process, while the
    output is still open: left to its own exit hook it would log its goodbye to a stream
    pytest has closed, and print a 'Logging error' traceback into a green run."""
    import sys

    if "prefect.server.api.server" not in sys.modules:
        return
    from prefect.server.api.server import SubprocessASGIServer

    for server in list(SubprocessASGIServer._instances.values()):
        server.stop()
